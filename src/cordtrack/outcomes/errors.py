"""Errors raised by the outcome statistics.

Exception tree::

    OutcomesError
    ├── UndefinedRateError    a rate was asked of an empty denominator (0 of 0)
    └── ClaimParseError       a claim's text holds no percentage, or an ambiguous one

Both are also ``ValueError`` so that callers validating input can catch either.
"""

from __future__ import annotations

__all__ = ["ClaimParseError", "OutcomesError", "UndefinedRateError"]


class OutcomesError(Exception):
    """Base class of every error ``cordtrack.outcomes`` raises."""


class UndefinedRateError(OutcomesError, ValueError):
    """A proportion with a zero denominator: there is no rate and no interval to report."""


class ClaimParseError(OutcomesError, ValueError):
    """The claim text has no percentage (or several unrelated ones) to check."""
