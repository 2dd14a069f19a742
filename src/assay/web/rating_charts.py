"""The leaderboard's chart, drawn on the server like the others (``charts.py``): one row per
model, its rating a dot on a shared Elo axis and its interval a bar, best first."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from assay.web.charts import ROW, WIDTH, _num, _short, _svg


def _ticks(low: float, high: float) -> list[float]:
    """Round rating values to mark on the axis: steps of 25, 50, 100 or 200 points."""
    span = max(high - low, 1.0)
    step = next((s for s in (25, 50, 100, 200, 500) if span / s <= 6), 1000)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def rating_intervals(chart_id: str, title: str,
                     rows: Sequence[tuple[str, float, float | None, float | None]]) -> Markup:
    """``rows``: (model, rating, interval low, interval high), best first; an interval of
    ``None`` draws the dot alone."""
    label_w, right = 200, 70
    plot_w = WIDTH - label_w - right
    values = [v for _, r, lo, hi in rows for v in (r, lo, hi) if v is not None]
    low, high = (min(values), max(values)) if values else (990.0, 1010.0)
    pad = max((high - low) * 0.05, 5.0)
    low, high = low - pad, high + pad

    def x(v: float) -> float:
        return label_w + plot_w * (v - low) / (high - low)

    height = max(len(rows), 1) * ROW + 30
    base = len(rows) * ROW + 6
    body = [f'<line class="axis" x1="{label_w}" y1="{base}" x2="{label_w + plot_w}" '
            f'y2="{base}"/>']
    for tick in _ticks(low, high):
        body.append(f'<text class="tick" x="{_num(x(tick))}" y="{base + 16}" '
                    f'text-anchor="middle">{tick:.0f}</text>')
    for i, (model, rating, lo, hi) in enumerate(rows):
        y = 4 + i * ROW + ROW / 2
        shown = f"{rating:.0f}" + ("" if lo is None or hi is None else f" ({lo:.0f} to {hi:.0f})")
        parts = [f'<g class="row" data-label="{escape(model)}" data-value="{rating:.2f}">',
                 f'<text class="label" x="{label_w - 8}" y="{_num(y + 5)}" text-anchor="end">'
                 f'{escape(_short(model))}</text>']
        if lo is not None and hi is not None:
            parts.append(f'<rect class="bar interval" x="{_num(x(lo))}" y="{_num(y - 4)}" '
                         f'width="{_num(max(x(hi) - x(lo), 1.0))}" height="8">'
                         f'<title>{escape(f"{model}: 95% interval {lo:.0f} to {hi:.0f}")}'
                         f'</title></rect>')
        parts.append(f'<circle class="dot" cx="{_num(x(rating))}" cy="{_num(y)}" r="6">'
                     f'<title>{escape(f"{model}: {shown}")}</title></circle>')
        parts.append(f'<text class="value" x="{label_w + plot_w + 6}" y="{_num(y + 5)}">'
                     f'{rating:.0f}</text></g>')
        body.append("".join(parts))
    desc = "; ".join(f"{m}: {r:.0f}" + ("" if lo is None or hi is None
                                         else f", interval {lo:.0f} to {hi:.0f}")
                     for m, r, lo, hi in rows) or "no ratings yet"
    return _svg(chart_id, title, desc, WIDTH, height, body)
