"""The failure paths: degenerate input and bad parameters raise typed errors."""

from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms import (
    CATEGORICAL_METHODS,
    AlgorithmInputError,
    Answers,
    EmptyTaskError,
    InvalidParameterError,
    LengthMismatchError,
    NoAnswersError,
    dawid_skene,
    glad,
    mace,
    one_coin_dawid_skene,
    weighted_majority_vote,
)

METHODS = sorted(CATEGORICAL_METHODS)
VALID = Answers([0, 0, 1], [0, 1, 0], [0, 1, 1], 2, 2, 2)


@pytest.mark.parametrize("name", METHODS)
def test_it_refuses_a_task_without_answers(name: str) -> None:
    with pytest.raises(EmptyTaskError):
        CATEGORICAL_METHODS[name](Answers([0, 0], [0, 1], [0, 1], 3, 2, 2))


@pytest.mark.parametrize("name", METHODS)
def test_it_refuses_no_answers(name: str) -> None:
    with pytest.raises(NoAnswersError):
        CATEGORICAL_METHODS[name](Answers([], [], [], 1, 1, 2))


@pytest.mark.parametrize("method", [dawid_skene, one_coin_dawid_skene, glad, mace])
@pytest.mark.parametrize("bad", [{"max_iter": 0}, {"tol": -1.0}, {"tol": float("nan")}])
def test_it_refuses_bad_iteration_settings(method: object, bad: dict[str, float]) -> None:
    with pytest.raises(InvalidParameterError):
        method(VALID, **bad)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("method", "bad"),
    [
        (dawid_skene, {"smoothing": -1.0}),
        (dawid_skene, {"shrinkage": float("inf")}),
        (dawid_skene, {"prior": "hierarchical"}),
        (one_coin_dawid_skene, {"smoothing": -0.5}),
        (glad, {"expertise_prior": (1.0, 0.0)}),
        (mace, {"competence_prior": (-1.0, 1.0)}),
        (weighted_majority_vote, {"smoothing": 0.0}),
        (weighted_majority_vote, {"weights": [1.0, -1.0]}),
    ],
)
def test_it_refuses_bad_model_parameters(method: object, bad: dict[str, object]) -> None:
    with pytest.raises(InvalidParameterError):
        method(VALID, **bad)  # type: ignore[operator]


@pytest.mark.parametrize("method", [dawid_skene, one_coin_dawid_skene, glad, mace])
def test_it_checks_the_starting_posteriors(method: object) -> None:
    with pytest.raises(LengthMismatchError):
        method(VALID, init=np.ones((3, 2)))  # type: ignore[operator]
    with pytest.raises(InvalidParameterError):
        method(VALID, init=np.zeros((2, 2)))  # type: ignore[operator]


def test_it_reports_running_out_of_iterations_instead_of_stopping_silently() -> None:
    rng = np.random.default_rng(0)
    task = np.repeat(np.arange(50), 3)
    answers = Answers(task, rng.integers(10, size=150), rng.integers(3, size=150), 50, 10, 3)
    result = dawid_skene(answers, max_iter=2, tol=0.0)
    assert result.iterations == 2 and result.converged is False


def test_every_error_is_a_value_error() -> None:
    assert issubclass(AlgorithmInputError, ValueError)
    with pytest.raises(LengthMismatchError):
        weighted_majority_vote(VALID, [1.0])
