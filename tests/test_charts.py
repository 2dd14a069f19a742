"""The server-drawn SVG charts and the pure figures behind them (no database, no server)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from assay.projects.figures import hour_end, label_distribution, pace
from assay.web.charts import distribution_bars, hourly_bars
from assay.web.dashboard_views import duration_text
from assay.web.project_form_views import errors_by_field, form_field

SVG = "{http://www.w3.org/2000/svg}"
END = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
XSS = '<script>alert(1)</script>"&'


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def test_hourly_bars_have_one_bar_per_hour_scaled_to_the_tallest() -> None:
    counts = [0] * 20 + [2, 4, 0, 1]
    svg = _parse(hourly_bars("c1", "Answers per hour", counts, END, "answer"))
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    bars = svg.findall(f"{SVG}rect")
    assert [int(b.get("data-count", "-1")) for b in bars] == counts
    heights = [float(b.get("height", "nan")) for b in bars]
    assert heights[21] == max(heights) > 0 and heights[20] == heights[21] / 2
    assert heights[0] == 0 and heights[22] == 0
    tips = [b.findtext(f"{SVG}title") for b in bars]
    assert tips[-1] == "13:00 to 14:00 UTC: 1 answer"
    assert tips[21] == "11:00 to 12:00 UTC: 4 answers"
    ticks = [t.text for t in svg.findall(f"{SVG}text")]
    assert "4" in ticks and "14:00" in ticks and "20:00" in ticks
    assert "7 answers in the last 24 hours" in (svg.findtext(f"{SVG}desc") or "")


def test_hourly_bars_without_data_draw_flat_bars() -> None:
    svg = _parse(hourly_bars("c2", "Tasks", [0] * 24, END, "task"))
    assert {b.get("height") for b in svg.findall(f"{SVG}rect")} == {"0"}
    assert "0 tasks" in (svg.findtext(f"{SVG}desc") or "")


def test_distribution_bars_escape_labels_and_show_shares() -> None:
    markup = distribution_bars("d1", "Answers per label " + XSS, [(XSS, 3), ("neg", 1),
                                                                 ("neu", 0)])
    assert "<script>" not in markup
    svg = _parse(markup)
    rows = svg.findall(f"{SVG}g")
    assert [(g.get("data-label"), g.get("data-count")) for g in rows] == [
        (XSS, "3"), ("neg", "1"), ("neu", "0")]
    widths = [float(g.find(f"{SVG}rect").get("width", "nan")) for g in rows]  # type: ignore[union-attr]
    assert abs(widths[0] - 3 * widths[1]) < 0.5 and widths[2] == 0
    values = [g.findall(f"{SVG}text")[1].text for g in rows]
    assert values == ["3 · 75%", "1 · 25%", "0 · 0%"]
    assert svg.findtext(f"{SVG}title") == "Answers per label " + XSS


def test_distribution_bars_shorten_long_labels_but_keep_them_in_the_tooltip() -> None:
    label = "a very long label that goes on and on"
    svg = _parse(distribution_bars("d2", "t", [(label, 1)]))
    row = svg.find(f"{SVG}g")
    assert row is not None
    assert row.findall(f"{SVG}text")[0].text == label[:27] + "…"
    assert (row.findtext(f"{SVG}rect/{SVG}title") or "").startswith(label)


def test_an_empty_distribution_is_still_a_chart() -> None:
    svg = _parse(distribution_bars("d3", "t", []))
    assert svg.findtext(f"{SVG}desc") == "no answers yet"


def test_pace_takes_the_rate_over_the_time_that_actually_elapsed() -> None:
    now = END
    assert pace(0, None, 0, now)["hours_left"] == 0.0
    assert pace(0, None, 5, now)["hours_left"] is None
    # 6 answers in the last 10 minutes: 36 an hour, 3 left take 5 minutes (an hour's floor
    # made that 30 minutes; a project finishing in 10 minutes read as hours).
    recent = pace(6, now - timedelta(minutes=10), 3, now)
    assert recent["per_hour"] == 36.0 and recent["hours_left"] == 3 / 36
    started = pace(30, now - timedelta(minutes=1), 270, now)
    assert started["per_hour"] == 1800.0 and round(started["hours_left"] * 60) == 9
    spread = pace(12, now - timedelta(hours=6), 24, now)
    assert spread["per_hour"] == 2.0 and spread["hours_left"] == 12.0
    old = pace(48, now - timedelta(hours=30), 0, now)
    assert old["per_hour"] == 2.0 and old["hours_left"] == 0.0


def test_pace_takes_at_least_a_minute_and_three_answers_to_estimate() -> None:
    now = END
    burst = pace(4, now - timedelta(seconds=2), 2, now)
    assert burst["per_hour"] == 240.0 and burst["hours_left"] == 2 / 240
    few = pace(2, now - timedelta(minutes=5), 100, now)
    assert few["too_few"] and few["hours_left"] is None and few["per_hour"] == 24.0
    finished = pace(2, now - timedelta(minutes=5), 0, now)
    assert not finished["too_few"] and finished["hours_left"] == 0.0


def test_hour_end_is_the_end_of_the_clock_hour() -> None:
    assert hour_end(datetime(2024, 5, 1, 13, 25, 7, 9, tzinfo=UTC)) == END
    assert hour_end(datetime(2024, 5, 1, 13, 0, tzinfo=UTC)) == END


def test_label_distribution_counts_single_multiple_and_compare_answers() -> None:
    params = {"labels": ["pos", "neg", "neu"]}
    single = [({"label": "neg"}, 4), ({"label": "pos"}, 1)]
    assert label_distribution("categorize", params, single) == [
        ("pos", 1), ("neg", 4), ("neu", 0)]
    multiple = [({"labels": ["pos", "neg"]}, 2), ({"labels": []}, 1), ({"labels": ["neg"]}, 1)]
    assert label_distribution("categorize", params, multiple) == [
        ("pos", 2), ("neg", 3), ("neu", 0)]
    compare = [({"choice": "b", "strength": 2}, 3), ({"choice": "tie"}, 1)]
    assert label_distribution("compare", {"allow_tie": True}, compare) == [
        ("a", 0), ("b", 3), ("tie", 1)]
    assert label_distribution("text", {}, [({"text": "x"}, 1)]) == []


def test_durations_read_like_people_write_them() -> None:
    assert duration_text(None) == "no recent answers"
    assert duration_text(0) == "done"
    assert duration_text(0.001) == "under a minute"
    assert duration_text(0.5) == "30 min"
    assert duration_text(2) == "2 h"
    assert duration_text(3 + 20 / 60) == "3 h 20 min"
    assert duration_text(72) == "3.0 days"


def test_form_errors_map_to_the_form_fields() -> None:
    assert form_field("params.labels[1]", params_given=False) == ("labels", "[1]")
    assert form_field("params.labels", params_given=False) == ("labels", "")
    assert form_field("params.labels", params_given=True) == ("params", "labels")
    assert form_field("params.max", params_given=False) == ("max", "")
    assert form_field("params.extra", params_given=False) == ("params", "extra")
    # rate fills params.criteria from its "rubric" field, compare from "criteria"
    assert form_field("params.criteria[0].weight", False, "rate") == ("rubric", "[0].weight")
    assert form_field("params.criteria[1]", False, "compare") == ("criteria", "[1]")
    assert form_field("quality.max_overlap", params_given=False) == ("max_overlap", "")
    assert form_field("quality.gold_rate", params_given=False) == ("gold_rate", "")
    assert form_field("pay.per_task", params_given=False) == ("per_task", "")
    assert form_field("pay.currency", params_given=False) == ("currency", "")
    assert form_field("workforce", params_given=False) == ("workforce", "")
    assert form_field("name", params_given=False) == ("name", "")
    assert form_field("limits.answers_per_minute", False) == ("answers_per_minute", "")
    # a field the form lacks is shown with the form's own errors
    assert form_field("callback_url", params_given=False) == ("callback_url", "")
    assert errors_by_field([{"field": "callback_url", "message": "bad"}], False) == {
        "form": ["bad"]}
    assert errors_by_field([{"field": "callback_url", "message": "bad"}], False,
                           known=("callback_url",)) == {"callback_url": ["bad"]}
