"""The recorded values of an exam laid out like the worksheet, read-only: every raw value in
its cell, with the marks a monitor left on it (an open query, verified against source)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cordtrack.isncsci.types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    NON_KEY_KEYS,
    SENSORY_LEVELS,
    VAC_KEY,
    Modality,
    flat_key,
)

from .bodymap import SIDE_NAMES
from .grid import COLUMNS, KEY_MUSCLE_NAMES, MODALITY_NAMES, level_label

#: The cells outside the grid, with their worksheet names.
EXTRA_CELLS: Final = (
    (VAC_KEY, gettext_lazy("Voluntary anal contraction (VAC)")),
    (DAP_KEY, gettext_lazy("Deep anal pressure (DAP)")),
    (NON_KEY_KEYS[COLUMNS[0][0]], gettext_lazy("Lowest non-key muscle with motor function, right")),
    (NON_KEY_KEYS[COLUMNS[3][0]], gettext_lazy("Lowest non-key muscle with motor function, left")),
)


def _cell(key: str, label: object, values: Mapping[str, str], marks: Mapping[str, Any]) -> dict:  # type: ignore[type-arg]
    return {"key": key, "label": label, "value": values.get(key, ""), "marks": marks.get(key, {})}


def value_rows(
    values: Mapping[str, str], marks: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One row per dermatome: label, key muscle, and six cells (None where the worksheet has no
    cell); each cell ``{"key", "label", "value", "marks"}``. ``marks`` maps a key to what the
    template shows on it (``{"query": n open, "verified": bool}``)."""
    marks = marks or {}
    rows = []
    for level in SENSORY_LEVELS:
        cells: list[dict[str, Any] | None] = []
        for side, modality in COLUMNS:
            if modality is Modality.MOTOR and level not in KEY_MUSCLE_LEVELS:
                cells.append(None)
                continue
            key = flat_key(level, side, modality)
            label = _("%(level)s %(side)s %(modality)s") % {
                "level": level_label(level), "side": SIDE_NAMES[side],
                "modality": MODALITY_NAMES[modality],
            }  # fmt: skip
            cells.append(_cell(key, label, values, marks))
        rows.append(
            {"level": level_label(level), "muscle": KEY_MUSCLE_NAMES.get(level, ""),
             "cells": cells}
        )  # fmt: skip
    return rows


def extra_cells(
    values: Mapping[str, str], marks: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    return [_cell(key, label, values, marks or {}) for key, label in EXTRA_CELLS]


def cell_label(key: str) -> str:
    """The worksheet name of an exam key (``c5RightMotor`` → "C5 right motor")."""
    for row in value_rows({}):
        for cell in row["cells"]:
            if cell is not None and cell["key"] == key:
                return str(cell["label"])
    return str(dict(EXTRA_CELLS).get(key, key))
