"""The worksheet's layout: rows like the 2019 ISNCSCI worksheet, right side then left side."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from cordtrack.isncsci.types import KEY_MUSCLE_LEVELS, SENSORY_LEVELS, Modality, Side, flat_key

#: Key muscles as printed on the worksheet (ISNCSCI 2019, key muscle list).
KEY_MUSCLE_NAMES: Final = {
    "C5": _("Elbow flexors"),
    "C6": _("Wrist extensors"),
    "C7": _("Elbow extensors"),
    "C8": _("Finger flexors"),
    "T1": _("Finger abductors"),
    "L2": _("Hip flexors"),
    "L3": _("Knee extensors"),
    "L4": _("Ankle dorsiflexors"),
    "L5": _("Long toe extensors"),
    "S1": _("Ankle plantar flexors"),
}

#: Columns left to right: (side, modality); the worksheet mirrors the left side.
COLUMNS: tuple[tuple[Side, Modality], ...] = (
    (Side.RIGHT, Modality.MOTOR),
    (Side.RIGHT, Modality.TOUCH),
    (Side.RIGHT, Modality.PRICK),
    (Side.LEFT, Modality.TOUCH),
    (Side.LEFT, Modality.PRICK),
    (Side.LEFT, Modality.MOTOR),
)
MODALITY_NAMES = {
    Modality.MOTOR: _("motor"),
    Modality.TOUCH: _("light touch"),
    Modality.PRICK: _("pin prick"),
}


def level_label(level: str) -> str:
    return level.replace("_", "-")


def annotate(form: forms.Form) -> None:
    """Accessible names, grid coordinates and input hints on every exam cell of ``form``."""
    for row, level in enumerate(SENSORY_LEVELS):
        for col, (side, modality) in enumerate(COLUMNS):
            if modality is Modality.MOTOR and level not in KEY_MUSCLE_LEVELS:
                continue
            field = form.fields[flat_key(level, side, modality)]
            field.widget.attrs.update(
                {
                    "aria-label": f"{level_label(level)} {side.value.lower()} "
                    f"{MODALITY_NAMES[modality]}",
                    "data-row": str(row),
                    "data-col": str(col),
                    "class": f"cell {modality.value.lower()}",
                    "autocomplete": "off",
                    "spellcheck": "false",
                    "size": "3",
                }
            )


def rows(form: forms.Form) -> list[dict[str, Any]]:
    """One dict per dermatome: its label, the key muscle name and the six cells (or None)."""
    out = []
    for level in SENSORY_LEVELS:
        cells: list[forms.BoundField | None] = []
        for side, modality in COLUMNS:
            if modality is Modality.MOTOR and level not in KEY_MUSCLE_LEVELS:
                cells.append(None)
            else:
                cells.append(form[flat_key(level, side, modality)])
        out.append(
            {
                "level": level_label(level),
                "value": level,
                "muscle": KEY_MUSCLE_NAMES.get(level, ""),
                "cells": cells,
            }
        )
    return out


LEVEL_CHOICES = [(level, level_label(level)) for level in SENSORY_LEVELS]
