"""A schematic body map: one labelled region per dermatome and side, coloured by sensation.

Not anatomy: a front view reduced to bands (head, arms, trunk, legs, sacral) so that a reader can
see at a glance where light touch and pin prick are normal, impaired, absent or not testable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cordtrack.isncsci.types import SENSORY_LEVELS, Modality, Side, flat_key

CENTER = 130
WIDTH = 260
HEIGHT = 370


def _stack(levels: tuple[str, ...], x0: int, x1: int, y: int, h: int) -> dict[str, tuple[int, ...]]:
    return {level: (x0, x1, y + i * h, h) for i, level in enumerate(levels)}


_L = SENSORY_LEVELS
#: level -> (inner x offset, outer x offset, top y, height) for the right side; mirrored left.
GEOMETRY: dict[str, tuple[int, ...]] = {
    **_stack(_L[0:3], 0, 28, 8, 15),  # C2-C4: head and neck
    **_stack(_L[3:8], 62, 92, 60, 24),  # C5-T1: arm
    **_stack(_L[8:20], 4, 56, 60, 12),  # T2-L1: trunk
    **_stack(_L[20:25], 18, 52, 212, 28),  # L2-S1: leg
    **_stack(_L[25:28], 0, 14, 208, 12),  # S2-S4-5: saddle
}

STATES = {
    "normal": gettext_lazy("normal (2)"),
    "impaired": gettext_lazy("impaired"),
    "absent": gettext_lazy("absent (0)"),
    "nt": gettext_lazy("not testable"),
    "empty": gettext_lazy("not entered"),
}
#: A side as a word in a region's title (the patient's side, not the viewer's).
SIDE_NAMES = {Side.RIGHT: gettext_lazy("right"), Side.LEFT: gettext_lazy("left")}


def sensation_state(touch: str, prick: str) -> str:
    """normal, impaired, absent, nt or empty for one dermatome's two sensory values."""
    grades = [v.strip()[:1] for v in (touch, prick)]
    if not all(grades):
        return "empty"
    if all(g == "2" for g in grades):
        return "normal"
    if all(g == "0" for g in grades):
        return "absent"
    if any(g in "01" for g in grades):
        return "impaired"
    return "nt" if any(g.upper() == "N" for g in grades) else "impaired"


@dataclass(frozen=True)
class Region:
    level: str
    side: str
    x: int
    y: int
    w: int
    h: int
    state: str
    title: str

    @property
    def label_x(self) -> int:
        return self.x + self.w // 2

    @property
    def label_y(self) -> int:
        return self.y + self.h // 2 + 3


def regions(values: Mapping[str, object]) -> list[Region]:
    """Every dermatome × side as a drawable region with its sensation state."""
    out = []
    for side in (Side.RIGHT, Side.LEFT):
        for level in SENSORY_LEVELS:
            inner, outer, y, h = GEOMETRY[level]
            touch = str(values.get(flat_key(level, side, Modality.TOUCH)) or "")
            prick = str(values.get(flat_key(level, side, Modality.PRICK)) or "")
            state = sensation_state(touch, prick)
            # The patient's right is on the viewer's left, as on the worksheet's front view.
            x = CENTER - outer if side is Side.RIGHT else CENTER + inner
            name = level.replace("_", "-")
            title = _(
                "%(level)s %(side)s: light touch %(touch)s, pin prick %(prick)s (%(state)s)"
            ) % {"level": name, "side": SIDE_NAMES[side], "touch": touch or "—",
                 "prick": prick or "—", "state": STATES[state]}  # fmt: skip
            out.append(Region(name, side.value.lower(), x, y, outer - inner, h, state, title))
    return out
