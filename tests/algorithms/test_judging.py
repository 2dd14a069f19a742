"""The LLM judge's pure parts: verdicts, swaps, biases, agreement with its intervals."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import InvalidParameterError, LengthMismatchError, cohen_kappa
from assay.algorithms.judging import (
    agreement,
    judge_messages,
    longer_reply_wins,
    parse_verdict,
    position_flips,
    reconcile,
    self_preference,
)


def test_the_prompt_shows_both_replies_the_rubric_and_the_reference() -> None:
    messages = judge_messages("2+2?", "four", "5", rubric="Be strict.", reference="4")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Be strict." in messages[0]["content"] and "[[BOTH_BAD]]" in messages[0]["content"]
    user = messages[1]["content"]
    assert user.index("2+2?") < user.index("[Reference answer]\n4") < user.index(
        "[Reply A]\nfour") < user.index("[Reply B]\n5")
    assert "Reference" not in judge_messages("p", "x", "y")[1]["content"]


@pytest.mark.parametrize(("text", "verdict"), [
    ("Reply A is accurate. [[A]]", "a"),
    ("[[A]] on reflection [[ b ]]", "b"),
    ("equal [[TIE]]", "tie"),
    ("[[both_bad]]", "both_bad"),
    ("I prefer A", None),
    ("[[C]]", None),
])
def test_the_last_verdict_tag_counts(text: str, verdict: str | None) -> None:
    assert parse_verdict(text) == verdict


def test_swapped_orders_agree_or_make_a_tie() -> None:
    assert reconcile("b", "a") == ("b", False)
    assert reconcile("tie", "tie") == ("tie", False)
    assert reconcile("both_bad", "both_bad") == ("both_bad", False)
    assert reconcile("a", "a") == ("tie", True)  # it preferred the first position both times
    assert reconcile("a", "tie") == ("tie", True)
    assert reconcile("a", None) == ("a", False)
    assert reconcile(None, None) == (None, False)


def test_position_flips_count_only_battles_judged_twice() -> None:
    # Told from the original sides the second judgments are a, b, b, tie: one flip in four.
    assert position_flips(["a", "a", "b", "tie"], ["b", "a", "a", "tie"]) == 0.25
    assert position_flips([None], ["a"]) is None


def test_length_and_self_preference() -> None:
    rate, n = longer_reply_wins(["a", "a", "b", "b", "tie"], [10, 1, 1, 5, 9], [1, 10, 10, 5, 1])
    assert (rate, n) == (pytest.approx(2 / 3), 3)
    assert longer_reply_wins(["tie"], [1], [2]) == (None, 0)
    with pytest.raises(LengthMismatchError):
        longer_reply_wins(["a"], [1, 2], [1])
    found = self_preference(["a", "a", "b", "b"], ["a", "b", "b", None], ["a", "a", "b", None])
    assert (found.battles, found.judge_win_rate, found.human_win_rate) == (3, 1.0, 2 / 3)
    assert self_preference(["a"], ["b"], [None]).judge_win_rate is None


def test_agreement_matches_cohen_and_wilson_by_hand() -> None:
    judge = ["a"] * 6 + ["b"] * 3 + ["tie"]
    human = ["a"] * 5 + ["b"] * 4 + ["both_bad"]
    found = agreement(judge, human, rounds=500, rng=np.random.default_rng(1))
    codes = {"a": 0, "b": 1, "tie": 2, "both_bad": 2}
    expected = cohen_kappa(np.array([codes[v] for v in judge]),
                           np.array([codes[v] for v in human]), 3)
    assert found.battles == 10 and found.accuracy == 0.9
    assert found.kappa == pytest.approx(expected)
    # Wilson score interval for 9 of 10 at 95%: (0.5958, 0.9821).
    assert found.accuracy_ci == pytest.approx((0.5958, 0.9821), abs=1e-4)
    assert found.kappa_ci is not None
    assert found.kappa_ci[0] <= found.kappa <= found.kappa_ci[1] <= 1.0


def test_the_kappa_interval_covers_the_truth_in_simulation() -> None:
    """A judge that copies the person 70% of the time and otherwise answers at random:
    the 95% interval holds the true kappa in most of 60 simulated studies of 150 battles."""
    rng = np.random.default_rng(5)
    verdicts = np.array(["a", "b", "tie"])
    share = np.array([0.45, 0.4, 0.15])
    # kappa = (p_o - p_e) / (1 - p_e) with p_o = 0.7 + 0.3·Σ share·1/3 and p_e computed from
    # the marginals: the person's marginals are `share`, the judge's 0.7·share + 0.1.
    judge_share = 0.7 * share + 0.3 / 3
    p_o = 0.7 + 0.3 / 3
    p_e = float((share * judge_share).sum())
    truth = (p_o - p_e) / (1 - p_e)
    hits = 0
    for _ in range(60):
        human = rng.choice(3, size=150, p=share)
        judge = np.where(rng.random(150) < 0.7, human, rng.integers(0, 3, size=150))
        found = agreement(list(verdicts[judge]), list(verdicts[human]), rounds=400, rng=rng)
        assert found.kappa_ci is not None
        hits += found.kappa_ci[0] <= truth <= found.kappa_ci[1]
    assert hits / 60 >= 0.85


def test_agreement_refuses_bad_input_and_reports_an_undefined_kappa() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidParameterError):
        agreement([], [], rng=rng)
    with pytest.raises(LengthMismatchError):
        agreement(["a"], [], rng=rng)
    with pytest.raises(InvalidParameterError, match="unknown verdict"):
        agreement(["c"], ["a"], rng=rng)
    same = agreement(["a", "a"], ["a", "a"], rng=rng)
    assert same.accuracy == 1.0 and same.kappa is None and same.kappa_ci is None
