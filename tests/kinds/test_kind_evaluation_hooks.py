"""The registry names the kinds an evaluation's people work in: the kind that serves blind
battles and the one that serves rubric rating. What each makes is a valid project and task
of that kind, and its answers read back as a verdict or as scores."""

from __future__ import annotations

import pytest

from assay.kinds import Kind, all_kinds, battle_kind, rating_kind


def test_the_battle_kind_makes_valid_battles_and_reads_verdicts() -> None:
    kind = battle_kind()
    params = kind.validate_params(kind.battle_project(["safety"]))
    data = kind.battle_task("Which is better?", "reply one", "reply two")
    kind.validate_data(params, data)
    assert set(data) == {"prompt", "a", "b"}  # the replies, nothing that names a model
    for verdict in ("a", "b", "tie", "both_bad"):
        answer = kind.validate_answer(params, data, {"choice": verdict})
        assert kind.battle_verdict(answer) == verdict


def test_the_rating_kind_makes_valid_rating_tasks_and_reads_scores() -> None:
    kind = rating_kind()
    rubric = [{"id": "helpful", "description": "", "weight": 2}, {"id": "concise"}]
    params = kind.validate_params(kind.rating_project(1, 7, rubric))
    data = kind.rating_task("Say hi", "hi")
    kind.validate_data(params, data)
    assert set(data) == {"prompt", "reply"}
    answer = kind.validate_answer(params, data, {"scores": {"helpful": 7, "concise": 2}})
    assert kind.rating_scores(answer) == {"helpful": 7.0, "concise": 2.0}
    plain = kind.validate_params(kind.rating_project(0, 10, []))
    assert kind.rating_scores(kind.validate_answer(plain, data, {"rating": 3})) == {
        "rating": 3.0}


def test_a_kind_without_the_hooks_refuses_them() -> None:
    others = [k for k in all_kinds() if k is not battle_kind() and k is not rating_kind()]
    assert others
    for kind in others:
        assert type(kind).battle_project is Kind.battle_project
        with pytest.raises(NotImplementedError):
            kind.battle_project([])
        with pytest.raises(NotImplementedError):
            kind.rating_scores({})
