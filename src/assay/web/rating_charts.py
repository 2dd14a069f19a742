"""The leaderboard's chart, drawn on the server like the others (``charts.py``): one row per
model, its rating a dot on a shared axis and its interval a bar, best first. The axis is
Elo points by default; rubric means pass their scale (``domain``) and decimals (``digits``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from assay.web.charts import ROW, WIDTH, _num, _short, _svg

ELO_STEPS = (25.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
SCORE_STEPS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0)


def _ticks(low: float, high: float, steps: Sequence[float] = ELO_STEPS) -> list[float]:
    """Round values to mark on the axis: the first of ``steps`` that needs at most six
    marks (Elo: steps of 25, 50, 100 or 200 points)."""
    span = max(high - low, 1e-9)
    step = next((s for s in steps if span / s <= 6), steps[-1])
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) // step + 1e-9) + 1)]


def rating_intervals(chart_id: str, title: str,
                     rows: Sequence[tuple[str, float, float | None, float | None]], *,
                     domain: tuple[float, float] | None = None, digits: int = 0) -> Markup:
    """``rows``: (model, rating, interval low, interval high), best first; an interval of
    ``None`` draws the dot alone. Without ``domain`` the axis spans the values with a
    margin (Elo points); with it, exactly ``domain`` (a rubric's scale). Values are written
    with ``digits`` decimals."""
    label_w, right = 200, 70
    plot_w = WIDTH - label_w - right
    if domain is not None:
        low, high = domain
        steps: Sequence[float] = SCORE_STEPS
    else:
        values = [v for _, r, lo, hi in rows for v in (r, lo, hi) if v is not None]
        low, high = (min(values), max(values)) if values else (990.0, 1010.0)
        pad = max((high - low) * 0.05, 5.0)
        low, high = low - pad, high + pad
        steps = ELO_STEPS
    if high <= low:
        high = low + 1.0

    def fmt(v: float) -> str:
        return f"{v:.{digits}f}"

    def x(v: float) -> float:
        return label_w + plot_w * (v - low) / (high - low)

    height = max(len(rows), 1) * ROW + 30
    base = len(rows) * ROW + 6
    body = [f'<line class="axis" x1="{label_w}" y1="{base}" x2="{label_w + plot_w}" '
            f'y2="{base}"/>']
    for tick in _ticks(low, high, steps):
        body.append(f'<text class="tick" x="{_num(x(tick))}" y="{base + 16}" '
                    f'text-anchor="middle">{tick:g}</text>')
    for i, (model, rating, lo, hi) in enumerate(rows):
        y = 4 + i * ROW + ROW / 2
        shown = fmt(rating) + ("" if lo is None or hi is None else f" ({fmt(lo)} to {fmt(hi)})")
        parts = [f'<g class="row" data-label="{escape(model)}" data-value="{rating:.2f}">',
                 f'<text class="label" x="{label_w - 8}" y="{_num(y + 5)}" text-anchor="end">'
                 f'{escape(_short(model))}</text>']
        if lo is not None and hi is not None:
            parts.append(f'<rect class="bar interval" x="{_num(x(lo))}" y="{_num(y - 4)}" '
                         f'width="{_num(max(x(hi) - x(lo), 1.0))}" height="8">'
                         f'<title>{escape(f"{model}: 95% interval {fmt(lo)} to {fmt(hi)}")}'
                         f'</title></rect>')
        parts.append(f'<circle class="dot" cx="{_num(x(rating))}" cy="{_num(y)}" r="6">'
                     f'<title>{escape(f"{model}: {shown}")}</title></circle>')
        parts.append(f'<text class="value" x="{label_w + plot_w + 6}" y="{_num(y + 5)}">'
                     f'{fmt(rating)}</text></g>')
        body.append("".join(parts))
    desc = "; ".join(f"{m}: {fmt(r)}" + ("" if lo is None or hi is None
                                         else f", interval {fmt(lo)} to {fmt(hi)}")
                     for m, r, lo, hi in rows) or "no ratings yet"
    return _svg(chart_id, title, desc, WIDTH, height, body)
