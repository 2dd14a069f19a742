"""The kinds registry and the shared base contract."""

import pytest

from assay.kinds import KIND_NAMES, Aggregate, FieldError, Kind, KindValidationError, get_kind


def test_it_lists_the_six_kinds_in_api_order() -> None:
    assert KIND_NAMES == ("categorize", "spans", "boxes", "compare", "rate", "text")


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


@pytest.mark.parametrize("name", ["spans", "boxes", "text"])
def test_unaggregated_kinds_report_method_none(name: str) -> None:
    kind = get_kind(name)
    params = kind.validate_params({"labels": ["a"]} if name != "text" else None)
    assert kind.aggregate(params, []) == Aggregate(None, None, "none")
