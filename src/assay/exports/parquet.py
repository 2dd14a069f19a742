"""Rows into one Parquet file, a row group at a time, so memory stays flat.

Parquet writes its footer last, so the file is built in a temporary file and then read
back in blocks. A row group's rows are encoded as JSON lines and parsed by Arrow's JSON
reader against the format's schema, which is about twice as fast as building the columns
from Python dicts and holds only the encoded bytes; a field a row leaves out is null.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from assay.db.jsoncodec import dumps_json

ROW_GROUP = 10_000
BLOCK = 1 << 20


def _table(lines: list[bytes], schema: pa.Schema) -> pa.Table:
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    table = pa_json.read_json(io.BytesIO(b"\n".join(lines)), parse_options=options)
    return table.select(schema.names).cast(schema)


def parquet_blocks(rows: Iterable[dict[str, Any]], schema: pa.Schema,
                   row_group: int = ROW_GROUP) -> Iterator[bytes]:
    """The bytes of a Parquet file holding ``rows`` (dicts with ``schema``'s fields;
    missing ones are null), in blocks of up to 1 MiB."""
    with tempfile.TemporaryFile() as spool:
        with pq.ParquetWriter(spool, schema, compression="zstd") as writer:
            batch: list[bytes] = []
            for row in rows:
                batch.append(dumps_json(row).encode())
                if len(batch) >= row_group:
                    writer.write_table(_table(batch, schema))
                    batch = []
            if batch:
                writer.write_table(_table(batch, schema))
        spool.seek(0)
        while block := spool.read(BLOCK):
            yield block
