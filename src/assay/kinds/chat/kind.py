"""``chat``: the rules beside the shapes (``schemas.py``).

- Conversation: the task's messages open it; when they end with a user turn, the first
  turn's replies (generated, or given in the data) are the same for every worker of the
  task; otherwise the worker writes the user turn and the conversation is theirs alone, as
  is every later turn (each needs the worker's next user turn). A turn continues from the
  written ``ideal``, else from the best-ranked reply (the first of its group, by id), else
  from the best-scored one.
- The worker sees the messages, never the given candidates' model names (they come through
  ``generate`` like generated ones).
- Result (``method: "bradley_terry"``): per shared turn, the workers' rankings are broken
  into pairs (a tie is half a win each) and fitted by Bradley-Terry with one tied game per
  pair as a prior (:func:`assay.algorithms.rankings.bradley_terry_rankings`); ``order``
  lists the candidates' model names strongest first, ``scores`` the mean rubric score per
  model and criterion, ``ideal`` the medoid of the written ideals (or null). The confidence
  is the least, over the shared turns, of the fitted probability that the first reply beats
  the second; adaptive overlap (``quality.target_confidence``) settles a task on it. A
  task with no shared turn has no result (``method: "none"``).
- Match (gold, review): per turn the expected ranking, written with model names (or
  candidate ids), against the answer's by Kendall's tau-b, which must reach
  ``quality.match.tau`` (default 0.6) on every turn; rubric scores must lie within
  ``quality.match.rating_tolerance`` (default 10% of the criterion's scale, rounded).
  Partial credit: the mean of ``(tau + 1) / 2`` over the turns.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from assay.algorithms.judged_turns import JudgedTurn
from assay.kinds.base import (
    NO_AGGREGATE,
    Aggregate,
    Conversation,
    Kind,
    OfferedTurn,
    removed_names,
)
from assay.kinds.chat import judged
from assay.kinds.chat.schemas import Answer, Data, Params, Turn, choice_errors
from assay.kinds.errors import FieldError, KindValidationError
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy
from assay.kinds.schema import field_errors, parse, path

METHOD = "bradley_terry"


def _normalized_turns(params: Mapping[str, Any],
                      raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each turn's keys in a fixed order, its candidates sorted, each group sorted."""
    criteria = [c["id"] for c in params["rubric"]]
    turns = []
    for turn in raw:
        out: dict[str, Any] = {}
        if turn.get("prompt") is not None:
            out["prompt"] = turn["prompt"]
        out["candidates"] = sorted(turn["candidates"])
        if turn.get("ranking") is not None:
            out["ranking"] = [sorted(group) for group in turn["ranking"]]
        if turn.get("scores") is not None:
            out["scores"] = {c: {k: turn["scores"][c][k] for k in criteria}
                             for c in out["candidates"]}
        if turn.get("ideal") is not None:
            out["ideal"] = turn["ideal"]
        turns.append(out)
    return turns


def _best(choice: Mapping[str, Any], candidates: Sequence[str],
          params: Mapping[str, Any] | None = None) -> str:
    ranking = choice.get("ranking")
    if ranking:
        return sorted(ranking[0])[0]
    scores = choice.get("scores")
    if scores:
        weights = {c["id"]: float(c.get("weight", 1)) for c in (params or {}).get("rubric", [])}
        return max(candidates, key=lambda c: (
            sum(weights.get(k, 1.0) * v for k, v in scores.get(c, {}).items()),
            -candidates.index(c)))
    return sorted(candidates)[0]


def _tolerance(criterion: Mapping[str, Any], policy: MatchPolicy) -> int:
    if policy.rating_tolerance is not None:
        return policy.rating_tolerance
    return (int(criterion.get("max", 5)) - int(criterion.get("min", 1)) + 5) // 10


class Chat(Kind):
    name = "chat"
    position = 70
    params_schema = Params
    data_schema = Data
    answer_schema = Answer
    adaptive_consensus = True

    # -- post-training and synthetic data (``judged.py``) ----------------------------------

    def judged_turns(self, params: Mapping[str, Any], task: Mapping[str, Any],
                     sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
        return judged.chat_turns(task, params, sources)

    def synthetic_task(self, params: Mapping[str, Any], prompt: str, reply: str | None,
                       model_name: str) -> dict[str, Any]:
        return judged.synthetic_data(prompt, reply, model_name)

    def synthetic_check(self, params: Mapping[str, Any], data: Mapping[str, Any],
                        answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
        return judged.synthetic_check(params, data, answer)

    # -- the stored forms -----------------------------------------------------------------

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        raw = model.model_dump(by_alias=True, exclude_unset=True)
        return {"turns": _normalized_turns(params, raw["turns"])}

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        errors = []
        if new["ranking"] != old["ranking"]:
            errors.append(FieldError("params.ranking", "cannot change once the project exists"))
        if new["max_turns"] < old["max_turns"]:
            errors.append(FieldError("params.max_turns", "cannot be lowered once the project "
                                                         "exists (only raised)"))
        if errors:
            raise KindValidationError(errors)
        return removed_names([c["id"] for c in old["rubric"]], [c["id"] for c in new["rubric"]])

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        return {k for turn in answer.get("turns", []) for s in (turn.get("scores") or {}).values()
                for k in s}

    # -- the conversation ------------------------------------------------------------------

    def conversation(self, params: dict[str, Any], data: Any) -> Conversation:
        messages = tuple(dict(m) for m in data.get("messages", []))
        given = tuple({"model": c["model"], "content": c["content"]}
                      for c in data.get("candidates") or [])
        return Conversation(models=tuple(params["models"]), per_turn=params["candidates"],
                            max_turns=params["max_turns"], messages=messages, given=given,
                            opens_shared=bool(messages) and messages[-1]["role"] == "user")

    def worker_data(self, params: dict[str, Any], data: Any) -> Any:
        return {k: v for k, v in data.items() if k != "candidates"}

    def worker_result(self, params: dict[str, Any], answer: Any) -> Any:
        """The result with its model names replaced by letters (``"model A"``, in order of
        first appearance): a reviewer sees the order, never which models gave it."""
        if not isinstance(answer, dict):
            return answer
        letters: dict[str, str] = {}

        def hide(name: str) -> str:
            return letters.setdefault(name, f"model {chr(ord('A') + len(letters) % 26)}")

        turns = []
        for turn in answer.get("turns", []):
            order = [hide(n) for n in turn.get("order", [])]
            scores = {hide(n): s for n, s in (turn.get("scores") or {}).items()}
            turns.append({**turn, "order": order, "scores": scores})
        return {**answer, "turns": turns}

    def validate_choice(self, params: dict[str, Any], candidates: Sequence[str],
                        choice: Any) -> dict[str, Any]:
        if not isinstance(choice, dict):
            raise KindValidationError([FieldError("ranking", "is required")])
        turn = parse(Turn, {**choice, "candidates": list(candidates)}, "")
        raw = turn.model_dump(exclude_unset=True)
        bad = choice_errors(params, raw)
        if bad:
            exc = field_errors(bad)
            raise KindValidationError([FieldError(path("", e["loc"]).lstrip("."), e["msg"])
                                       for e in exc.errors()])
        out = _normalized_turns(params, [raw])[0]
        out.pop("candidates")
        return out

    def chosen_reply(self, choice: Mapping[str, Any], contents: Mapping[str, str]) -> str:
        if choice.get("ideal"):
            return str(choice["ideal"])
        return contents[_best(choice, list(contents))]

    def fix_offered(self, params: dict[str, Any], answers: Sequence[Mapping[str, Any]],
                    fix: Any) -> Sequence[OfferedTurn] | None:
        """A review fix corrects one worker's conversation: its turns are that answer's
        turns (candidates and user turns), the one whose candidates it names (else the
        first answer's, and the fix is refused naming what differs)."""
        paths = [tuple(OfferedTurn(candidates=tuple(t["candidates"]), prompt=t.get("prompt"))
                       for t in a.get("turns") or []) for a in answers]
        if not paths:
            return ()
        turns = fix.get("turns") if isinstance(fix, Mapping) else None
        named = [set(t.get("candidates") or []) for t in turns or [] if isinstance(t, Mapping)]
        for conversation in paths:
            if [set(t.candidates) for t in conversation] == named:
                return conversation
        return paths[0]

    def resolve_answer(self, params: dict[str, Any], answer: dict[str, Any],
                       sources: Mapping[str, Any]) -> dict[str, Any]:
        names = {c: s["model"] for c, s in sources.items()}
        shared = [bool(t["candidates"]) and all(
            sources.get(c, {}).get("shared") for c in t["candidates"]) for t in answer["turns"]]
        return {**answer, "sources": names, "shared": shared}

    # -- results ---------------------------------------------------------------------------

    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        from assay.algorithms.rankings import bradley_terry_rankings, positions_from_groups

        groups: dict[tuple[str, ...], list[tuple[dict[str, Any], dict[str, str]]]] = {}
        for answer in answers:
            for turn, shared in zip(answer["turns"], answer.get("shared", []), strict=False):
                if shared:
                    groups.setdefault(tuple(turn["candidates"]), []).append(
                        (turn, answer.get("sources", {})))
        if not groups:
            return NO_AGGREGATE
        turns, confidences = [], []
        for items, given in groups.items():
            names = {c: n for _, sources in given for c, n in sources.items()}
            rankings = [positions_from_groups(t["ranking"], items) for t, _ in given
                        if t.get("ranking")]
            if rankings:
                fit = bradley_terry_rankings(rankings)
                order = [items[i] for i in fit.order]
                confidences.append(fit.confidence)
            else:
                order = sorted(items)
            turns.append({"order": [names.get(c, c) for c in order],
                          "scores": self._mean_scores(params, [t for t, _ in given], names),
                          "ideal": self._ideal([t for t, _ in given])})
        confidence = min(confidences) if confidences else None
        return Aggregate({"turns": turns}, confidence, METHOD)

    @staticmethod
    def _mean_scores(params: dict[str, Any], turns: list[dict[str, Any]],
                     names: Mapping[str, str]) -> dict[str, dict[str, float]]:
        sums: dict[str, dict[str, list[float]]] = {}
        for turn in turns:
            for cand, scores in (turn.get("scores") or {}).items():
                model = sums.setdefault(names.get(cand, cand), {})
                for criterion, value in scores.items():
                    model.setdefault(criterion, []).append(float(value))
        return {m: {k: round(sum(v) / len(v), 6) for k, v in by.items()}
                for m, by in sorted(sums.items())}

    @staticmethod
    def _ideal(turns: list[dict[str, Any]]) -> str | None:
        from assay.algorithms.text import aggregate_texts

        written = [t["ideal"] for t in turns if t.get("ideal")]
        if not written:
            return None
        return aggregate_texts(written).text

    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        from assay.algorithms.rankings import kendall_tau_b, positions_from_groups

        names: Mapping[str, str] = answer.get("sources") or {}
        want_turns = expected.get("turns") or []
        got_turns = answer.get("turns") or []
        if not want_turns:
            return Match(1.0, True)
        rubric = {c["id"]: c for c in params.get("rubric") or []}
        credit, right = 0.0, True
        for i, want in enumerate(want_turns):
            got = got_turns[i] if i < len(got_turns) else {}
            got_ranking = [[names.get(c, c) for c in group] for group in got.get("ranking") or []]
            want_ranking = want.get("ranking") or [[m] for m in want.get("order") or []]
            if want_ranking:
                items = sorted({m for g in want_ranking for m in g})
                tau = kendall_tau_b(positions_from_groups(want_ranking, items),
                                    positions_from_groups(got_ranking, items))
                if math.isnan(tau):
                    tau = 1.0 if positions_from_groups(want_ranking, items).tolist() == \
                        positions_from_groups(got_ranking, items).tolist() else 0.0
                credit += (tau + 1) / 2
                right = right and tau >= policy.tau - 1e-9
            else:
                credit += 1.0
            got_scores = {names.get(c, c): s for c, s in (got.get("scores") or {}).items()}
            for model, scores in (want.get("scores") or {}).items():
                for criterion, value in scores.items():
                    given = got_scores.get(model, {}).get(criterion)
                    limit = _tolerance(rubric.get(criterion, {}), policy)
                    if given is None or math.floor(abs(given - value)) > limit:
                        right = False
        return Match(credit / len(want_turns), right)
