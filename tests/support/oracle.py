"""The enumeration oracle: a slow, obviously correct ISNCSCI 2019 classifier (tests only).

Two parts, each meant to be read and checked by eye against the standard:

- :func:`classify_determined` classifies a *determined* exam (every score known, VAC and DAP
  known, no star) by the textbook definitions, one short function per output.
- :func:`possible` enumerates the *readings* of an exam — every way its undetermined values can be
  resolved — classifies each reading with :func:`classify_determined`, and takes the union of each
  result over them: the exact set of values the exam allows, which is what the engines promise.

The readings of a value (ISNCSCI 2019 worksheet; the taxonomy of non-SCI conditions, Rupp et al.
2021, Spinal Cord, doi:10.1038/s41393-021-00646-0, whose ``*``/``**`` notation the published
cases use; docs/isncsci.md, "What the engine promises"):

- ``NT`` (not testable): any score, 0-2 for sensation and 0-5 for a key muscle.
- ``v*`` (impaired by a non-SCI condition, *consider not normal*): the SCI alone left at least the
  measured ``v`` (the other condition can only take function away) and the examiner judges it not
  normal: any of ``v .. 1`` for sensation, ``v .. 4`` for a key muscle. ``NT*``: any not-normal
  score.
- ``v**`` and ``NT**`` (*consider normal*): normal, 2 or 5.
- VAC and DAP ``NT``: Yes or No.

Totals are not compared (the engines give ``ND`` where a not-testable value feeds them); the 11
set-valued results are.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping

LEVELS = (
    "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "T1", "T2", "T3", "T4", "T5", "T6",
    "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3",
)  # fmt: skip
DERMATOMES = (*LEVELS[1:], "S4_5")  # 28 per side, C2..S4-5
KEY_MUSCLES = ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
SIDES = ("Right", "Left")
INT, NA = "INT", "NA"
SET_KEYS = (
    "rightSensory", "leftSensory", "rightMotor", "leftMotor", "neurologicalLevelOfInjury",
    "rightSensoryZpp", "leftSensoryZpp", "rightMotorZpp", "leftMotorZpp",
    "asiaImpairmentScale", "injuryComplete",
)  # fmt: skip

# --- readings of one value ------------------------------------------------------------------


def readings(raw: str, normal: int) -> tuple[int, ...]:
    """The scores a worksheet value may stand for (``normal``: 2 sensory, 5 motor)."""
    if raw in ("NT**",) or raw.endswith("**"):
        return (normal,)
    if raw == "NT":
        return tuple(range(normal + 1))
    if raw == "NT*":
        return tuple(range(normal))
    if raw.endswith("*"):
        return tuple(range(int(raw[0]), normal))
    return (int(raw),)


# --- a determined exam, by the definitions --------------------------------------------------


class Side:
    """One side of a determined exam: scores by dermatome / key muscle, and the lowest non-key
    muscle with motor function (an index into ``LEVELS``, or None)."""

    def __init__(self, touch: list[int], prick: list[int], motor: list[int], non_key: int | None):
        self.touch, self.prick, self.motor, self.non_key = touch, prick, motor, non_key

    def sensation_normal(self, d: int) -> bool:
        return self.touch[d] == 2 and self.prick[d] == 2

    def grade_at(self, level: int) -> int | None:
        """The key muscle grade of a level (index in LEVELS), None where there is none."""
        name = LEVELS[level]
        return self.motor[KEY_MUSCLES.index(name)] if name in KEY_MUSCLES else None


def sensory_level(s: Side) -> str:
    """The most caudal dermatome with normal LT and PP, all above normal too; C1 when C2 is not
    normal; INT when all 28 are."""
    for d in range(28):
        if not s.sensation_normal(d):
            return LEVELS[d]  # the level above dermatome d
    return INT


def motor_level(s: Side, vac: bool) -> str:
    """The most caudal key muscle with grade >= 3 whose key muscles above are all 5; where no
    key muscle is tested (C2-C4, T2-L1, S2-S4-5) the level follows sensation while every
    dermatome so far is normal; S4-5 motor function is VAC."""
    sensation_so_far = True
    for d in range(28):
        level = d + 1  # dermatome d is LEVELS[d + 1]
        grade = s.grade_at(level) if level < len(LEVELS) else None
        if grade is not None:
            if grade < 3:
                return LEVELS[level - 1]
            if grade < 5:
                return LEVELS[level]
            sensation_so_far = sensation_so_far and s.sensation_normal(d)
            continue
        ok = sensation_so_far and s.sensation_normal(d)
        if d == 27:  # S4-5
            ok = ok and vac
        if not ok:
            return LEVELS[level - 1]
    return INT


def rank(level: str) -> int:
    return len(LEVELS) if level == INT else LEVELS.index(level)


def neurological_level(right: Side, left: Side) -> str:
    """The most rostral of the sensory and motor levels of both sides; motor function at S4-5
    (VAC) does not enter it (an NLI with normal sensation and key muscles everywhere is INT)."""
    levels = [sensory_level(right), sensory_level(left)]
    levels += [motor_level(right, True), motor_level(left, True)]
    return min(levels, key=rank)


def complete(right: Side, left: Side, vac: bool, dap: bool) -> bool:
    """Complete: no sacral sparing (S4-5 LT or PP on either side, DAP, VAC)."""
    spared = vac or dap
    for s in (right, left):
        spared = spared or s.touch[27] > 0 or s.prick[27] > 0
    return not spared


def motor_function_more_than_three_below(s: Side, level: str) -> bool:
    """Motor function more than three levels below ``level`` on this side: a key muscle graded
    above 0, or the lowest non-key muscle with motor function (ISNCSCI 2019)."""
    if level == INT:
        return False
    floor = rank(level) + 3
    if s.non_key is not None and s.non_key > floor:
        return True
    return any(g > 0 for g, m in zip(s.motor, KEY_MUSCLES, strict=True) if LEVELS.index(m) > floor)


def ais(right: Side, left: Side, vac: bool, dap: bool, levels: list[str], nli: str) -> str:
    if all(v == INT for v in levels):
        return "E"
    if complete(right, left, vac, dap):
        return "A"
    motor_incomplete = vac or any(
        motor_function_more_than_three_below(s, lv)
        for s, lv in ((right, levels[2]), (left, levels[3]))
    )
    if not motor_incomplete:
        return "B"
    below = [
        g
        for s in (right, left)
        for g, m in zip(s.motor, KEY_MUSCLES, strict=True)
        if LEVELS.index(m) > rank(nli)
    ]
    return "D" if 2 * sum(g >= 3 for g in below) >= len(below) else "C"


def sensory_zpp(s: Side, dap: bool) -> str:
    """NA with S4-5 sensation on this side or DAP; else the most caudal dermatome with any
    sensation (C1 when none)."""
    if dap or s.touch[27] > 0 or s.prick[27] > 0:
        return NA
    for d in range(26, -1, -1):
        if s.touch[d] > 0 or s.prick[d] > 0:
            return DERMATOMES[d]
    return "C1"


def motor_zpp(s: Side, vac: bool, level: str, grade: str) -> str:
    """NA with VAC; else the most caudal key muscle with function below the motor level, or the
    motor level itself. Where the AIS is C, the lowest non-key muscle with motor function more
    than three levels below replaces it (as the published reference reads ISNCSCI 2019, case
    66)."""
    if vac:
        return NA
    zpp = level
    for g, m in reversed(list(zip(s.motor, KEY_MUSCLES, strict=True))):
        if LEVELS.index(m) > rank(level) and g > 0:
            zpp = m
            break
    if grade == "C" and s.non_key is not None and s.non_key > rank(zpp) + 3:
        return LEVELS[s.non_key]
    return zpp


def classify_determined(right: Side, left: Side, vac: bool, dap: bool) -> dict[str, str]:
    """The 11 set-valued results of a determined exam, one value each."""
    levels = [sensory_level(right), sensory_level(left), motor_level(right, vac),
              motor_level(left, vac)]  # fmt: skip
    nli = neurological_level(right, left)
    grade = ais(right, left, vac, dap, levels, nli)
    return dict(
        zip(
            SET_KEYS,
            (
                *levels, nli, sensory_zpp(right, dap), sensory_zpp(left, dap),
                motor_zpp(right, vac, levels[2], grade), motor_zpp(left, vac, levels[3], grade),
                grade, "C" if complete(right, left, vac, dap) else "I",
            ),
            strict=True,
        )
    )  # fmt: skip


# --- every reading of an exam ----------------------------------------------------------------


def _cells(flat: Mapping[str, object]) -> list[tuple[int, ...]]:
    """Per cell, in a fixed order (per side: 28 touch, 28 prick, 10 motor; then VAC, DAP), its
    readings (VAC/DAP as 1 yes, 0 no)."""
    out = []
    for side in SIDES:
        for kind in ("Touch", "Prick"):
            out += [readings(str(flat[f"{d.lower()}{side}{kind}"]), 2) for d in DERMATOMES]
        out += [readings(str(flat[f"{m.lower()}{side}Motor"]), 5) for m in KEY_MUSCLES]
    for key in ("analContraction", "analSensation"):
        out.append({"Yes": (1,), "No": (0,), "NT": (1, 0)}[str(flat[key])])
    return out


def _non_key(flat: Mapping[str, object], side: str) -> int | None:
    raw = flat.get(f"{side.lower()}LowestNonKeyMuscleWithMotorFunction")
    return LEVELS.index(str(raw)) if raw else None


def resolutions(
    flat: Mapping[str, object], limit: int, seed: int = 0
) -> tuple[Iterator[list[int]], bool]:
    """The readings of an exam as lists of scores: all of them when there are at most ``limit``
    (True), else ``limit`` drawn with a seeded generator, the lowest and highest reading of every
    value among them (False)."""
    cells = _cells(flat)
    count = 1
    for c in cells:
        count *= len(c)
    if count <= limit:
        return (list(r) for r in itertools.product(*cells)), True
    rng = random.Random(seed)

    def sampled() -> Iterator[list[int]]:
        yield [min(c) for c in cells]
        yield [max(c) for c in cells]
        for _ in range(limit - 2):
            yield [c[0] if len(c) == 1 else rng.choice(c) for c in cells]

    return sampled(), False


def classify_reading(scores: list[int], non_key: tuple[int | None, int | None]) -> dict[str, str]:
    sides = []
    for k in range(2):
        base = 66 * k
        sides.append(
            Side(scores[base : base + 28], scores[base + 28 : base + 56],
                 scores[base + 56 : base + 66], non_key[k])
        )  # fmt: skip
    return classify_determined(sides[0], sides[1], scores[132] == 1, scores[133] == 1)


def possible(
    flat: Mapping[str, object], limit: int = 20_000, seed: int = 0
) -> tuple[dict[str, set[str]], bool]:
    """Per set-valued result, the union of its values over the exam's readings; and whether every
    reading was classified (else a seeded sample of ``limit``: the sets are then lower bounds)."""
    non_key = (_non_key(flat, "Right"), _non_key(flat, "Left"))
    found: dict[str, set[str]] = {k: set() for k in SET_KEYS}
    cases, exhaustive = resolutions(flat, limit, seed)
    for scores in cases:
        for key, value in classify_reading(scores, non_key).items():
            found[key].add(value)
    return found, exhaustive


def count_readings(flat: Mapping[str, object]) -> int:
    """How many readings an exam has."""
    count = 1
    for cell in _cells(flat):
        count *= len(cell)
    return count


def grades_over_dermatome_readings(flat: Mapping[str, object]) -> set[str]:
    """The AIS grades of every reading of an exam whose undetermined values are all sensory,
    however many (for published cases too large to enumerate value by value).

    A side's dermatomes enter the grade only through the first one that is not normal (the
    sensory level; the motor level where no key muscle is tested; the NLI) and through S4-5
    (sacral sensation). So the readings are taken per side as: every dermatome above the ``a``-th
    normal, the ``a``-th not normal (its lowest and highest such reading), those below at their
    lowest, S4-5 at its lowest or highest; for every ``a`` up to the first dermatome that cannot
    be normal, and all normal."""
    keys = {
        side: [(f"{d.lower()}{side}Touch", f"{d.lower()}{side}Prick") for d in DERMATOMES]
        for side in SIDES
    }
    low = {k: min(readings(str(flat[k]), 2)) for pair in keys["Right"] + keys["Left"] for k in pair}
    high = {k: max(readings(str(flat[k]), 2)) for k in low}

    def variants(side: str) -> list[dict[str, str]]:
        pairs = keys[side]
        out: list[dict[str, str]] = []
        for a, (t, p) in enumerate(pairs):
            bad = [
                (x, y)
                for x in readings(str(flat[t]), 2)
                for y in readings(str(flat[p]), 2)
                if (x, y) != (2, 2)
            ]
            for x, y in {bad[0], bad[-1]} if bad else ():
                for s45 in (low, high):
                    v = {k: "2" for pair in pairs[:a] for k in pair}
                    v.update({k: str(low[k]) for pair in pairs[a + 1 :] for k in pair})
                    v.update({k: str(s45[k]) for k in pairs[-1]} if a < len(pairs) - 1 else {})
                    v.update({t: str(x), p: str(y)})
                    out.append(v)
            if not (2 in readings(str(flat[t]), 2) and 2 in readings(str(flat[p]), 2)):
                return out
        return [*out, {k: "2" for pair in pairs for k in pair}]

    grades: set[str] = set()
    for right in variants("Right"):
        for left in variants("Left"):
            found, exhaustive = possible({**flat, **right, **left}, limit=16)
            assert exhaustive, "motor, VAC and DAP values must be (nearly) determined"
            grades |= found["asiaImpairmentScale"]
    return grades
