"""Errors raised by the clinical rules.

Exception tree::

    ClinicalError
    ├── InstrumentValidationError   answers to an instrument have bad items
    ├── DefinitionError             a protocol or visit schedule definition is malformed
    └── SafetyValidationError       an adverse-event assessment is invalid or inconsistent

Every error that can list several problems carries them all, as :class:`ItemError` rows, so that a
form can mark every bad field at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ClinicalError",
    "DefinitionError",
    "InstrumentValidationError",
    "ItemError",
    "SafetyValidationError",
    "show_value",
]


def show_value(value: object) -> str:
    """Render a submitted value for an error message: integers bare, anything else quoted."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(value)


@dataclass(frozen=True, slots=True)
class ItemError:
    """One bad item: its key, the value given, and what is wrong with it."""

    key: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ClinicalError(Exception):
    """Base class of every error the clinical rules raise."""


class _MultiItemError(ClinicalError, ValueError):
    def __init__(self, errors: Iterable[ItemError]) -> None:
        self.errors: tuple[ItemError, ...] = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


class InstrumentValidationError(_MultiItemError):
    """Answers to an instrument have invalid, missing or unknown items; ``errors`` lists each."""


class DefinitionError(_MultiItemError):
    """An eligibility protocol or visit schedule is malformed; ``errors`` lists each problem."""


class SafetyValidationError(_MultiItemError):
    """An adverse-event assessment is invalid or internally inconsistent."""
