"""``compare``: the rules beside the shapes (``schemas.py``).

- The stored answer lists the judged criteria in ``params.criteria`` order, and leaves
  ``criteria`` out when it judges none. Removing a criterion that answers use is refused
  like removing a label, and so is turning ``allow_tie`` or ``allow_both_bad`` off while
  answers use ``"tie"`` or ``"both_bad"`` (the categorical models' classes would lose one).
- Result: plurality of ``choice``, confidence the share of answers that agree with the
  winner; ties in the count go to ``"a"``, then ``"b"``, then ``"tie"``, then
  ``"both_bad"``. Each criterion is
  decided the same way among the answers that judged it. ``strength`` is not aggregated.
  ``choice`` is categorical: Dawid-Skene and the adaptive posterior read it.
- Match: exact on every preference the expected answer states (the choice and each
  criterion it judges); partial credit is the share of them the answer gets.
- Judged turn (post-training exports): the task's ``prompt`` with ``a`` and ``b`` as two
  candidates; each answer's ``choice`` ranks them (``"tie"`` and ``"both_bad"`` tie them,
  as in the leaderboard) and its ``strength`` weighs the margin.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from assay.algorithms.judged_turns import (
    Groups,
    JudgedTurn,
    Judgment,
    counted_answers,
    text_of,
    user_turn,
)
from assay.kinds.base import (
    NO_AGGREGATE,
    Aggregate,
    Categorical,
    FormField,
    Kind,
    removed_names,
)
from assay.kinds.compare.schemas import (
    CHOICES,
    Answer,
    Data,
    Params,
    allowed_choices,
    answer_with_criteria,
)
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy
from assay.kinds.voting import plurality_of

_RANKINGS: dict[str, Groups] = {"a": (("a",), ("b",)), "b": (("b",), ("a",)),
                                "tie": (("a", "b"),), "both_bad": (("a", "b"),)}


class Compare(Kind):
    name = "compare"
    position = 40
    form_fields = (FormField("allow_tie", "Workers may answer a tie", "checkbox"),
                   FormField("allow_both_bad", "Workers may answer both bad", "checkbox"),
                   FormField("criteria", "Criteria", "lines"))
    params_schema = Params
    data_schema = Data
    answer_schema = Answer

    def battle_project(self, criteria: Sequence[str]) -> dict[str, Any]:
        return {"allow_tie": True, "allow_both_bad": True, "criteria": list(criteria)}

    def battle_task(self, prompt: Any, reply_a: str | None,
                    reply_b: str | None) -> dict[str, Any]:
        return {"prompt": prompt, "a": reply_a, "b": reply_b}

    def battle_verdict(self, answer: Mapping[str, Any]) -> str | None:
        choice = answer.get("choice")
        return str(choice) if choice else None

    def judged_turns(self, params: Mapping[str, Any], task: Mapping[str, Any],
                     sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
        data = task.get("data") or {}
        judgments = tuple(Judgment(ranking=_RANKINGS[a["choice"]],
                                   strength=float(a.get("strength") or 1))
                          for a in counted_answers(task) if a.get("choice") in _RANKINGS)
        if judgments and "prompt" in data:
            yield JudgedTurn(prompt=user_turn(data["prompt"]),
                             candidates={"a": text_of(data["a"]), "b": text_of(data["b"])},
                             judgments=judgments)

    def answer_model(self, params: dict[str, Any]) -> type[BaseModel]:
        if params["criteria"]:
            return answer_with_criteria(tuple(params["criteria"]))
        return Answer

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        answer = model.model_dump(by_alias=True, exclude_unset=True)
        judged = answer.pop("criteria", None)
        if judged:
            answer["criteria"] = judged
        return answer

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        choices = removed_names(list(allowed_choices(old)), list(allowed_choices(new)))
        return removed_names(old["criteria"], new["criteria"]) + choices

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        judged = answer.get("criteria", {})
        special = {answer.get("choice"), *judged.values()} & {"tie", "both_bad"}
        return set(judged) | {str(c) for c in special}

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        if not answers:
            return NO_AGGREGATE
        choice, share = plurality_of([a["choice"] for a in answers], rank=CHOICES.index)
        result: dict[str, Any] = {"choice": choice}
        per_criterion = {}
        for name in params["criteria"]:
            votes = [a["criteria"][name] for a in answers if name in a.get("criteria", {})]
            if votes:
                per_criterion[name], _ = plurality_of(votes, rank=CHOICES.index)
        if per_criterion:
            result["criteria"] = per_criterion
        return Aggregate(result, share, "plurality")

    def categorical(self, params: dict[str, Any]) -> Categorical | None:
        return Categorical("choice", self.tally_labels(params))

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        # Strength is a worker's own sense of how clear the preference is, and is not
        # aggregated either, so it does not make an answer wrong.
        judged = [(expected.get("choice"), answer.get("choice"))]
        answered = answer.get("criteria") or {}
        judged += [(v, answered.get(k)) for k, v in (expected.get("criteria") or {}).items()]
        agreed = sum(want == got for want, got in judged)
        return Match(agreed / len(judged), agreed == len(judged))

    def tally_labels(self, params: dict[str, Any]) -> list[str]:
        return list(allowed_choices(params))

    def answer_labels(self, answer: Mapping[str, Any]) -> list[str]:
        choice = answer.get("choice")
        return [choice] if isinstance(choice, str) else []
