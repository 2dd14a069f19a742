"""The post-training compiler on hand-built results: every format's rows, written out in
full, for a two-turn conversation (a turn three workers shared, ranked with a tie, then one
worker's own turn with a rewrite), and the rules one by one: ties, partial rankings,
rankings saved as entered, a rewrite beating every candidate, the confidence bar, compare
and rate tasks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from assay.exports.judged import (
    IDEAL,
    JudgedTurn,
    Judgment,
    groups_from_entered,
    judge,
)
from assay.exports.posttraining import FORMAT_NAMES, compile_rows, judged_turns

SYSTEM = {"role": "system", "content": "Be brief."}
QUESTION = {"role": "user", "content": "Capital of France?"}
RUBRIC = [{"id": "correct", "weight": 2, "min": 1, "max": 5},
          {"id": "style", "weight": 1, "min": 1, "max": 5}]
PARAMS = {"models": [], "candidates": 3, "max_turns": 2, "ranking": True, "rubric": RUBRIC,
          "write": "optional"}
TURN1 = [SYSTEM, QUESTION, {"role": "assistant", "content": "Paris."},
         {"role": "user", "content": "And of Italy?"}]
SOURCES = {
    "cnd_a": {"content": "Paris.", "messages": [SYSTEM, QUESTION]},
    "cnd_b": {"content": "It is Paris, on the Seine.", "messages": [SYSTEM, QUESTION]},
    "cnd_c": {"content": "Lyon.", "messages": [SYSTEM, QUESTION]},
    "cnd_d": {"content": "Rome is the capital of Italy.", "messages": TURN1},
    "cnd_e": {"content": "Milan.", "messages": TURN1},
}
SHARED = ["cnd_a", "cnd_b", "cnd_c"]


def _task(*answers: dict[str, Any], status: str = "completed") -> dict[str, Any]:
    return {"id": "tsk_1", "status": status, "data": {"messages": [SYSTEM, QUESTION]},
            "responses": [{"worker_id": f"wrk_{i}", "answer": a} for i, a in enumerate(answers)]}


# Worker 0 ranks a > b > c, scores them, and goes on to a turn of their own (prompt "And of
# Italy?"), where they rank d > e and write the reply it should have given.
# Worker 1 ties a and b above c; worker 2 ranks a > c > b. Both stop after the first turn.
CONVERSATION = _task(
    {"turns": [
        {"candidates": SHARED, "ranking": [["cnd_a"], ["cnd_b"], ["cnd_c"]],
         "scores": {"cnd_a": {"correct": 5, "style": 5}, "cnd_b": {"correct": 5, "style": 3},
                    "cnd_c": {"correct": 1, "style": 4}}},
        {"prompt": "And of Italy?", "candidates": ["cnd_d", "cnd_e"],
         "ranking": [["cnd_d"], ["cnd_e"]], "ideal": "Rome."}]},
    {"turns": [{"candidates": SHARED, "ranking": [["cnd_a", "cnd_b"], ["cnd_c"]]}]},
    {"turns": [{"candidates": SHARED, "ranking": [["cnd_a"], ["cnd_c"], ["cnd_b"]]}]},
)


def _rows(fmt: str, *tasks: dict[str, Any], min_share: float = 0.0,
          kind: str = "chat", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    turns = judged_turns(kind, PARAMS if params is None else params, tasks,
                         lambda batch: SOURCES)
    return list(compile_rows(fmt, turns, min_share))


def _say(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


PARIS, SEINE, LYON = "Paris.", "It is Paris, on the Seine.", "Lyon."
ROME, ROME_LONG, MILAN = "Rome.", "Rome is the capital of Italy.", "Milan."
PROMPT0 = [SYSTEM, QUESTION]


def test_sft_has_each_conversation_that_ended_with_its_best_reply() -> None:
    assert _rows("sft", CONVERSATION) == [
        # The shared turn, where workers 1 and 2 stopped: a beats b and c by the workers'
        # votes (a is never ranked below anything).
        {"messages": [*PROMPT0, *_say(PARIS)]},
        # Worker 0's own second turn: the written ideal, after worker 0's own first choice.
        {"messages": [*TURN1, *_say(ROME)]},
    ]


def test_openai_weighs_the_replies_people_chose() -> None:
    rows = _rows("openai", CONVERSATION)
    assert rows[1]["messages"] == [
        SYSTEM, QUESTION, {"role": "assistant", "content": PARIS, "weight": 1},
        {"role": "user", "content": "And of Italy?"},
        {"role": "assistant", "content": ROME, "weight": 1}]
    # An assistant message that came with the task data is not trained on.
    given = {"id": "t", "status": "completed",
             "data": {"messages": [QUESTION, {"role": "assistant", "content": "Lille."},
                                   {"role": "user", "content": "No, the capital."}]},
             "responses": [{"answer": {"turns": [
                 {"candidates": ["cnd_x", "cnd_y"], "ranking": [["cnd_y"], ["cnd_x"]]}]}}]}
    asked = [QUESTION, {"role": "assistant", "content": "Lille."},
             {"role": "user", "content": "No, the capital."}]
    SOURCES.update({"cnd_x": {"content": "Lille.", "messages": asked},
                    "cnd_y": {"content": "Paris.", "messages": asked}})
    try:
        (row,) = _rows("openai", given)
    finally:
        del SOURCES["cnd_x"], SOURCES["cnd_y"]
    assert [m.get("weight") for m in row["messages"]] == [None, 0, None, 1]
    assert row["messages"][-1]["content"] == "Paris."


def test_dpo_has_every_ordered_pair_the_votes_support_and_the_rewrite() -> None:
    assert _rows("dpo", CONVERSATION) == [
        # a over b: 1 + ½ (worker 1's tie) + 1 of 3; a over c: 3 of 3; b over c: 2 of 3.
        # Scores: worker 0's weighted rubric means (correct counts twice).
        {"prompt": PROMPT0, "chosen": _say(PARIS), "rejected": _say(SEINE),
         "score_chosen": 5.0, "score_rejected": pytest.approx(13 / 3)},
        {"prompt": PROMPT0, "chosen": _say(PARIS), "rejected": _say(LYON),
         "score_chosen": 5.0, "score_rejected": 2.0},
        {"prompt": PROMPT0, "chosen": _say(SEINE), "rejected": _say(LYON),
         "score_chosen": pytest.approx(13 / 3), "score_rejected": 2.0},
        # Worker 0's own turn: the written ideal beats both candidates, then d over e;
        # unscored, so no score fields.
        {"prompt": TURN1, "chosen": _say(ROME), "rejected": _say(ROME_LONG)},
        {"prompt": TURN1, "chosen": _say(ROME), "rejected": _say(MILAN)},
        {"prompt": TURN1, "chosen": _say(ROME_LONG), "rejected": _say(MILAN)},
    ]


def test_openai_dpo_is_the_same_pairs_in_openai_shape() -> None:
    rows = _rows("openai_dpo", CONVERSATION)
    assert rows[0] == {"input": {"messages": PROMPT0}, "preferred_output": _say(PARIS),
                       "non_preferred_output": _say(SEINE)}
    assert [(r["preferred_output"][0]["content"], r["non_preferred_output"][0]["content"])
            for r in rows] == [(PARIS, SEINE), (PARIS, LYON), (SEINE, LYON), (ROME, ROME_LONG),
                               (ROME, MILAN), (ROME_LONG, MILAN)]


def test_reward_pairs_carry_the_fitted_log_odds_or_the_mean_rank_gap_as_margin() -> None:
    rows = _rows("reward", CONVERSATION)
    # The shared turn, ranked by three workers, follows the Bradley-Terry fit of their
    # rankings: a over b 0.768, a over c 0.857, b over c 0.643, margins their log-odds.
    # Worker 0's own turn has one ranking: the ideal sits one place above the best group
    # (d is 1 below it, e 2) and d is one group above e.
    assert [r["margin"] for r in rows] == [1.198642, 1.788285, 0.589643, 1.0, 2.0, 1.0]
    assert set(rows[0]) == {"prompt", "chosen", "rejected", "margin"}


def test_kto_labels_the_replies_that_only_win_or_only_lose() -> None:
    assert _rows("kto", CONVERSATION) == [
        {"prompt": PROMPT0, "completion": _say(PARIS), "label": True},
        {"prompt": PROMPT0, "completion": _say(LYON), "label": False},
        {"prompt": TURN1, "completion": _say(ROME), "label": True},
        {"prompt": TURN1, "completion": _say(ROME_LONG), "label": True},
        {"prompt": TURN1, "completion": _say(MILAN), "label": False},
    ]


def test_pairs_below_the_confidence_bar_are_left_out() -> None:
    pairs = [(r["chosen"][0]["content"], r["rejected"][0]["content"])
             for r in _rows("dpo", CONVERSATION, min_share=0.8)]
    # The fit gives a over c 0.857, a over b 0.768, b over c 0.643; the single-worker
    # pairs have all of their one vote.
    assert pairs == [(PARIS, LYON), (ROME, ROME_LONG), (ROME, MILAN), (ROME_LONG, MILAN)]
    assert (PARIS, SEINE) in [(r["chosen"][0]["content"], r["rejected"][0]["content"])
                              for r in _rows("dpo", CONVERSATION, min_share=0.75)]
    # Without its pairs b neither only wins nor only loses: kto leaves it out.
    kto = _rows("kto", CONVERSATION, min_share=0.8)
    assert {r["completion"][0]["content"] for r in kto if not r["label"]} == {LYON, MILAN}
    assert SEINE not in {r["completion"][0]["content"] for r in kto}


def test_unfinished_tasks_give_nothing() -> None:
    for fmt in FORMAT_NAMES:
        assert _rows(fmt, {**CONVERSATION, "status": "pending"}) == []


def _turn(*judgments: Judgment, candidates: str = "abc") -> JudgedTurn:
    return JudgedTurn(prompt=({"role": "user", "content": "q"},),
                      candidates={c: f"reply {c}" for c in candidates}, judgments=judgments)


def test_a_tie_makes_no_pair() -> None:
    verdict = judge(_turn(Judgment(ranking=(("a",), ("b", "c")))))
    assert [(p.chosen, p.rejected) for p in verdict.pairs] == [("a", "b"), ("a", "c")]
    # Two workers who disagree on b and c make a tie of them as well.
    split = judge(_turn(Judgment(ranking=(("b",), ("c",))), Judgment(ranking=(("c",), ("b",)))))
    assert split.pairs == () and split.desirable == () and split.undesirable == ()


def test_a_partial_ranking_says_nothing_of_the_unranked() -> None:
    verdict = judge(_turn(Judgment(ranking=(("b",), ("a",)))))
    assert [(p.chosen, p.rejected) for p in verdict.pairs] == [("b", "a")]
    assert verdict.best == "b" and verdict.desirable == ("b",)
    assert verdict.undesirable == ("a",)


def test_a_ranking_is_read_as_it_was_entered() -> None:
    candidates = ["a", "b", "c", "d"]
    as_groups = groups_from_entered([["c"], ["a", "d"], ["b"]], candidates)
    assert as_groups == (("c",), ("a", "d"), ("b",))
    # Ranks by id (Label Studio, spreadsheets), with a gap; rank records (Argilla); a flat
    # order with a tie in it.
    assert groups_from_entered({"a": 2, "b": 7, "c": 1, "d": 2}, candidates) == as_groups
    assert groups_from_entered([{"value": "b", "rank": 3}, {"value": "c", "rank": 1},
                                {"value": "a", "rank": 2}, {"value": "d", "rank": 2}],
                               candidates) == as_groups
    assert groups_from_entered(["c", ["a", "d"], "b"], candidates) == as_groups
    # Partial: what is left out stays out.
    assert groups_from_entered({"d": 1}, candidates) == (("d",),)
    with pytest.raises(ValueError, match="'z', which is not a candidate"):
        groups_from_entered(["z"], candidates)
    with pytest.raises(ValueError, match="'a' twice"):
        groups_from_entered(["a", ["b", "a"]], candidates)
    verdict = judge(_turn(Judgment(ranking=as_groups), candidates="abcd"))
    assert [(p.chosen, p.rejected) for p in verdict.pairs] == [
        ("a", "b"), ("c", "a"), ("c", "b"), ("d", "b"), ("c", "d")]


def test_a_rewrite_beats_every_candidate_unless_it_is_one_of_them() -> None:
    verdict = judge(_turn(Judgment(ranking=(("a",), ("b",), ("c",)), ideal="better")))
    assert verdict.best == IDEAL and verdict.content(IDEAL) == "better"
    assert [(p.chosen, p.rejected, p.margin) for p in verdict.pairs[:3]] == [
        (IDEAL, "a", 1.0), (IDEAL, "b", 2.0), (IDEAL, "c", 3.0)]
    assert verdict.desirable[0] == IDEAL
    # A reply kept word for word is no rewrite.
    same = judge(_turn(Judgment(ranking=(("b",), ("a", "c")), ideal=" reply b ")))
    assert same.ideal is None and same.best == "b"
    # Several written ideals: the medoid.
    many = judge(_turn(Judgment(ideal="Paris is it."), Judgment(ideal="Paris it is."),
                       Judgment(ideal="Paris is it!"), candidates="ab"))
    assert many.ideal == "Paris is it."


COMPARE = {"id": "t", "status": "completed",
           "data": {"prompt": "Explain DNS.", "a": "DNS maps names to addresses.",
                    "b": {"text": "It is a phone book.", "model": "m2"}},
           "responses": [{"answer": {"choice": "b", "strength": 3}},
                         {"answer": {"choice": "b", "strength": 1}},
                         {"answer": {"choice": "tie"}}]}


def test_compare_tasks_give_pairs_with_strength_as_margin() -> None:
    (row,) = _rows("reward", COMPARE, kind="compare", params={})
    assert row == {"prompt": [{"role": "user", "content": "Explain DNS."}],
                   "chosen": _say("It is a phone book."),
                   "rejected": _say("DNS maps names to addresses."),
                   "margin": pytest.approx(4 / 3)}
    (sft,) = _rows("sft", COMPARE, kind="compare", params={})
    assert sft["messages"][-1]["content"] == "It is a phone book."
    assert _rows("dpo", COMPARE, kind="compare", params={}, min_share=0.9) == []
    # "both_bad" is a tie, as in the leaderboard: b's share goes from 2.5 of 3 to 3 of 4.
    both_bad = {**COMPARE, "responses": [*COMPARE["responses"],
                                         {"answer": {"choice": "both_bad"}}]}
    assert _rows("dpo", both_bad, kind="compare", params={}, min_share=0.8) == []
    assert len(_rows("dpo", both_bad, kind="compare", params={}, min_share=0.75)) == 1
    assert len(_rows("dpo", COMPARE, kind="compare", params={}, min_share=0.8)) == 1


def test_rate_tasks_give_kto_labels_and_sft_for_good_replies() -> None:
    params = {"min": 1, "max": 5, "criteria": []}

    def rated(*ratings: int) -> dict[str, Any]:
        return {"id": "t", "status": "completed",
                "data": {"prompt": "Say hi.", "completion": "Hello."},
                "responses": [{"answer": {"rating": r}} for r in ratings]}

    assert _rows("kto", rated(5, 4), kind="rate", params=params) == [
        {"prompt": [{"role": "user", "content": "Say hi."}], "completion": _say("Hello."),
         "label": True}]
    assert _rows("kto", rated(1, 2), kind="rate", params=params)[0]["label"] is False
    assert _rows("kto", rated(1, 5), kind="rate", params=params) == []
    assert len(_rows("sft", rated(4), kind="rate", params=params)) == 1
    assert _rows("sft", rated(2), kind="rate", params=params) == []
    assert _rows("dpo", rated(5), kind="rate", params=params) == []
    # Without a prompt and a reply in the data, a rate task gives nothing.
    assert _rows("kto", {**rated(5), "data": {"text": "x"}}, kind="rate", params=params) == []


def test_other_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="categorize tasks give no post-training rows"):
        list(judged_turns("categorize", {}, [CONVERSATION]))


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    from assay.exports import judged, sources

    for module in (judged, sources):
        assert doctest.testmod(module).failed == 0


def _fitted(*rankings: list[list[str]]) -> dict[str, Any]:
    """Four workers who disagree about one shared turn of a, b, c."""
    return _task(*({"turns": [{"candidates": SHARED, "ranking": r}]} for r in rankings))


def test_pairs_of_a_shared_turn_follow_the_tasks_own_fit() -> None:
    from assay.kinds import get_kind

    a, b, c = SHARED
    # Every pair is split 3 to 1, yet the fit tells them apart: a, who beats both, is
    # further above c than above b.
    task = _fitted([[a], [b], [c]], [[b], [a], [c]], [[c], [a], [b]], [[a], [b], [c]])
    chat = get_kind("chat")
    result = chat.aggregate(PARAMS, [
        {**r["answer"], "sources": {x: x for x in SHARED}, "shared": [True]}
        for r in task["responses"]])
    (turn,) = result.answer["turns"]
    confidence = result.confidence
    assert confidence is not None and 0.5 < confidence < 1
    rows = _rows("reward", task)
    pairs = {(r["chosen"][0]["content"], r["rejected"][0]["content"]): r["margin"]
             for r in rows}
    text = {x: SOURCES[x]["content"] for x in SHARED}
    first, second, third = (text[x] for x in turn["order"])
    # The export orders every pair as the result orders its replies, and the result's first
    # over its second by the result's confidence (as log-odds).
    assert set(pairs) == {(first, second), (first, third), (second, third)}
    assert pairs[(first, second)] == round(math.log(confidence / (1 - confidence)), 6)
    assert pairs[(first, third)] > pairs[(first, second)]
    # A pair whose fitted probability is below the bar is left out, one above it kept.
    kept = {(r["chosen"][0]["content"], r["rejected"][0]["content"])
            for r in _rows("dpo", task, min_share=confidence + 1e-6)}
    assert (first, second) not in kept and (first, third) in kept
    assert (first, second) in {(r["chosen"][0]["content"], r["rejected"][0]["content"])
                               for r in _rows("dpo", task, min_share=confidence - 1e-6)}


def test_one_workers_ranking_keeps_its_votes() -> None:
    a, b, c = SHARED
    rows = _rows("reward", _fitted([[a], [b, c]]))
    assert [(r["chosen"][0]["content"], r["rejected"][0]["content"], r["margin"])
            for r in rows] == [(PARIS, SEINE, 1.0), (PARIS, LYON, 1.0)]
