"""Post-training formats: each one function from a :class:`~assay.exports.judged.Verdict`
to the rows it gives, and the Arrow schema of those rows (for ``&file=parquet``).

The field names are those the trainers read (API.md part two, "Post-training exports"):

- ``sft`` — ``{"messages"}``: a conversation that ends with the best (or written) reply,
  one per last turn (TRL ``SFTTrainer``, conversational).
- ``openai`` — ``{"messages"}`` in OpenAI's chat fine-tuning shape: role and content only,
  and ``"weight": 0`` on assistant messages that came with the task rather than from
  people, ``1`` on the others.
- ``dpo`` — ``{"prompt", "chosen", "rejected", "score_chosen"?, "score_rejected"?}`` per
  ordered pair (TRL ``DPOTrainer``, conversational with an explicit prompt).
- ``kto`` — ``{"prompt", "completion", "label"}`` per clearly good or bad reply (TRL
  ``KTOTrainer``, unpaired preference).
- ``openai_dpo`` — ``{"input": {"messages"}, "preferred_output", "non_preferred_output"}``
  per ordered pair (OpenAI preference fine-tuning).
- ``reward`` — ``{"prompt", "chosen", "rejected", "margin"}`` per ordered pair (TRL
  ``RewardTrainer``, which reads ``margin`` when present).

A new format is one function added to :data:`FORMATS` (and its schema to
:func:`parquet_schemas`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

from assay.exports.judged import Message, Pair, Verdict

Row = dict[str, Any]
Format = Callable[[Verdict], Iterator[Row]]


def _reply(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def _prompt(verdict: Verdict) -> list[Message]:
    return [{"role": m["role"], "content": m["content"]} for m in verdict.turn.prompt]


def sft_rows(verdict: Verdict) -> Iterator[Row]:
    best = verdict.best
    if verdict.turn.last and best is not None and best not in verdict.undesirable:
        yield {"messages": [*_prompt(verdict), *_reply(verdict.content(best))]}


def openai_rows(verdict: Verdict) -> Iterator[Row]:
    for row in sft_rows(verdict):
        messages = row["messages"]
        for i, message in enumerate(messages):
            if message["role"] == "assistant":
                message["weight"] = 0 if i < verdict.turn.given else 1
        yield {"messages": messages}


def _scored(pair: Pair, row: Row) -> Row:
    if pair.score_chosen is not None and pair.score_rejected is not None:
        row["score_chosen"] = pair.score_chosen
        row["score_rejected"] = pair.score_rejected
    return row


def dpo_rows(verdict: Verdict) -> Iterator[Row]:
    prompt = _prompt(verdict)
    for pair in verdict.pairs:
        yield _scored(pair, {"prompt": prompt, "chosen": _reply(verdict.content(pair.chosen)),
                             "rejected": _reply(verdict.content(pair.rejected))})


def kto_rows(verdict: Verdict) -> Iterator[Row]:
    prompt = _prompt(verdict)
    for keys, label in ((verdict.desirable, True), (verdict.undesirable, False)):
        for key in keys:
            yield {"prompt": prompt, "completion": _reply(verdict.content(key)), "label": label}


def openai_dpo_rows(verdict: Verdict) -> Iterator[Row]:
    prompt = _prompt(verdict)
    for pair in verdict.pairs:
        yield {"input": {"messages": prompt},
               "preferred_output": _reply(verdict.content(pair.chosen)),
               "non_preferred_output": _reply(verdict.content(pair.rejected))}


def reward_rows(verdict: Verdict) -> Iterator[Row]:
    prompt = _prompt(verdict)
    for pair in verdict.pairs:
        yield {"prompt": prompt, "chosen": _reply(verdict.content(pair.chosen)),
               "rejected": _reply(verdict.content(pair.rejected)),
               "margin": round(pair.margin, 6)}


FORMATS: dict[str, Format] = {
    "sft": sft_rows,
    "openai": openai_rows,
    "dpo": dpo_rows,
    "kto": kto_rows,
    "openai_dpo": openai_dpo_rows,
    "reward": reward_rows,
}

@cache
def parquet_schemas() -> dict[str, pa.Schema]:
    """Each format's Arrow schema, for ``&file=parquet`` (pyarrow is imported here, on the
    first Parquet file: a server starts without it)."""
    import pyarrow as pa

    messages = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    weighted = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string()),
                                   ("weight", pa.int64())]))
    return {
        "sft": pa.schema([("messages", messages)]),
        "openai": pa.schema([("messages", weighted)]),
        "dpo": pa.schema([("prompt", messages), ("chosen", messages), ("rejected", messages),
                          ("score_chosen", pa.float64()), ("score_rejected", pa.float64())]),
        "kto": pa.schema([("prompt", messages), ("completion", messages),
                          ("label", pa.bool_())]),
        "openai_dpo": pa.schema([("input", pa.struct([("messages", messages)])),
                                 ("preferred_output", messages),
                                 ("non_preferred_output", messages)]),
        "reward": pa.schema([("prompt", messages), ("chosen", messages),
                             ("rejected", messages), ("margin", pa.float64())]),
    }


#: The post-training formats, in the order the API lists them.
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)


def rows(verdicts: Iterator[Verdict], name: str) -> Iterator[Row]:
    """Every row of format ``name`` the verdicts give, in order."""
    fmt = FORMATS[name]
    for verdict in verdicts:
        yield from fmt(verdict)
