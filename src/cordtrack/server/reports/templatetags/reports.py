"""Template filters of the reports: percentages as ``cordtrack.outcomes`` formats them."""

from __future__ import annotations

from django import template

from cordtrack.outcomes import RateInterval, compatible_with, format_percent

register = template.Library()


@register.filter
def pct(interval: RateInterval | None) -> str:
    return "" if interval is None else format_percent(interval.estimate)


@register.filter
def pct_low(interval: RateInterval | None) -> str:
    return "" if interval is None else format_percent(interval.low)


@register.filter
def pct_high(interval: RateInterval | None) -> str:
    return "" if interval is None else format_percent(interval.high)


@register.filter
def plain(interval: RateInterval | None) -> str:
    """E.g. "compatible with up to 31%"."""
    return "" if interval is None else compatible_with(interval)


@register.filter
def points(fraction: float | None) -> str:
    """A difference of proportions in percentage points, signed: 0.052 -> "+5.2"."""
    return "" if fraction is None else f"{fraction * 100:+.1f}"


@register.filter
def percent(fraction: float | None) -> str:
    """A proportion as the reports print it: 0.052 -> "5.2%"."""
    return "" if fraction is None else format_percent(fraction)
