"""Properties every kind keeps: inputs never mutated, normalization idempotent, plurality
independent of answer order."""

import contextlib
import copy
import random
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assay.kinds import KindValidationError, get_kind

LABELS = ["a", "b", "c", "d"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 20) | st.floats(-5, 20) | st.sampled_from(LABELS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(LABELS), inner),
    max_leaves=8,
)


def span_answers() -> st.SearchStrategy[dict[str, Any]]:
    span = st.fixed_dictionaries(
        {"start": st.integers(-1, 12), "end": st.integers(-1, 12), "label": st.sampled_from(LABELS)}
    )
    return st.fixed_dictionaries({"spans": st.lists(span, max_size=4)})


def box_answers() -> st.SearchStrategy[dict[str, Any]]:
    num = st.integers(-1, 60) | st.floats(-1, 60)
    box = st.fixed_dictionaries(
        {"x": num, "y": num, "w": num, "h": num, "label": st.sampled_from(LABELS)}
    )
    return st.fixed_dictionaries({"boxes": st.lists(box, max_size=4)})


def chat_answers() -> st.SearchStrategy[dict[str, Any]]:
    ids = st.sampled_from(LABELS)
    turn = st.fixed_dictionaries(
        {"candidates": st.lists(ids, min_size=1, max_size=3, unique=True),
         "ranking": st.lists(st.lists(ids, max_size=3), max_size=3)},
        optional={"scores": st.dictionaries(ids, st.dictionaries(st.just("c"),
                                                                 st.integers(0, 6))),
                  "ideal": st.text(max_size=5), "prompt": st.text(max_size=5)})
    return st.fixed_dictionaries({"turns": st.lists(turn, max_size=3)})


CASES: list[tuple[str, dict[str, Any] | None, dict[str, Any], st.SearchStrategy[Any]]] = [
    (
        "categorize",
        {"labels": LABELS},
        {},
        st.fixed_dictionaries({"label": st.sampled_from(LABELS)}),
    ),
    (
        "categorize",
        {"labels": LABELS, "multiple": True},
        {},
        st.fixed_dictionaries({"labels": st.lists(st.sampled_from(LABELS), max_size=4)}),
    ),
    ("spans", {"labels": LABELS}, {"text": "hello world"}, span_answers()),
    ("boxes", {"labels": LABELS}, {"image_url": "https://x.io/i.png", "width": 50}, box_answers()),
    (
        "compare",
        {"allow_tie": True, "allow_both_bad": True, "criteria": ["c"]},
        {"prompt": "p", "a": "x", "b": "y"},
        st.fixed_dictionaries(
            {"choice": st.sampled_from(["a", "b", "tie", "both_bad"])},
            optional={
                "strength": st.integers(0, 4),
                "criteria": st.dictionaries(st.just("c"), JSON),
            },
        ),
    ),
    ("rate", None, {}, st.fixed_dictionaries({"rating": st.integers(0, 6)})),
    ("text", {"max_length": 8}, {}, st.fixed_dictionaries({"text": st.text(max_size=10)})),
    ("chat", {"rubric": [{"id": "c"}], "max_turns": 2},
     {"messages": [{"role": "user", "content": "hi"}]}, chat_answers()),
]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_validate_answer_never_mutates_and_is_idempotent(data: st.DataObject) -> None:
    name, raw_params, task_data, answers = data.draw(st.sampled_from(CASES))
    kind = get_kind(name)
    params = kind.validate_params(raw_params)
    kind.validate_data(params, task_data)
    answer = data.draw(answers | JSON)
    before = copy.deepcopy(answer)
    try:
        normalized = kind.validate_answer(params, task_data, answer)
    except KindValidationError as exc:
        assert exc.errors and all(e.field.startswith("answer") for e in exc.errors)
    else:
        assert kind.validate_answer(params, task_data, normalized) == normalized
        # compare's "tie" and "both_bad" count as labels: turning them off is a removal.
        assert kind.labels_used(normalized) <= set(LABELS) | {"c", "tie", "both_bad"}
    assert answer == before


@given(st.one_of(st.none(), JSON), st.sampled_from([c[0] for c in CASES]))
def test_validate_params_never_mutates_and_reports_params_fields(raw: Any, name: str) -> None:
    before = copy.deepcopy(raw)
    try:
        params = get_kind(name).validate_params(raw)
    except KindValidationError as exc:
        assert all(e.field.startswith("params") for e in exc.errors)
    else:
        assert get_kind(name).validate_params(params) == params
    assert raw == before


@given(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_categorize_plurality_ignores_answer_order(labels: list[str], rnd: random.Random) -> None:
    kind = get_kind("categorize")
    params = kind.validate_params({"labels": LABELS})
    answers = [{"label": label} for label in labels]
    shuffled = rnd.sample(answers, len(answers))
    result = kind.aggregate(params, answers)
    assert kind.aggregate(params, shuffled) == result
    assert result.answer is not None
    assert result.confidence == labels.count(result.answer["label"]) / len(labels)
    assert all(labels.count(x) <= labels.count(result.answer["label"]) for x in labels)


@given(
    st.lists(st.sampled_from(["a", "b", "tie"]), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_compare_plurality_ignores_answer_order(choices: list[str], rnd: random.Random) -> None:
    kind = get_kind("compare")
    params = kind.validate_params({"allow_tie": True})
    answers = [{"choice": c} for c in choices]
    before = copy.deepcopy(answers)
    result = kind.aggregate(params, answers)
    assert kind.aggregate(params, rnd.sample(answers, len(answers))) == result
    assert answers == before


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_rate_median_ignores_order_and_stays_in_bounds(
    ratings: list[int], rnd: random.Random
) -> None:
    kind = get_kind("rate")
    params = kind.validate_params(None)
    answers = [{"rating": r} for r in ratings]
    result = kind.aggregate(params, answers)
    assert kind.aggregate(params, rnd.sample(answers, len(answers))) == result
    assert result.answer is not None and result.confidence is not None
    assert min(ratings) <= result.answer["rating"] <= max(ratings)
    assert 0.0 <= result.confidence <= 1.0


CONSENSUS = [case for case in CASES if case[0] in ("spans", "boxes", "text")]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_a_consensus_is_a_valid_answer_with_a_confidence(data: st.DataObject) -> None:
    name, raw_params, task_data, answers = data.draw(st.sampled_from(CONSENSUS))
    kind = get_kind(name)
    params = kind.validate_params(raw_params)
    valid = []
    for answer in data.draw(st.lists(answers, min_size=1, max_size=5)):
        with contextlib.suppress(KindValidationError):
            valid.append(kind.validate_answer(params, task_data, answer))
    assume(valid)
    before = copy.deepcopy(valid)
    result = kind.aggregate(params, valid)
    assert result.answer is not None and result.confidence is not None
    assert kind.validate_answer(params, task_data, result.answer) == result.answer
    assert 0.0 <= result.confidence <= 1.0
    assert valid == before
    if all(answer == valid[0] for answer in valid):
        assert result.confidence == 1.0
