"""What the OpenAPI document promises about values, so that a client (or schemathesis) generating
requests from it sends only what the API accepts, and the API refuses everything else.

- Scalars are strict: a JSON ``0`` is not a boolean, ``"5"`` is not an integer and ``0`` is not a
  date (Pydantic's lax mode would take all three, against the document).
- Choices carry their ``enum``; the services still check them, with their field-level messages.
- An exam's ``values`` document the 134 flat keys of the worksheet, each with its value set, and
  which keys a complete (non-draft) exam needs; the engine's parser checks them at run time (its
  messages name the key and the value meant, which a generic enum error would not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Final

from pydantic import BeforeValidator, Field, StrictBool, StrictFloat, StrictInt

from cordtrack import isncsci
from cordtrack.isncsci.exam import MOTOR_CELLS, NON_KEY_LEVELS, SENSORY_CELLS
from cordtrack.isncsci.types import DAP_KEY, NON_KEY_KEYS, RESULT_LEVELS, VAC_KEY, Binary

MAX_ID: Final = 2**31 - 1

Bool = StrictBool
Int = StrictInt
#: A JSON number (an integer too); ``"36.6"`` is refused.
Number = StrictFloat
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _text(what: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str | dt.date):
            return value
        raise ValueError(f"must be {what} written as text")

    return check


#: A date as JSON text (``"2026-01-31"``); a number is refused.
Day = Annotated[dt.date, BeforeValidator(_text("a date (YYYY-MM-DD)"))]
#: A date and time as JSON text (ISO 8601); a number is refused.
Moment = Annotated[dt.datetime, BeforeValidator(_text("a date and time (ISO 8601)"))]


def one_of(values: Iterable[str], default: Any = ..., **kwargs: Any) -> Any:
    """A string field whose document lists its choices (``enum``); ``default`` as in Field (a
    default of None makes null one of the choices: the field is then optional)."""
    choices: list[Any] = [*values, *([None] if default is None else [])]
    return Field(default, json_schema_extra={"enum": choices}, **kwargs)


# The flat exam keys and the values each takes (cordtrack.isncsci: the 2019 worksheet).
_NON_KEY: Final = frozenset(NON_KEY_KEYS.values())
_BINARY_KEYS: Final = frozenset((VAC_KEY, DAP_KEY))
#: Keys a complete exam must fill (the lowest non-key muscles are optional).
REQUIRED_EXAM_KEYS: Final = tuple(k for k in isncsci.EXAM_KEYS if k not in _NON_KEY)


def _cell_values(key: str) -> list[str]:
    if key in _BINARY_KEYS:
        return [b.value for b in Binary]
    if key in _NON_KEY:
        return [level for level in RESULT_LEVELS if level in NON_KEY_LEVELS]
    table = MOTOR_CELLS if key.endswith("Motor") else SENSORY_CELLS
    return list(table)


def exam_values_schema(*, complete: bool, description: str) -> dict[str, Any]:
    """The JSON schema of an exam's ``values``. ``""`` is an empty cell: allowed in a draft, and
    for the optional keys of a complete exam."""
    properties: dict[str, Any] = {}
    for key in isncsci.EXAM_KEYS:
        empty_allowed = not complete or key in _NON_KEY
        values = _cell_values(key) + ([""] if empty_allowed else [])
        properties[key] = {"type": "string", "enum": values}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": description,
    }
    if complete:
        schema["required"] = list(REQUIRED_EXAM_KEYS)
    return schema


def unknown_exam_keys(values: Iterable[str]) -> list[str]:
    """Keys of ``values`` that are not worksheet keys, in the order given."""
    known = frozenset(isncsci.EXAM_KEYS)
    return [k for k in values if k not in known]


def conditions_schema(conditions: Iterable[str]) -> dict[str, Any]:
    """An object of known condition names, each true, false or null (not assessed)."""
    return {
        "type": "object",
        "properties": {c: {"anyOf": [{"type": "boolean"}, {"type": "null"}]} for c in conditions},
        "additionalProperties": False,
    }


__all__ = [
    "MAX_ID",
    "REQUIRED_EXAM_KEYS",
    "Bool",
    "Day",
    "Id",
    "Int",
    "Moment",
    "Number",
    "conditions_schema",
    "exam_values_schema",
    "one_of",
    "unknown_exam_keys",
]
