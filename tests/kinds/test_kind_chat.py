"""``chat``: params, data and answers named field by field; the offered-candidates rule;
the Bradley-Terry result of shared turns; gold by Kendall's tau and rubric tolerance."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assay.kinds import KindValidationError, MatchPolicy, get_kind
from assay.kinds.base import OfferedTurn

KIND = get_kind("chat")
RUBRIC = [{"id": "helpful", "weight": 2}, {"id": "safe", "min": 0, "max": 10}]
DATA = {"messages": [{"role": "user", "content": "hi"}]}


def _fields(fn: Any, *args: Any) -> list[str]:
    with pytest.raises(KindValidationError) as exc:
        fn(*args)
    return [e.field for e in exc.value.errors]


def test_params_defaults_and_bad_fields() -> None:
    assert KIND.validate_params(None) == {
        "models": [], "candidates": 2, "max_turns": 1, "ranking": True, "rubric": [],
        "write": "optional"}
    params = KIND.validate_params({"rubric": RUBRIC})
    assert params["rubric"][1] == {"id": "safe", "description": "", "weight": 1, "min": 0,
                                   "max": 10}
    assert _fields(KIND.validate_params, {"candidates": 0}) == ["params.candidates"]
    assert _fields(KIND.validate_params, {"max_turns": 51}) == ["params.max_turns"]
    assert _fields(KIND.validate_params, {"models": [f"m{i}" for i in range(9)]}) == [
        "params.models"]
    assert _fields(KIND.validate_params, {"write": "sometimes"}) == ["params.write"]
    assert _fields(KIND.validate_params, {"rubric": [{"id": "a", "min": 3, "max": 3},
                                                     {"id": "a"}]}) == [
        "params.rubric[0].max", "params.rubric[1].id"]


def test_data_holds_messages_and_given_candidates_answer_a_user_turn() -> None:
    params = KIND.validate_params(None)
    KIND.validate_data(params, {"messages": [], "source": "kept"})
    assert _fields(KIND.validate_data, params, {"messages": [{"role": "bot",
                                                              "content": "x"}]}) == [
        "data.messages[0].role"]
    given = [{"model": "m", "content": "reply"}]
    assert _fields(KIND.validate_data, params, {
        "messages": [{"role": "system", "content": "x"}], "candidates": given}) == [
        "data.candidates"]
    assert _fields(KIND.validate_data, params, {**DATA, "candidates": [
        {"model": "m", "content": " "}]}) == ["data.candidates[0].content"]
    assert KIND.worker_data(params, {**DATA, "candidates": given, "x": 1}) == {**DATA, "x": 1}


def test_answers_are_normalized_and_never_mutated() -> None:
    params = KIND.validate_params({"rubric": RUBRIC})
    scores = {"c2": {"safe": 9, "helpful": 3}, "c1": {"helpful": 5, "safe": 10}}
    answer = {"turns": [{"ideal": "Hi!", "ranking": [["c1"], ["c3", "c2"]],
                         "candidates": ["c3", "c2", "c1"],
                         "scores": {**scores, "c3": {"helpful": 1, "safe": 0}}}]}
    before = copy.deepcopy(answer)
    clean = KIND.validate_answer(params, DATA, answer)
    assert answer == before
    assert clean == {"turns": [{
        "candidates": ["c1", "c2", "c3"], "ranking": [["c1"], ["c2", "c3"]],
        "scores": {"c1": {"helpful": 5, "safe": 10}, "c2": {"helpful": 3, "safe": 9},
                   "c3": {"helpful": 1, "safe": 0}}, "ideal": "Hi!"}]}
    assert list(clean["turns"][0]) == ["candidates", "ranking", "scores", "ideal"]
    assert KIND.validate_answer(params, DATA, clean) == clean


@pytest.mark.parametrize(("params", "turn", "fields"), [
    ({}, {"candidates": ["a", "b"], "ranking": [["a"]]}, ["answer.turns[0].ranking"]),
    ({}, {"candidates": ["a", "b"], "ranking": [["a", "z"], ["b"]]},
     ["answer.turns[0].ranking[0][1]"]),
    ({}, {"candidates": ["a", "b"], "ranking": [["a"], [], ["b"]]},
     ["answer.turns[0].ranking[1]"]),
    ({}, {"candidates": ["a", "b"], "ranking": [["a", "b"], ["b"]]},
     ["answer.turns[0].ranking[1][0]"]),
    ({}, {"candidates": ["a"]}, ["answer.turns[0].ranking"]),
    ({"write": "always"}, {"candidates": ["a"], "ranking": [["a"]]},
     ["answer.turns[0].ideal"]),
    ({"write": "never"}, {"candidates": ["a"], "ranking": [["a"]], "ideal": "x"},
     ["answer.turns[0].ideal"]),
    ({}, {"candidates": ["a"], "ranking": [["a"]], "scores": {"a": {"x": 1}}},
     ["answer.turns[0].scores"]),
    ({"rubric": RUBRIC}, {"candidates": ["a"], "ranking": [["a"]],
                          "scores": {"a": {"helpful": 6, "safe": 0}}},
     ["answer.turns[0].scores.a.helpful"]),
    ({}, {"candidates": ["a", "a"], "ranking": [["a"]]}, ["answer.turns[0].candidates[1]"]),
])
def test_each_bad_turn_is_named(params: dict[str, Any], turn: dict[str, Any],
                                fields: list[str]) -> None:
    normalized = KIND.validate_params(params)
    assert _fields(KIND.validate_answer, normalized, DATA, {"turns": [turn]}) == fields


def test_more_turns_than_max_turns_are_refused() -> None:
    params = KIND.validate_params(None)
    turn = {"candidates": ["a"], "ranking": [["a"]]}
    assert _fields(KIND.validate_answer, params, DATA, {"turns": [turn, turn]}) == [
        "answer.turns"]
    assert _fields(KIND.validate_answer, params, DATA, {"turns": []}) == ["answer.turns"]


def test_an_assignment_answer_ranks_only_what_it_was_offered() -> None:
    params = KIND.validate_params({"max_turns": 2})
    offered = [OfferedTurn(("a", "b"), None, {"ranking": [["b"], ["a"]]}),
               OfferedTurn(("c", "d"), "next?")]
    good = {"turns": [{"candidates": ["a", "b"], "ranking": [["b"], ["a"]]},
                      {"prompt": "next?", "candidates": ["c", "d"], "ranking": [["c", "d"]]}]}
    assert KIND.validate_answer(params, DATA, good, offered)["turns"][1]["prompt"] == "next?"
    forged = copy.deepcopy(good)
    forged["turns"][1]["candidates"] = ["c", "x"]
    forged["turns"][1]["ranking"] = [["c", "x"]]
    assert _fields(KIND.validate_answer, params, DATA, forged, offered) == [
        "answer.turns[1].candidates[1]"]
    changed = copy.deepcopy(good)
    changed["turns"][0]["ranking"] = [["a"], ["b"]]
    changed["turns"][1]["prompt"] = "other"
    assert _fields(KIND.validate_answer, params, DATA, changed, offered) == [
        "answer.turns[0].ranking", "answer.turns[1].prompt"]
    assert _fields(KIND.validate_answer, params, DATA, {"turns": good["turns"][:1]},
                   offered) == ["answer.turns"]


def test_choice_before_the_next_turn_and_the_reply_it_continues_from() -> None:
    params = KIND.validate_params(None)
    choice = KIND.validate_choice(params, ["a", "b", "c"], {"ranking": [["c", "b"], ["a"]]})
    assert choice == {"ranking": [["b", "c"], ["a"]]}
    contents = {"a": "A", "b": "B", "c": "C"}
    assert KIND.chosen_reply(choice, contents) == "B"  # first of the best group, by id
    assert KIND.chosen_reply({**choice, "ideal": "mine"}, contents) == "mine"
    with pytest.raises(KindValidationError) as exc:
        KIND.validate_choice(params, ["a", "b"], {"ranking": [["a"]]})
    assert [e.field for e in exc.value.errors] == ["ranking"]


def _resolved(answers: list[dict[str, Any]], names: dict[str, str],
              shared: bool = True) -> list[dict[str, Any]]:
    params = KIND.validate_params({"rubric": RUBRIC})
    sources = {c: {"model": n, "shared": shared} for c, n in names.items()}
    return [KIND.resolve_answer(params, a, sources) for a in answers]


def test_shared_turns_aggregate_by_bradley_terry_with_mean_scores_and_medoid_ideal() -> None:
    params = KIND.validate_params({"rubric": RUBRIC})
    names = {"c1": "llama", "c2": "qwen"}

    def answer(first: str, helpful: int, ideal: str) -> dict[str, Any]:
        other = "c2" if first == "c1" else "c1"
        return {"turns": [{"candidates": ["c1", "c2"], "ranking": [[first], [other]],
                           "scores": {"c1": {"helpful": helpful, "safe": 10},
                                      "c2": {"helpful": 2, "safe": 8}}, "ideal": ideal}]}

    answers = [answer("c2", 4, "Hello there."), answer("c2", 5, "Hello there!"),
               answer("c1", 3, "Go away.")]
    result = KIND.aggregate(params, _resolved(answers, names))
    assert result.method == "bradley_terry"
    # Two of three put qwen first: 2.5 wins of 4 games with the prior's tie.
    assert result.confidence == pytest.approx(0.625)
    assert result.answer == {"turns": [{
        "order": ["qwen", "llama"],
        "scores": {"llama": {"helpful": 4.0, "safe": 10.0}, "qwen": {"helpful": 2.0,
                                                                     "safe": 8.0}},
        "ideal": "Hello there."}]}
    # Turns that are one worker's own are not aggregated.
    assert KIND.aggregate(params, _resolved(answers, names, shared=False)).method == "none"
    assert KIND.aggregate(params, []).answer is None


def test_gold_matches_by_tau_and_rubric_tolerance() -> None:
    params = KIND.validate_params({"rubric": RUBRIC})
    names = {"c1": "a", "c2": "b", "c3": "c"}
    expected = {"turns": [{"candidates": ["a", "b", "c"], "ranking": [["a"], ["b"], ["c"]],
                           "scores": {"a": {"safe": 8}}}]}

    def got(ranking: list[list[str]], safe: int) -> dict[str, Any]:
        scores = {c: {"helpful": 3, "safe": safe} for c in names}
        return _resolved([{"turns": [{"candidates": list(names), "ranking": ranking,
                                      "scores": scores}]}], names)[0]

    same = KIND.match(params, expected, got([["c1"], ["c2"], ["c3"]], 8))
    assert same.right and same.score == 1.0
    tied = KIND.match(params, expected, got([["c1"], ["c2", "c3"]], 8))  # tau-b 0.816
    assert tied.right and tied.score == pytest.approx((2 / 6 ** 0.5 + 1) / 2)
    swapped = KIND.match(params, expected, got([["c2"], ["c1"], ["c3"]], 8))  # tau 1/3
    assert not swapped.right
    assert KIND.match(params, expected, got([["c2"], ["c1"], ["c3"]], 8),
                      MatchPolicy(tau=0.3)).right
    # The scale 0-10 allows 1 point by default; 2 points off is wrong.
    assert KIND.match(params, expected, got([["c1"], ["c2"], ["c3"]], 9)).right
    assert not KIND.match(params, expected, got([["c1"], ["c2"], ["c3"]], 6)).right
