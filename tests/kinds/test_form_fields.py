"""A kind's params as form fields and back: what the project form and the settings form
send, and how the settings form shows a project's params."""

from __future__ import annotations

from assay.kinds import get_kind


def test_rate_reads_its_scale_and_rubric_from_the_form_and_writes_them_back() -> None:
    rate = get_kind("rate")
    values = {"min": " 1 ", "max": "7", "rubric": "fluency | reads well | 2\n\nfacts\n"}
    params = rate.params_from_form(values)
    assert params == {"min": 1, "max": 7, "criteria": [
        {"id": "fluency", "description": "reads well", "weight": 2}, {"id": "facts"}]}
    normalized = rate.validate_params(params)
    assert rate.form_values(normalized) == {"min": "1", "max": "7",
                                            "rubric": "fluency | reads well | 2\nfacts"}
    assert rate.params_from_form({"min": "", "max": "", "rubric": ""}) == {"criteria": []}
    assert rate.params_from_form({"min": "one"})["min"] == "one"  # refused by name later


def test_compare_reads_its_choices_and_criteria() -> None:
    compare = get_kind("compare")
    params = compare.params_from_form({"allow_tie": "1", "criteria": "helpful\nsafe\n"})
    assert params == {"allow_tie": True, "criteria": ["helpful", "safe"]}
    shown = compare.form_values(compare.validate_params(params))
    assert shown == {"allow_tie": "1", "allow_both_bad": "", "criteria": "helpful\nsafe"}
