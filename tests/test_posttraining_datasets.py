"""Every post-training format, as the export writes it (JSON lines and Parquet), loads with
Hugging Face ``datasets`` as it is, and holds the columns TRL's trainers read: TRL takes an
example as *conversational* when a field it reads is a list of ``{"role", "content"}``
messages, and reads ``label`` (KTO) as a boolean and ``margin`` (reward) as a number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assay.exports.formats import parquet_schemas
from assay.exports.parquet import parquet_blocks
from assay.exports.posttraining import FORMAT_NAMES, compile_rows, judged_turns
from assay.exports.service import jsonl_lines
from tests.test_posttraining_formats import CONVERSATION, PARAMS, SOURCES

datasets = pytest.importorskip("datasets")

# The fields each trainer reads, and those it reads as conversations (TRL's dataset formats:
# SFT "messages"; DPO and reward "prompt"/"chosen"/"rejected"; KTO "prompt"/"completion").
CONVERSATIONS = {
    "sft": ["messages"], "openai": ["messages"], "dpo": ["prompt", "chosen", "rejected"],
    "kto": ["prompt", "completion"], "reward": ["prompt", "chosen", "rejected"],
    "openai_dpo": ["preferred_output", "non_preferred_output"],
}
ROLES = {"system", "user", "assistant"}


def _is_conversation(value: Any) -> bool:
    return (isinstance(value, list) and len(value) > 0
            and all(isinstance(m, dict) and m.get("role") in ROLES
                    and isinstance(m.get("content"), str) for m in value))


def _rows(fmt: str) -> list[dict[str, Any]]:
    return list(compile_rows(fmt, judged_turns("chat", PARAMS, [CONVERSATION],
                                               lambda batch: SOURCES)))


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_each_format_loads_with_datasets(fmt: str, tmp_path: Path) -> None:
    rows = _rows(fmt)
    assert rows
    lines = tmp_path / f"{fmt}.jsonl"
    lines.write_bytes(b"".join(jsonl_lines(iter(rows))))
    table = tmp_path / f"{fmt}.parquet"
    table.write_bytes(b"".join(parquet_blocks(rows, parquet_schemas()[fmt], row_group=2)))
    cache = str(tmp_path / "cache")
    from_lines = datasets.load_dataset("json", data_files=str(lines), split="train",
                                       cache_dir=cache)
    from_parquet = datasets.load_dataset("parquet", data_files=str(table), split="train",
                                         cache_dir=cache)
    assert from_lines.num_rows == from_parquet.num_rows == len(rows)
    assert set(from_parquet.column_names) == set(parquet_schemas()[fmt].names)
    assert set(from_lines.column_names) <= set(from_parquet.column_names)
    for example in from_parquet:
        for field in CONVERSATIONS[fmt]:
            assert _is_conversation(example[field]), (fmt, field, example[field])
    for example in from_lines:
        for field in CONVERSATIONS[fmt]:
            assert _is_conversation(example[field]), (fmt, field, example[field])
    features = from_parquet.features
    if fmt == "kto":
        assert features["label"].dtype == "bool"
        assert from_lines.features["label"].dtype == "bool"
    if fmt == "reward":
        assert features["margin"].dtype == "float64"
    if fmt == "dpo":
        assert from_lines.features["score_chosen"].dtype == "float64"
    if fmt == "openai_dpo":
        assert all(_is_conversation(e["input"]["messages"]) for e in from_lines)
    if fmt in ("dpo", "reward", "openai_dpo"):
        # A preference pair answers one prompt with one reply on each side.
        side = "chosen" if fmt != "openai_dpo" else "preferred_output"
        assert all(len(e[side]) == 1 and e[side][0]["role"] == "assistant"
                   for e in from_parquet)
    if fmt in ("sft", "openai"):
        assert all(e["messages"][-1]["role"] == "assistant" for e in from_lines)
