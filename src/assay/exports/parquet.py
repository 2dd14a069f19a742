"""Rows into one Parquet file, a row group at a time, so memory stays flat.

Parquet writes its footer last, so the file is built in a temporary file and then read
back in blocks; only one row group of rows is held at a time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 10_000
BLOCK = 1 << 20


def parquet_blocks(rows: Iterable[dict[str, Any]], schema: pa.Schema,
                   row_group: int = ROW_GROUP) -> Iterator[bytes]:
    """The bytes of a Parquet file holding ``rows`` (dicts with ``schema``'s fields;
    missing ones are null), in blocks of up to 1 MiB."""
    with tempfile.TemporaryFile() as spool:
        with pq.ParquetWriter(spool, schema, compression="zstd") as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= row_group:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        spool.seek(0)
        while block := spool.read(BLOCK):
            yield block
