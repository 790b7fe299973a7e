"""Numbers as the clinical and outcome rules accept them from a document or a caller.

A protocol's criteria and dose (JSON), a visit window, an arm's (baseline, follow-up) pairs: each
rule once validated its numbers its own way, and they drifted (one let ``NaN`` through, where every
comparison is false, so a criterion ``age >= NaN`` could never be met). One rule here:

* a **real number** is an ``int`` or a ``float``, finite; never a ``bool`` (``True`` is an ``int``
  in Python, but ``{"min": true}`` in a protocol is a mistake, not 1), never a string (a form's
  text is parsed where it is read, with the field named in its error);
* a **whole number** is an ``int``, never a ``bool``.

Both answer ``None`` for anything else, so the caller names the field in its own error.
"""

from __future__ import annotations

import math

__all__ = ["real_number", "whole_number"]


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
