"""Numbers as the clinical and outcome rules accept them from a document or a caller.

A protocol's criteria and dose (JSON), a visit window, an arm's (baseline, follow-up) pairs: each
rule once validated its numbers its own way, and they drifted (one let ``NaN`` through, where every
comparison is false, so a criterion ``age >= NaN`` could never be met). One rule here:

* a **real number** is an ``int`` or a ``float``, finite; never a ``bool`` (``True`` is an ``int``
  in Python, but ``{"min": true}`` in a protocol is a mistake, not 1), never a string (a form's
  text is parsed where it is read, with the field named in its error);
* a **whole number** is an ``int``, never a ``bool``.

Both answer ``None`` for anything else, so the caller names the field in its own error;
:func:`check_fields` does it for a definition's attributes (a ``ValueError`` naming the field).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["check_fields", "real_number", "whole_number"]


def real_number(value: object) -> float | None:
    """``value`` as a float if it is a finite int or float (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def whole_number(value: object) -> int | None:
    """``value`` if it is an int (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def check_fields(
    owner: object, whole: Mapping[str, int] | None = None, real: Iterable[str] = ()
) -> None:
    """Raise ``ValueError`` naming the first attribute of ``owner`` in ``whole`` that is not a
    whole number of at least its bound, or in ``real`` that is not a real number."""
    for name, least in (whole or {}).items():
        value = getattr(owner, name)
        number = whole_number(value)
        if number is None or number < least:
            raise ValueError(f"{name} must be a whole number of at least {least}, got {value!r}")
    for name in real:
        value = getattr(owner, name)
        if real_number(value) is None:
            raise ValueError(f"{name} must be a finite number, got {value!r}")
