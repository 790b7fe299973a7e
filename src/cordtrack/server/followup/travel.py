"""Travel of an international patient to a visit (ADR 0049): the checks on the planned stay and
the interpreter's language.

A stay is the patient's time near the site, from arrival to departure. It must make sense for the
visit it serves: departure not before arrival, some day of it inside the visit window (or the
trip misses the visit), and at most :data:`MAX_STAY_DAYS` long (a longer stay is a relocation,
and a letter vouching for it would be used for more than a visit).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf.locale import LANG_INFO

#: The longest stay a visit's travel letter vouches for, arrival to departure, in days.
MAX_STAY_DAYS = 180


@cache
def interpreter_languages() -> tuple[tuple[str, str], ...]:
    """``(code, English name)`` of every language Django knows (ISO 639 codes, as
    ``settings.LANGUAGES`` uses), by name: an interpreter may be needed for a language the
    registry's pages are not translated into."""
    named = {code: info["name"] for code, info in LANG_INFO.items() if "name" in info}
    return tuple(sorted(named.items(), key=lambda item: (item[1], item[0])))


def language_name(code: str) -> str:
    """The English name of a language code ("" for none, the code itself when unknown)."""
    if not code:
        return ""
    return dict(interpreter_languages()).get(code, code)


def stay_errors(
    window_open: dt.date,
    window_close: dt.date,
    arrival: dt.date | None,
    departure: dt.date | None,
) -> dict[str, list[str]]:
    """Field errors of a planned stay against a visit window (empty when it is fine). Either date
    may be unknown yet; what is known is checked."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    window = f"{window_open.isoformat()} to {window_close.isoformat()}"
    if arrival is not None and departure is not None and departure < arrival:
        add("departure_date", "is before the arrival date")
        return errors
    if arrival is not None and arrival > window_close:
        add("arrival_date", f"is after the visit window ({window}) closes")
    if departure is not None and departure < window_open:
        add("departure_date", f"is before the visit window ({window}) opens")
    if arrival is not None and departure is not None:
        days = (departure - arrival).days
        if days > MAX_STAY_DAYS:
            add("departure_date", f"makes a stay of {days} days, more than {MAX_STAY_DAYS}")
    return errors
