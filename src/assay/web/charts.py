"""Charts drawn on the server: small inline SVG documents built from numbers and escaped text.

No script, no inline style (the Content-Security-Policy allows neither): shapes carry
classes that ``app.css`` colours, and geometry is plain attributes. Every piece of text
that could come from a user (labels) goes through :func:`markupsafe.escape`. Each bar has
a ``<title>`` (a tooltip, read by screen readers) and the chart a title and a description.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from markupsafe import Markup, escape

WIDTH = 640
HOURLY_HEIGHT = 180
ROW = 26
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 36, 8, 10, 24
_LABEL_CHARS = 28


def _num(value: float) -> str:
    """A coordinate with at most one decimal, no exponent."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[:_LABEL_CHARS - 1] + "…"


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    head = (f'<svg class="chart" id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def hourly_bars(chart_id: str, title: str, counts: Sequence[int], end: datetime,
                unit: str) -> Markup:
    """One bar per hour, oldest first; the last bar is the hour that ends at ``end`` (UTC).
    The x axis names every sixth hour, the y axis the tallest bar."""
    hours = len(counts)
    height = HOURLY_HEIGHT
    plot_w = WIDTH - _PAD_LEFT - _PAD_RIGHT
    plot_h = height - _PAD_TOP - _PAD_BOTTOM
    top = max(counts, default=0)
    scale = plot_h / top if top else 0.0
    step = plot_w / hours if hours else 0.0
    base = _PAD_TOP + plot_h
    body = [f'<line class="axis" x1="{_PAD_LEFT}" y1="{_num(base)}" '
            f'x2="{WIDTH - _PAD_RIGHT}" y2="{_num(base)}"/>',
            f'<text class="tick" x="{_PAD_LEFT - 4}" y="{_PAD_TOP + 4}" '
            f'text-anchor="end">{top}</text>',
            f'<text class="tick" x="{_PAD_LEFT - 4}" y="{_num(base)}" text-anchor="end">0</text>']
    start = end - timedelta(hours=hours)
    for i, n in enumerate(counts):
        begin = start + timedelta(hours=i)
        h = n * scale
        x = _PAD_LEFT + i * step + 1
        tip = f"{begin:%H:%M} to {begin + timedelta(hours=1):%H:%M} UTC: {_plural(n, unit)}"
        body.append(f'<rect class="bar" data-count="{n}" x="{_num(x)}" y="{_num(base - h)}" '
                    f'width="{_num(max(step - 2, 1))}" height="{_num(h)}">'
                    f'<title>{escape(tip)}</title></rect>')
        if i % 6 == 0:
            body.append(f'<text class="tick" x="{_num(x)}" y="{height - 6}">'
                        f'{begin:%H:%M}</text>')
    total = sum(counts)
    desc = (f"{_plural(total, unit)} in the last {hours} hours, at most {top} in one hour; "
            f"the last hour ends {end:%Y-%m-%d %H:%M} UTC.")
    return _svg(chart_id, title, desc, WIDTH, height, body)


def distribution_bars(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """One horizontal bar per label, in the given order, with its count and share."""
    total = sum(n for _, n in items)
    top = max((n for _, n in items), default=0)
    label_w = 200
    bar_w = WIDTH - label_w - 90
    height = max(len(items), 1) * ROW + 8
    body = []
    for i, (label, n) in enumerate(items):
        y = 4 + i * ROW
        w = bar_w * n / top if top else 0.0
        share = 100 * n / total if total else 0.0
        tip = f"{label}: {_plural(n, 'answer')} ({share:.0f}%)"
        body.append(
            f'<g class="row" data-label="{escape(label)}" data-count="{n}">'
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f'{escape(_short(label))}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{ROW - 8}">'
            f'<title>{escape(tip)}</title></rect>'
            f'<text class="value" x="{_num(label_w + w + 6)}" y="{y + 17}">'
            f'{n} · {share:.0f}%</text></g>')
    desc = "; ".join(f"{label}: {n}" for label, n in items) or "no answers yet"
    return _svg(chart_id, title, desc, WIDTH, height, body)
