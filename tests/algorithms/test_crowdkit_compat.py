from __future__ import annotations

import numpy as np
import pytest

from assay.algorithms.crowdkit_compat import (
    GLAD,
    MACE,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    WeightedMajorityVote,
)
from assay.algorithms.errors import LabelOutOfRangeError, LengthMismatchError

pd = pytest.importorskip("pandas")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task": ["t1", "t1", "t1", "t2", "t2", "t2", "t3", "t3"],
            "worker": ["a", "b", "c", "a", "b", "c", "a", "b"],
            "label": ["yes", "yes", "no", "no", "no", "no", "yes", "yes"],
        }
    )


@pytest.mark.parametrize(
    "aggregator",
    [
        MajorityVote(),
        WeightedMajorityVote(),
        DawidSkene(n_iter=50),
        OneCoinDawidSkene(),
        GLAD(),
        MACE(),
    ],
)
def test_it_predicts_like_crowd_kit(aggregator: object) -> None:
    frame = _frame()
    before = frame.copy()
    labels = aggregator.fit_predict(frame)  # type: ignore[attr-defined]
    assert labels.to_dict() == {"t1": "yes", "t2": "no", "t3": "yes"}
    assert labels.name == "agg_label" and labels.index.name == "task"
    probas = aggregator.fit_predict_proba(frame)  # type: ignore[attr-defined]
    assert list(probas.columns) == ["no", "yes"]
    np.testing.assert_allclose(probas.sum(axis=1), 1.0)
    pd.testing.assert_frame_equal(frame, before)


def test_it_passes_model_options_through() -> None:
    model = DawidSkene(n_iter=3, tol=0.0, shrinkage=2.0)
    model.fit(_frame())
    assert model.result_ is not None and model.result_.iterations == 3


def test_it_names_missing_columns() -> None:
    with pytest.raises(LengthMismatchError, match="worker"):
        DawidSkene().fit(pd.DataFrame({"task": [1], "label": [1]}))


def test_it_matches_the_array_api_and_handles_duplicates_and_missing_values() -> None:
    from assay.algorithms import dawid_skene, encode_answers

    frame = pd.concat([_frame(), pd.DataFrame({"task": ["t1"], "worker": ["c"], "label": ["yes"]})])
    answers, _ = encode_answers(
        frame["task"].tolist(), frame["worker"].tolist(), frame["label"].tolist()
    )
    expected = dawid_skene(answers).posteriors
    probas = DawidSkene().fit_predict_proba(frame)
    np.testing.assert_allclose(probas.to_numpy(), expected)
    with pytest.raises(LabelOutOfRangeError):
        DawidSkene().fit(pd.DataFrame({"task": ["a", None], "worker": [1, 2], "label": [0, 1]}))
    mixed = pd.DataFrame({"task": [1, 2], "worker": [1, 1], "label": ["a", 3]})
    assert MajorityVote().fit_predict(mixed).to_dict() == {1: "a", 2: 3}
