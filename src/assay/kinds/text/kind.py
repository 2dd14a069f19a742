"""``text``: the rules beside the shapes (``schemas.py``).

- Result: the medoid (:func:`assay.algorithms.text.aggregate_texts`, ``method:
  "text_medoid"``): the answer most similar to all the others, as written. Similarity is
  ``1 - edit distance / longer length`` after case-folding and collapsing whitespace
  (:func:`assay.algorithms.similarity.text_similarity`); the confidence is the medoid's
  mean similarity to the other answers (1 for a single answer).
- Match: the same similarity against ``quality.match.min_similarity``.
- A generated item: ``{"prompt", "reply"?}``; people write (or correct) the reply. A
  check of it: the answer's text equal to the reply (whitespace at the ends aside) accepts
  it, any other text edits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assay.algorithms.text import levenshtein_similarity
from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy, clears
from assay.kinds.schema import AnyObject
from assay.kinds.text.schemas import Answer, Params

METHOD = "text_medoid"


class Text(Kind):
    name = "text"
    position = 60
    params_schema = Params
    data_schema = AnyObject
    answer_schema = Answer
    adaptive_consensus = True

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        return []

    def synthetic_task(self, params: Mapping[str, Any], prompt: str, reply: str | None,
                       model_name: str) -> dict[str, Any]:
        return {"prompt": prompt, **({"reply": reply} if reply is not None else {})}

    def synthetic_check(self, params: Mapping[str, Any], data: Mapping[str, Any],
                        answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
        reply = data.get("reply")
        if not isinstance(reply, str):
            return None, None
        text = str(answer.get("text", ""))
        if text.strip() == reply.strip():
            return "accepted", None
        return "edited", levenshtein_similarity(reply, text)

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        from assay.algorithms.similarity import text_similarity
        from assay.algorithms.text import aggregate_texts

        if not answers:
            return NO_AGGREGATE
        medoid = aggregate_texts([a["text"] for a in answers], similarity=text_similarity,
                                 normalize=None)
        return Aggregate({"text": medoid.text}, medoid.support, METHOD)

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        from assay.algorithms.similarity import text_similarity

        score = text_similarity(str(expected.get("text", "")), str(answer.get("text", "")))
        return Match(score, clears(score, policy.min_similarity))
