"""Errors raised by the ISNCSCI engine.

Exception tree::

    ISNCSCIError
    └── ExamValidationError      an exam has one or more invalid fields (``.errors``)
"""

from __future__ import annotations

from dataclasses import dataclass


class ISNCSCIError(Exception):
    """Base class of every error the engine raises."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: its flat key, the value given, and what is wrong with it."""

    field: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ExamValidationError(ISNCSCIError, ValueError):
    """The exam has invalid fields. ``errors`` lists every one, in worksheet order."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))
