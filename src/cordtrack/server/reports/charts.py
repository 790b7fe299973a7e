"""Hand-written SVG charts (no library): presentation attributes only, no inline style, so that
the pages keep the strict Content Security Policy; WeasyPrint draws the same SVG in the PDFs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Final

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cordtrack.outcomes import KaplanMeierCurve, RateInterval

FONT: Final = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'
INK: Final = "#1f2933"
ACCENT: Final = "#1d5fa8"
BAND: Final = "#c9d9ee"
REFERENCE: Final = "#e0b44c"


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}" {FONT} {extra}>'
        f"{escape(text)}</text>"
    )


def _svg(width: int, height: int, title: str, body: Sequence[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")


def km_svg(curve: KaplanMeierCurve | None, title: str, width: int = 560, height: int = 280) -> str:
    """Cumulative proportion with a first AIS improvement, 1 − S(t), with its 95% band."""
    left, right, top, bottom = 48, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    if curve is None or not curve.steps:
        return _svg(width, 60, title, [_text(8, 30, "No patient with an AIS follow-up yet.")])
    horizon = max(s.time for s in curve.steps) or 1.0

    def x(t: float) -> float:
        return left + plot_w * t / horizon

    def y(p: float) -> float:
        return top + plot_h * (1 - p)

    body = [
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{left + plot_w}" y2="{y(0):.1f}" stroke="{INK}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="{INK}"/>',
    ]
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(_text(left - 6, y(p) + 4, f"{round(p * 100)}%", "end"))
    for t in _ticks(horizon):
        body.append(_text(x(t), y(0) + 16, f"{t:g}", "middle"))
    body.append(_text(left + plot_w / 2, height - 6, "days after baseline exam", "middle"))
    # Step function and band, from (0, 0).
    line = [f"M{x(0):.1f},{y(0):.1f}"]
    band_top: list[tuple[float, float]] = []
    band_low: list[tuple[float, float]] = []
    previous, prev_lo, prev_hi = 0.0, 0.0, 0.0
    for step in curve.steps:
        cum = 1 - step.survival
        line.append(f"H{x(step.time):.1f}V{y(cum):.1f}")
        if step.low is not None and step.high is not None:
            lo, hi = 1 - step.high, 1 - step.low
            band_top += [(step.time, prev_hi), (step.time, hi)]
            band_low += [(step.time, prev_lo), (step.time, lo)]
            prev_lo, prev_hi = lo, hi
        previous = cum
        if step.censored:
            body.append(
                f'<line x1="{x(step.time):.1f}" y1="{y(cum) - 4:.1f}" x2="{x(step.time):.1f}" '
                f'y2="{y(cum) + 4:.1f}" stroke="{INK}"/>'
            )
    if band_top:
        pts = [(0.0, 0.0), *band_top, (horizon, prev_hi), (horizon, prev_lo), *band_low[::-1]]
        poly = " ".join(f"{x(t):.1f},{y(p):.1f}" for t, p in pts)
        body.insert(0, f'<polygon points="{poly}" fill="{BAND}" stroke="none"/>')
    line.append(f"H{x(horizon):.1f}")
    body.append(f'<path d="{"".join(line)}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
    body.append(_text(left + 6, top + 12, f"{curve.events} improved of {curve.patients}; "
                      f"last value {round(previous * 100)}% (ticks: censored)"))  # fmt: skip
    return _svg(width, height, title, body)


def _ticks(horizon: float) -> list[float]:
    step = next(s for s in (30, 60, 90, 180, 365, 730, 1e9) if horizon / s <= 6)
    return [i * step for i in range(int(horizon // step) + 1)]


def intervals_svg(
    rows: Sequence[tuple[str, RateInterval | None, tuple[float, float] | None]],
    title: str,
    width: int = 560,
) -> str:
    """One row per group: the rate and its 95% interval, beside the natural-history range (%)."""
    label_w, right, row_h, top = 200, 16, 26, 22
    plot_w = width - label_w - right
    height = top + row_h * max(1, len(rows)) + 28

    def x(p: float) -> float:
        return label_w + plot_w * p

    body = [_text(label_w, 12, "measured rate, 95% interval (blue); natural history (gold)")]
    for i, (label, interval, reference) in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        body.append(_text(label_w - 8, cy + 4, label[:34], "end"))
        if reference is not None:
            lo, hi = reference[0] / 100, reference[1] / 100
            body.append(
                f'<rect x="{x(lo):.1f}" y="{cy - 8:.1f}" width="{max(2.0, x(hi) - x(lo)):.1f}" '
                f'height="16" fill="{REFERENCE}" opacity="0.6"/>'
            )
        if interval is None:
            body.append(_text(x(0) + 4, cy + 4, "no patient due"))
            continue
        body.append(
            f'<line x1="{x(interval.low):.1f}" y1="{cy:.1f}" x2="{x(interval.high):.1f}" '
            f'y2="{cy:.1f}" stroke="{ACCENT}" stroke-width="2"/>'
            f'<circle cx="{x(interval.estimate):.1f}" cy="{cy:.1f}" r="4" fill="{ACCENT}"/>'
        )
    axis_y = top + row_h * max(1, len(rows)) + 4
    body.append(f'<line x1="{x(0)}" y1="{axis_y}" x2="{x(1)}" y2="{axis_y}" stroke="{INK}"/>')
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(_text(x(p), axis_y + 16, f"{round(p * 100)}%", "middle"))
    return _svg(width, height, title, body)


def series_svg(
    series: Mapping[str, Sequence[tuple[int, int]]],
    maxima: Mapping[str, int],
    title: str,
    width: int = 260,
    height: int = 150,
) -> list[str]:
    """A small chart per measure: value against days after baseline (baseline is day 0)."""
    charts: list[str] = []
    left, right, top, bottom = 36, 12, 20, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    for name, points in series.items():
        top_value = maxima.get(name, max(v for _, v in points)) or 1
        horizon = max(max(d for d, _ in points), 1)

        def x(d: float, horizon: float = horizon) -> float:
            return left + plot_w * d / horizon

        def y(v: float, top_value: float = top_value) -> float:
            return top + plot_h * (1 - v / top_value)

        body = [
            _text(left, 13, name),
            f'<line x1="{left}" y1="{y(0):.1f}" x2="{left + plot_w}" y2="{y(0):.1f}" '
            f'stroke="{INK}"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="{INK}"/>',
            _text(left - 4, y(0) + 4, "0", "end"),
            _text(left - 4, y(top_value) + 4, str(top_value), "end"),
            _text(left + plot_w, height - 8, gettext("day %(day)s") % {"day": horizon}, "end"),
        ]
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
        for d, v in points:
            body.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{ACCENT}"/>')
        charts.append(_svg(width, height, f"{title}: {name}", body))
    return charts
