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


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def share_bars(chart_id: str, title: str, items: Sequence[tuple[str, float | None]]) -> Markup:
    """One horizontal bar per label, its length a share between 0 and 1 (``None``: no bar,
    a dash), on a fixed 0 to 100% scale so that charts side by side compare."""
    label_w = 200
    bar_w = WIDTH - label_w - 70
    height = max(len(items), 1) * ROW + 8
    body = []
    for i, (label, share) in enumerate(items):
        y = 4 + i * ROW
        w = bar_w * min(max(share or 0.0, 0.0), 1.0)
        text = _percent(share)
        body.append(
            f'<g class="row" data-label="{escape(label)}" data-value="{escape(text)}">'
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f'{escape(_short(label))}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{ROW - 8}">'
            f'<title>{escape(f"{label}: {text}")}</title></rect>'
            f'<text class="value" x="{_num(label_w + w + 6)}" y="{y + 17}">{text}</text></g>')
    desc = "; ".join(f"{label}: {_percent(v)}" for label, v in items) or "nothing to show yet"
    return _svg(chart_id, title, desc, WIDTH, height, body)


def calibration_chart(chart_id: str, title: str, bins: Sequence[dict[str, float]]) -> Markup:
    """Reported confidence (x) against the accuracy found on gold (y), one dot per bin
    sized by its tasks, over the diagonal where the two agree."""
    size = 260
    pad = 34
    plot = size - 2 * pad

    def x(v: float) -> str:
        return _num(pad + plot * v)

    def y(v: float) -> str:
        return _num(size - pad - plot * v)

    body = [f'<line class="axis" x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(0)}"/>',
            f'<line class="axis" x1="{x(0)}" y1="{y(0)}" x2="{x(0)}" y2="{y(1)}"/>',
            f'<line class="diagonal" x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}"/>',
            f'<text class="tick" x="{x(0)}" y="{size - 8}">0</text>',
            f'<text class="tick" x="{x(1)}" y="{size - 8}" text-anchor="end">1 confidence</text>',
            f'<text class="tick" x="{pad - 4}" y="{y(1)}" text-anchor="end">1</text>']
    top = max((b["tasks"] for b in bins), default=1)
    for b in bins:
        r = 3 + 7 * (b["tasks"] / top) ** 0.5
        tip = (f"confidence {b['from']:.2f} to {b['to']:.2f}: {int(b['tasks'])} gold tasks, "
               f"mean confidence {b['confidence']:.2f}, accuracy {b['accuracy']:.2f}")
        body.append(f'<circle class="dot" data-tasks="{int(b["tasks"])}" cx="{x(b["confidence"])}"'
                    f' cy="{y(b["accuracy"])}" r="{_num(r)}"><title>{escape(tip)}</title></circle>')
    desc = ("; ".join(f"confidence {b['confidence']:.2f}: accuracy {b['accuracy']:.2f} over "
                      f"{int(b['tasks'])} tasks" for b in bins) or "no gold answers yet")
    return _svg(chart_id, title, desc, size, size, body)


def confusion_grid(chart_id: str, title: str, labels: Sequence[str],
                   matrix: Sequence[Sequence[float]]) -> Markup:
    """A confusion matrix as a grid: row = the true class, column = the answer given, each
    cell shaded by its probability (``fill-opacity``, a presentation attribute) and
    labelled with it."""
    cell = 44
    head = 120
    n = len(labels)
    width, height = head + n * cell + 4, head + n * cell + 4
    body = []
    for j, label in enumerate(labels):
        body.append(f'<text class="tick" x="{head + j * cell + cell / 2:.0f}" y="{head - 6}" '
                    f'text-anchor="middle">{escape(_short(label)[:6])}</text>')
    for i, (truth, row) in enumerate(zip(labels, matrix, strict=False)):
        y0 = head + i * cell
        body.append(f'<text class="label" x="{head - 6}" y="{y0 + cell / 2 + 5:.0f}" '
                    f'text-anchor="end">{escape(_short(truth)[:14])}</text>')
        for j, (given, p) in enumerate(zip(labels, row, strict=False)):
            tip = f"true {truth}, answered {given}: {p:.2f}"
            body.append(f'<g class="cell" data-true="{escape(truth)}" data-given="{escape(given)}"'
                        f' data-p="{p:.4f}"><rect class="heat" x="{head + j * cell}" y="{y0}" '
                        f'width="{cell - 2}" height="{cell - 2}" '
                        f'fill-opacity="{_num(0.08 + 0.9 * p)}">'
                        f'<title>{escape(tip)}</title></rect><text class="value" '
                        f'x="{head + j * cell + cell / 2 - 1:.0f}" y="{y0 + cell / 2 + 4:.0f}" '
                        f'text-anchor="middle">{p:.2f}</text></g>')
    desc = f"rows: the true class; columns: the answer given; {n} classes"
    return _svg(chart_id, title, desc, width, height, body)
