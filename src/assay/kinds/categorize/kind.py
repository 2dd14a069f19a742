"""``categorize``: the rules beside the shapes (``schemas.py``).

- The stored answer of ``multiple`` lists its labels in the order of ``params.labels``.
- Result: plurality. With ``multiple`` the vote is over the exact label set. Confidence is
  the share of answers equal to the winner. Ties go to the label listed first in
  ``params.labels`` (label sets compare as the sorted lists of their labels' positions, so
  the empty set comes first). Single-label answers are categorical: Dawid-Skene and the
  adaptive posterior read ``label`` over ``params.labels``.
- Match: the same label; with ``multiple``, the Jaccard index of the two sets against
  ``quality.match.min_jaccard`` (default 1: the same set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from assay.kinds.base import (
    NO_AGGREGATE,
    Aggregate,
    Categorical,
    FieldError,
    FormField,
    Kind,
    KindValidationError,
)
from assay.kinds.categorize.schemas import MultipleAnswer, Params, SingleAnswer
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy, clears, exact
from assay.kinds.schema import AnyObject
from assay.kinds.voting import plurality_of


class Categorize(Kind):
    name = "categorize"
    position = 10
    params_schema = Params
    data_schema = AnyObject
    answer_schema = SingleAnswer
    form_fields = (FormField("labels", "Labels", "lines"),
                   FormField("multiple", "Several labels per answer", "checkbox"))

    def answer_model(self, params: dict[str, Any]) -> type[BaseModel]:
        return MultipleAnswer if params["multiple"] else SingleAnswer

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        if isinstance(model, MultipleAnswer):
            chosen = set(model.labels)
            return {"labels": [label for label in params["labels"] if label in chosen]}
        assert isinstance(model, SingleAnswer)
        return {"label": model.label}

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        if old["multiple"] != new["multiple"]:
            message = "cannot change after the project is created: it changes the answers' shape"
            raise KindValidationError([FieldError("params.multiple", message)])
        return super().check_params_change(old, new)

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        if "labels" in answer:
            return set(answer["labels"])
        return {answer["label"]}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        if not answers:
            return NO_AGGREGATE
        position = {label: i for i, label in enumerate(params["labels"])}

        def rank(label: str) -> tuple[int, str]:
            # Labels no longer in params (should not happen: removal of used labels is
            # refused) sort after all known ones, by name.
            return (position.get(label, len(position)), label)

        if params["multiple"]:
            sets = [tuple(sorted(a["labels"], key=rank)) for a in answers]
            winner_set, share = plurality_of(sets, rank=lambda s: [rank(x) for x in s])
            return Aggregate({"labels": list(winner_set)}, share, "plurality")
        winner, share = plurality_of([a["label"] for a in answers], rank=rank)
        return Aggregate({"label": winner}, share, "plurality")

    def categorical(self, params: dict[str, Any]) -> Categorical | None:
        if params.get("multiple"):
            return None
        return Categorical("label", list(params["labels"]))

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        from assay.algorithms.similarity import label_jaccard

        if not params.get("multiple"):
            return exact(expected.get("label") == answer.get("label"))
        score = label_jaccard(expected.get("labels", []), answer.get("labels", []))
        return Match(score, clears(score, policy.min_jaccard))

    def tally_labels(self, params: dict[str, Any]) -> list[str]:
        return list(params.get("labels", []))

    def answer_labels(self, answer: Mapping[str, Any]) -> list[str]:
        given = answer["labels"] if "labels" in answer else [answer.get("label")]
        return given if isinstance(given, list) else []
