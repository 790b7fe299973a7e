"""Exam builders for tests: worksheets written as small grids instead of 134-key dicts.

exam = worksheet('''
    normal to T6      # both sides: C2..T6 normal, everything below absent
    R T7  touch 1     # then single-cell overrides: side, segment, modality, value
    L C6  motor NT*
    VAC No  DAP Yes
''')
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cordtrack.isncsci.types import DAP_KEY, KEY_MUSCLE_LEVELS, SENSORY_LEVELS, VAC_KEY

SIDES = {"R": "Right", "L": "Left"}
MODALITIES = {"touch": "Touch", "prick": "Prick", "motor": "Motor"}


#: The 128 published ISNCSCI 2019 cases, vendored with their source and licence
#: (tests/data/isncsci/README.md).
PUBLISHED_CASES = (
    Path(__file__).resolve().parents[1] / "data" / "isncsci" / "2019-published-cases.json"
)


@cache
def published_cases() -> tuple[dict[str, object], ...]:
    return tuple(json.loads(PUBLISHED_CASES.read_text(encoding="utf-8")))


def normal_to(level: str | None, sides: str = "RL") -> dict[str, str]:
    """Every segment normal down to ``level`` (inclusive) and absent below it; ``None``: all
    normal. VAC and DAP follow: present when all normal, absent otherwise."""
    last = len(SENSORY_LEVELS) if level is None else SENSORY_LEVELS.index(level.upper()) + 1
    flat: dict[str, str] = {}
    for side in SIDES.values():
        for i, segment in enumerate(SENSORY_LEVELS):
            normal = i < last
            flat[f"{segment.lower()}{side}Touch"] = "2" if normal else "0"
            flat[f"{segment.lower()}{side}Prick"] = "2" if normal else "0"
            if segment in KEY_MUSCLE_LEVELS:
                flat[f"{segment.lower()}{side}Motor"] = "5" if normal else "0"
    flat[VAC_KEY] = flat[DAP_KEY] = "Yes" if level is None else "No"
    return flat


def worksheet(text: str) -> dict[str, str]:
    """Build a flat exam from a few lines (see the module docstring)."""
    flat: dict[str, str] = {}
    for raw in text.strip().splitlines():
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        if line[0] == "normal":
            target = None if line[-1] == "everywhere" else line[-1]
            flat.update(normal_to(target))
        elif line[0] in ("VAC", "DAP"):
            pairs = dict(zip(line[::2], line[1::2], strict=True))
            for name, value in pairs.items():
                flat[VAC_KEY if name == "VAC" else DAP_KEY] = value
        elif line[0] in ("NK", "nk"):
            flat[f"{SIDES[line[1]].lower()}LowestNonKeyMuscleWithMotorFunction"] = line[2]
        else:
            sides, segment, modality, value = line
            for s in sides:
                for m in modality.split("+"):
                    flat[f"{segment.lower()}{SIDES[s]}{MODALITIES[m]}"] = value
    return flat
