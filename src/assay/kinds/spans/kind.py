"""``spans``: the rules beside the shapes (``schemas.py``).

- The stored answer lists the spans sorted by ``start``.
- Result: the character-level majority (:func:`assay.algorithms.spans.aggregate_spans`,
  ``method: "span_majority"``): a character keeps a label when more than half the answers
  cover it with that label, and runs of kept characters become the result's spans (cut
  where more than half the answers end one span and start the next). Its confidence is
  the mean character F1 of the answers against it: 1 when all agree.
- Match: character-level F1 (:func:`assay.algorithms.similarity.span_f1`) against
  ``quality.match.min_f1``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assay.kinds.base import NO_AGGREGATE, Aggregate, FormField, Kind
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy, clears
from assay.kinds.spans.schemas import Answer, Data, Params

if TYPE_CHECKING:
    from assay.algorithms.spans import Span

MAJORITY = 0.5
METHOD = "span_majority"


def spans_of(answer: Mapping[str, Any]) -> list[Span]:
    """A normalized answer's spans as ``(start, end, label)``."""
    return [(s["start"], s["end"], s["label"]) for s in answer.get("spans") or []]


def majority_spans(answers: Sequence[Sequence[Span]]) -> list[Span]:
    """The majority's spans: :func:`aggregate_spans`, each run cut where more than half
    the answers have a boundary of that label (two touching spans marked by most answers
    stay two spans)."""
    from assay.algorithms.spans import aggregate_spans

    boundaries: Counter[tuple[int, Any]] = Counter()
    for spans in answers:
        boundaries.update({(point, label) for start, end, label in spans
                           for point in (start, end)})
    cuts = sorted(key for key, n in boundaries.items() if n > MAJORITY * len(answers))
    out: list[Span] = []
    for span in aggregate_spans(answers, threshold=MAJORITY):
        start = span.start
        for point, label in cuts:
            if label == span.label and span.start < point < span.end:
                out.append((start, point, span.label))
                start = point
        out.append((start, span.end, span.label))
    return out


class Spans(Kind):
    name = "spans"
    position = 20
    params_schema = Params
    data_schema = Data
    answer_schema = Answer
    adaptive_consensus = True
    form_fields = (FormField("labels", "Labels", "lines"),)

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        assert isinstance(model, Answer)
        order = sorted(range(len(model.spans)),
                       key=lambda i: (model.spans[i].start, model.spans[i].end, i))
        return {"spans": [model.spans[i].model_dump() for i in order]}

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return {span["label"] for span in answer["spans"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        from assay.algorithms.similarity import span_f1

        if not answers:
            return NO_AGGREGATE
        given = [spans_of(a) for a in answers]
        agreed = majority_spans(given)
        confidence = sum(span_f1(agreed, spans) for spans in given) / len(given)
        result = [{"start": s, "end": e, "label": label} for s, e, label in agreed]
        return Aggregate({"spans": result}, confidence, METHOD)

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        from assay.algorithms.similarity import span_f1

        score = span_f1(spans_of(expected), spans_of(answer))
        return Match(score, clears(score, policy.min_f1))
