"""The kinds registry and the shared base contract: every kind is one folder, found by
listing the package."""

import sys
from pathlib import Path
from typing import get_args

import pytest

from assay import kinds
from assay.kinds import (
    KIND_NAMES,
    Aggregate,
    Categorical,
    FieldError,
    Kind,
    KindName,
    KindValidationError,
    categorical_kinds,
    get_kind,
    kind_folder,
)


def test_it_lists_the_seven_kinds_in_api_order() -> None:
    assert KIND_NAMES == ("categorize", "spans", "boxes", "compare", "rate", "text", "chat")


@pytest.mark.parametrize("name", KIND_NAMES)
def test_it_returns_a_kind_named_as_asked(name: str) -> None:
    kind = get_kind(name)
    assert isinstance(kind, Kind)
    assert kind.name == name


def test_it_raises_key_error_for_an_unknown_kind() -> None:
    with pytest.raises(KeyError):
        get_kind("transcribe")


def test_validation_error_carries_every_field_error() -> None:
    errors = [FieldError("params.labels", "is required"), FieldError("params.x", "unknown")]
    exc = KindValidationError(errors)
    assert isinstance(exc, ValueError)
    assert exc.errors == errors
    assert "params.labels: is required" in str(exc)


@pytest.mark.parametrize("name", KIND_NAMES)
@pytest.mark.parametrize("params", [[], "labels", 3])
def test_params_must_be_an_object(name: str, params: object) -> None:
    with pytest.raises(KindValidationError) as exc:
        get_kind(name).validate_params(params)
    assert [e.field for e in exc.value.errors] == ["params"]


@pytest.mark.parametrize("name", KIND_NAMES)
def test_unknown_param_keys_are_named(name: str) -> None:
    params = {"labels": ["a"]} if name in ("categorize", "spans", "boxes") else {}
    with pytest.raises(KindValidationError) as exc:
        get_kind(name).validate_params({**params, "colour": "red"})
    assert [e.field for e in exc.value.errors] == ["params.colour"]


@pytest.mark.parametrize("name", KIND_NAMES)
@pytest.mark.parametrize("data", [None, [], "text", 1])
def test_data_must_be_an_object(name: str, data: object) -> None:
    kind = get_kind(name)
    params = kind.validate_params(
        {"labels": ["a"]} if name in ("categorize", "spans", "boxes") else None
    )
    with pytest.raises(KindValidationError) as exc:
        kind.validate_data(params, data)
    assert [e.field for e in exc.value.errors] == ["data"]


@pytest.mark.parametrize("name", KIND_NAMES)
def test_no_answers_give_no_result(name: str) -> None:
    kind = get_kind(name)
    params = kind.validate_params(
        {"labels": ["a"]} if name in ("categorize", "spans", "boxes") else None)
    assert kind.aggregate(params, []) == Aggregate(None, None, "none")


def test_the_categorical_kinds_name_their_classes() -> None:
    assert categorical_kinds() == ("categorize", "compare")
    categorize, compare = get_kind("categorize"), get_kind("compare")
    single = categorize.validate_params({"labels": ["x", "y"]})
    assert categorize.categorical(single) == Categorical("label", ["x", "y"])
    assert categorize.categorical({**single, "multiple": True}) is None
    assert compare.categorical(compare.validate_params({"allow_tie": True})) == Categorical(
        "choice", ["a", "b", "tie"])
    assert get_kind("spans").categorical({"labels": ["x"]}) is None


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_ships_its_widget(name: str) -> None:
    folder = kind_folder(name)
    assert folder.name == name and folder.parent.name == "kinds"
    widget = (folder / "widget.js").read_text()
    assert "export default function" in widget


def test_kind_names_make_the_schemas_literal() -> None:
    assert get_args(KindName) == KIND_NAMES


def test_the_project_form_fills_params_from_its_fields() -> None:
    categorize = get_kind("categorize")
    values = {"labels": " a \n\nb\n", "multiple": "1"}
    assert categorize.params_from_form(values) == {"labels": ["a", "b"], "multiple": True}
    assert categorize.params_from_form({"labels": "a"}) == {"labels": ["a"]}
    assert get_kind("boxes").params_from_form(values) == {"labels": ["a", "b"]}
    assert get_kind("text").params_from_form(values) is None  # a kind without form fields
    assert get_kind("rate").params_from_form(values) == {"criteria": []}  # none of its own


def test_figures_count_answers_by_the_kinds_labels() -> None:
    compare = get_kind("compare")
    assert compare.tally_labels({"allow_tie": False}) == ["a", "b"]
    assert compare.answer_labels({"choice": "b", "strength": 2}) == ["b"]
    categorize = get_kind("categorize")
    assert categorize.answer_labels({"labels": ["x", "y"]}) == ["x", "y"]
    assert get_kind("text").tally_labels({"max_length": None}) == []


SHOUT = """
from typing import Any

from assay.kinds.base import NO_AGGREGATE, Aggregate, Kind, Match
from assay.kinds.schema import AnyObject, KindModel


class Params(KindModel):
    pass


class Answer(KindModel):
    shout: str


class Shout(Kind):
    name = "shout"
    params_schema = Params
    data_schema = AnyObject
    answer_schema = Answer

    def aggregate(self, params: Any, answers: Any) -> Aggregate:
        return NO_AGGREGATE

    def match(self, params: Any, expected: Any, answer: Any, policy: Any = None) -> Match:
        return Match(1.0, True)


KIND = Shout()
"""


def test_a_kind_is_found_by_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "shout").mkdir()
    (tmp_path / "shout" / "__init__.py").write_text(SHOUT)
    monkeypatch.setattr(kinds, "__path__", [*kinds.__path__, str(tmp_path)])
    try:
        found = kinds._discover()
        assert tuple(found) == (*KIND_NAMES, "shout")  # after the built-in ones
        shout = found["shout"]
        assert shout.validate_answer({}, {}, {"shout": "hey"}) == {"shout": "hey"}
        with pytest.raises(KindValidationError) as exc:
            shout.validate_answer({}, {}, {"shout": 1, "whisper": "x"})
        assert [e.field for e in exc.value.errors] == ["answer.whisper", "answer.shout"]
    finally:
        sys.modules.pop("assay.kinds.shout", None)
