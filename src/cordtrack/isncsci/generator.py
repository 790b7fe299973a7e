"""Seeded generator of plausible synthetic ISNCSCI exams, in the flat key format.

For tests, demos and benchmarks only: every exam is made up, none describes a patient. An exam is
drawn as a clinician would see one: an injury level (C2 to S3, or an intact exam) and an AIS-like
severity, normal function above the level on each side (the sides may differ by a level or a
grade), a few partially preserved segments below it, absent or partial function further down, and
sacral function (S4-5 sensation, VAC, DAP) consistent with the severity. A configurable small share
of cells is not testable (``NT``) or starred (``*`` considered not normal, ``**`` considered
normal); full scores (2, 5) are never starred, as in the 2019 value set.

    >>> exams = list(generate_exams(2, seed=7))
    >>> exams[0]["id"], len(exams[0])
    ('syn-1', 137)
"""

from __future__ import annotations

import csv
import json
import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Final

from .exam import EXAM_KEYS
from .types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    KEY_MUSCLE_SEGMENT,
    MOTOR_NORMAL,
    NON_KEY_KEYS,
    SENSORY_LEVELS,
    SENSORY_NORMAL,
    VAC_KEY,
    Binary,
    Modality,
    Side,
    Star,
    flat_key,
)

__all__ = ["FIELDNAMES", "generate_exams", "write_exams"]

#: Columns of a generated exam: ``id`` first, then every exam key.
FIELDNAMES: Final = ("id", *EXAM_KEYS)

_N_SENSORY: Final = len(SENSORY_LEVELS)
_N_MOTOR: Final = len(KEY_MUSCLE_LEVELS)
_S4_5: Final = _N_SENSORY - 1  # the sacral dermatome is never an injury level

# Cell keys of one exam, in the order the generator fills them: per side touch, prick, motor.
_CELL_KEYS: Final = tuple(
    flat_key(level, side, modality)
    for side in Side
    for modality, levels in (
        (Modality.TOUCH, SENSORY_LEVELS),
        (Modality.PRICK, SENSORY_LEVELS),
        (Modality.MOTOR, KEY_MUSCLE_LEVELS),
    )
    for level in levels
)
_SIDE_WIDTH: Final = 2 * _N_SENSORY + _N_MOTOR
#: The full (normal) score of each cell, which is never starred.
_FULL: Final = tuple(
    str(MOTOR_NORMAL) if key.endswith(Modality.MOTOR.value) else str(SENSORY_NORMAL)
    for key in _CELL_KEYS
)
#: Positions of the S4-5 cells (touch and prick, both sides).
_S4_5_CELLS: Final = tuple(
    side * _SIDE_WIDTH + modality * _N_SENSORY + _S4_5 for side in range(2) for modality in range(2)
)
_MUSCLE_SEGMENTS: Final = tuple(KEY_MUSCLE_SEGMENT[m] for m in KEY_MUSCLE_LEVELS)

_SENSORY_FULL: Final = str(SENSORY_NORMAL)
_MOTOR_FULL: Final = str(MOTOR_NORMAL)
_NT: Final = Binary.NT.value
_STARS: Final = (Star.NOT_NORMAL.value, Star.NORMAL.value)

# Injury levels as indices into SENSORY_LEVELS (C2..S3), weighted roughly as traumatic injuries
# fall: most at C4-C6, then the rest of the cervical cord and the thoracolumbar junction.
_LEVEL_WEIGHTS: Final = (
    2, 3, 8, 9, 7, 4, 3,                    # C2..C8
    3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3,     # T1..T12
    3, 1, 1, 1, 1, 0.5, 0.5, 0.5,           # L1..L5, S1..S3
)  # fmt: skip
_LEVEL_CUM: Final = tuple(
    accumulate(w for _, w in zip(SENSORY_LEVELS[:_S4_5], _LEVEL_WEIGHTS, strict=True))
)

# Severity, AIS-like: 0 = A (complete) .. 3 = D, complete injuries the most frequent.
_A, _B, _C, _D = range(4)
_SEVERITY_CUM: Final = (0.45, 0.57, 0.75, 1.0)

_Table = tuple[tuple[str, ...], tuple[float, ...]]
# Cell values drawn below the zone of partial preservation, per severity, as (values, cum weights).
_SENSORY_BELOW: Final = (
    (("0",), (1.0,)),
    (("0", "1", "2"), (0.3, 0.8, 1.0)),
    (("0", "1", "2"), (0.2, 0.7, 1.0)),
    (("0", "1", "2"), (0.1, 0.5, 1.0)),
)
_MOTOR_BELOW: Final = (
    (("0",), (1.0,)),
    (("0",), (1.0,)),
    (("0", "1", "2", "3", "4"), (0.35, 0.6, 0.8, 0.93, 1.0)),
    (("2", "3", "4", "5"), (0.1, 0.4, 0.8, 1.0)),
)
_PARTIAL_SENSORY: Final = (("0", "1", "2"), (0.15, 0.85, 1.0))
_PARTIAL_MOTOR: Final = (("0", "1", "2", "3"), (0.2, 0.5, 0.8, 1.0))
_AT_LEVEL_MOTOR: Final = (("3", "4", "5"), (0.3, 0.7, 1.0))


def _draw(rng: random.Random, table: _Table, k: int) -> list[str]:
    """``k`` values drawn from ``table`` (values, cumulative weights), in one call."""
    values, cum = table
    if len(values) == 1 or k <= 0:
        return [values[0]] * k
    return rng.choices(values, cum_weights=cum, k=k)


def _index(rng: random.Random, cum: tuple[float, ...]) -> int:
    """An index drawn with the weights whose running sums are ``cum``."""
    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)


def _side_cells(rng: random.Random, level: int, severity: int, zpp: int) -> list[str]:
    """Touch, prick and motor cells of one side: normal down to dermatome ``level``, then
    ``zpp`` partially preserved segments (sensory and motor complete injuries), then the severity's
    pattern."""
    cells: list[str] = []
    below = _N_SENSORY - level - 1
    partial = min(zpp, below)
    for _modality in range(2):
        cells += [_SENSORY_FULL] * (level + 1)
        cells += _draw(rng, _PARTIAL_SENSORY, partial)
        cells += _draw(rng, _SENSORY_BELOW[severity], below - partial)
    # Key muscles are in rostro-caudal order: normal above the level, one at it, then below.
    above = bisect_left(_MUSCLE_SEGMENTS, level)
    at = bisect_right(_MUSCLE_SEGMENTS, level) - above
    partial = bisect_right(_MUSCLE_SEGMENTS, level + zpp) - above - at if severity <= _B else 0
    cells += [_MOTOR_FULL] * above
    cells += _draw(rng, _AT_LEVEL_MOTOR, at)
    cells += _draw(rng, _PARTIAL_MOTOR, partial)
    cells += _draw(rng, _MOTOR_BELOW[severity], _N_MOTOR - above - at - partial)
    return cells


def _sacral(rng: random.Random, severity: int, cells: list[str]) -> tuple[str, str]:
    """Set S4-5 sensation on both sides and return (VAC, DAP), consistent with the severity:
    a complete injury spares nothing sacral; an incomplete one spares sensation or VAC."""
    if severity == _A:
        for i in _S4_5_CELLS:
            cells[i] = "0"
        return Binary.NO.value, Binary.NO.value
    yes, no = Binary.YES.value, Binary.NO.value
    dap = yes if rng.random() < 0.7 else no
    vac = no if severity == _B else yes if rng.random() < (0.5 if severity == _C else 0.85) else no
    if dap == no and all(cells[i] == "0" for i in _S4_5_CELLS):
        # Some sacral sensory sparing keeps the injury incomplete.
        cells[rng.choice(_S4_5_CELLS)] = "1"
    return vac, dap


def _noise(rng: random.Random, cells: list[str], nt_rate: float, star_rate: float) -> None:
    """Make a share of the cells not testable or starred. The next affected cell is drawn from a
    geometric distribution, so the cost is per affected cell, not per cell."""
    for rate, starred in ((nt_rate, False), (star_rate, True)):
        if rate <= 0.0:
            continue
        log_keep = math.log1p(-rate) if rate < 1.0 else None
        i = -1
        while True:
            # 1 - random() is in (0, 1], so the logarithm is defined.
            i += 1 if log_keep is None else 1 + int(math.log(1.0 - rng.random()) / log_keep)
            if i >= len(cells):
                break
            if not starred:
                cells[i] = _NT
            elif cells[i] != _FULL[i]:  # a full score carries no star
                cells[i] += _STARS[rng.random() < 0.5]


def generate_exams(
    n: int,
    seed: int = 0,
    *,
    nt_rate: float = 0.01,
    star_rate: float = 0.005,
    intact_rate: float = 0.03,
    non_key_rate: float = 0.05,
    id_prefix: str = "syn-",
) -> Iterator[dict[str, str]]:
    """Yield ``n`` plausible synthetic exams as flat dicts (``id`` first, then every exam key).

    The same arguments always give the same exams. ``nt_rate`` is the share of cells made not
    testable (VAC and DAP too); ``star_rate`` the share of cells drawn to carry ``*`` or ``**``
    (a full score drawn stays unstarred); ``intact_rate`` the share of exams without an injury;
    ``non_key_rate`` the share of sides that name a lowest non-key muscle (a key-muscle level, C5
    to S1, below the side's level; ``""`` when none). Raises ValueError for a rate outside [0, 1].
    """
    for name, rate in (("nt_rate", nt_rate), ("star_rate", star_rate),
                       ("intact_rate", intact_rate), ("non_key_rate", non_key_rate)):  # fmt: skip
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, not {rate!r}")
    return _generate(
        n, random.Random(seed), nt_rate, star_rate, intact_rate, non_key_rate, id_prefix
    )


def _generate(
    n: int, rng: random.Random, nt_rate: float, star_rate: float, intact_rate: float,
    non_key_rate: float, id_prefix: str,
) -> Iterator[dict[str, str]]:  # fmt: skip
    for number in range(1, n + 1):
        vac, dap, cells, non_key = _exam(rng, intact_rate, non_key_rate)
        _noise(rng, cells, nt_rate, star_rate)
        if nt_rate and rng.random() < nt_rate:
            vac = _NT
        if nt_rate and rng.random() < nt_rate:
            dap = _NT
        exam = {"id": f"{id_prefix}{number}", VAC_KEY: vac, DAP_KEY: dap}
        exam.update(zip(_CELL_KEYS, cells, strict=True))
        exam[NON_KEY_KEYS[Side.RIGHT]], exam[NON_KEY_KEYS[Side.LEFT]] = non_key
        yield exam


def _exam(
    rng: random.Random, intact_rate: float, non_key_rate: float
) -> tuple[str, str, list[str], tuple[str, str]]:
    if rng.random() < intact_rate:
        side = [_SENSORY_FULL] * (2 * _N_SENSORY) + [_MOTOR_FULL] * _N_MOTOR
        return Binary.YES.value, Binary.YES.value, side + side, ("", "")
    level = _index(rng, _LEVEL_CUM)
    severity = _index(rng, _SEVERITY_CUM)
    cells: list[str] = []
    non_key: list[str] = []
    for _side in range(2):
        # Sides differ a little: a level lower or higher, sometimes a milder grade.
        side_level = min(max(level + rng.choice((-1, 0, 0, 0, 0, 1, 2)), 0), _S4_5 - 1)
        milder = severity != _A and rng.random() < 0.15
        side_severity = min(severity + 1, _D) if milder else severity
        zpp = rng.choice((0, 1, 1, 2, 3)) if side_severity <= _B else 0
        cells += _side_cells(rng, side_level, side_severity, zpp)
        candidates = [m for m, seg in zip(KEY_MUSCLE_LEVELS, _MUSCLE_SEGMENTS, strict=True)
                      if seg > side_level + 1]  # fmt: skip
        named = candidates and rng.random() < non_key_rate
        non_key.append(rng.choice(candidates) if named else "")
    vac, dap = _sacral(rng, severity, cells)
    return vac, dap, cells, (non_key[0], non_key[1])


def write_exams(path: str | Path, exams: Iterable[dict[str, str]]) -> int:
    """Write exams to ``path``: CSV (header of :data:`FIELDNAMES`) when it ends with ``.csv``,
    JSON Lines otherwise. Returns the number written."""
    path = Path(path)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(out, fieldnames=FIELDNAMES, lineterminator="\n")
            writer.writeheader()
            for exam in exams:
                writer.writerow(exam)
                count += 1
        else:
            encode = json.JSONEncoder(separators=(",", ":")).encode
            for exam in exams:
                out.write(encode(exam) + "\n")
                count += 1
    return count
