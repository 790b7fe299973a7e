"""``isodate`` prints what Django's ``date:"Y-m-d"`` prints (``dateformats``, ADR 0062)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

BOTH = Template('{{ v|date:"Y-m-d" }}|{{ v|isodate }}')


def rendered(value: object) -> tuple[str, str]:
    left, right = BOTH.render(Context({"v": value})).split("|")
    return left, right


@given(st.dates())
def test_a_date_is_printed_as_django_prints_it(value: dt.date) -> None:
    left, right = rendered(value)
    assert left == right


ZONES = [dt.UTC, zoneinfo.ZoneInfo("Asia/Bangkok"), zoneinfo.ZoneInfo("America/Mexico_City")]


@given(st.datetimes(timezones=st.sampled_from(ZONES)))
def test_an_aware_datetime_is_the_day_it_is_in_the_current_time_zone(value: dt.datetime) -> None:
    """Near midnight the day differs from the UTC one: both filters take local time first."""
    for zone in ("UTC", "Asia/Kolkata", "Pacific/Auckland"):
        with timezone.override(zone):
            left, right = rendered(value)
            assert left == right


@given(st.datetimes())
def test_a_naive_datetime_is_printed_as_django_prints_it(value: dt.datetime) -> None:
    left, right = rendered(value)
    assert left == right


def test_what_is_not_a_date_is_left_to_djangos_filter() -> None:
    for value in (None, "", "2026-12-07", 5, "not a date"):
        left, right = rendered(value)
        assert left == right
