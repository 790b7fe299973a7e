"""The typed ISNCSCI exam and its parsing from the flat key format of the published cases.

A cell value is parsed once into a :class:`Cell` (score, not-testable flag, star). Parsing is
strict, as the published reference is: a value is one of the worksheet's values exactly as
written (``"3"``, ``"NT*"``, ``"Yes"``, ``"C7"``), so ``" 3 "``, ``"nt"`` or ``"c7"`` are errors
that name the field and the value meant. Every problem is reported with its flat key and value,
and nothing is guessed. :func:`normalised` is the opt-in lenient reading (``cordtrack classify
--lenient``): it strips surrounding spaces and fixes the case of values that are then valid, and
counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .errors import ExamValidationError, FieldError
from .types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    NON_KEY_KEYS,
    RESULT_LEVELS,
    SENSORY_LEVELS,
    VAC_KEY,
    Binary,
    Modality,
    Side,
    Star,
    flat_key,
)


@dataclass(frozen=True, slots=True, eq=False)
class Cell:
    """One worksheet value. ``score`` is None when the cell is not testable (NT).

    Cells are interned: parsing hands out the one instance of each raw value, so identity is
    equality and set membership is cheap.
    """

    raw: str
    score: int | None
    star: Star

    @property
    def not_testable(self) -> bool:
        return self.score is None

    @property
    def starred(self) -> bool:
        return self.star is not Star.NONE


def _cells(max_score: int) -> dict[str, Cell]:
    # The 2019 value set: a full score carries no star (a normal value cannot be impaired).
    table: dict[str, Cell] = {}
    for score in range(max_score + 1):
        table[str(score)] = Cell(str(score), score, Star.NONE)
        if score < max_score:
            for star in (Star.NOT_NORMAL, Star.NORMAL):
                raw = f"{score}{star.value}"
                table[raw] = Cell(raw, score, star)
    for star in Star:
        raw = f"NT{star.value}"
        table[raw] = Cell(raw, None, star)
    return table


SENSORY_CELLS: Final = _cells(2)
MOTOR_CELLS: Final = _cells(5)
_BINARY: Final = {b.value: b for b in Binary}
_DETERMINED_SENSORY: Final = frozenset(c for c in SENSORY_CELLS.values() if len(c.raw) == 1)
_DETERMINED_MOTOR: Final = frozenset(c for c in MOTOR_CELLS.values() if len(c.raw) == 1)
#: A lowest non-key muscle may be named at any level from C2 to S3 (published cases 77-79 name T5
#: and L1); only its position relative to the motor levels and the ZPP matters.
NON_KEY_LEVELS: Final = frozenset(RESULT_LEVELS[RESULT_LEVELS.index("C2") :])


@dataclass(frozen=True, slots=True)
class SideExam:
    """One side of the exam: 28 light-touch and pin-prick cells, 10 key muscles, and the
    lowest non-key muscle with motor function (``None`` when not recorded)."""

    touch: tuple[Cell, ...]
    prick: tuple[Cell, ...]
    motor: tuple[Cell, ...]
    lowest_non_key_muscle: str | None = None


@dataclass(frozen=True, slots=True)
class Exam:
    """A complete ISNCSCI exam."""

    right: SideExam
    left: SideExam
    vac: Binary
    dap: Binary
    #: True when no value is not testable or starred and VAC and DAP are known: every result then
    #: has exactly one value. Computed by :meth:`create`.
    determined: bool = False

    @classmethod
    def create(cls, right: SideExam, left: SideExam, vac: Binary, dap: Binary) -> Exam:
        """An exam with its ``determined`` flag computed."""
        determined = (
            Binary.NT not in (vac, dap)
            and _DETERMINED_SENSORY.issuperset(right.touch)
            and _DETERMINED_SENSORY.issuperset(right.prick)
            and _DETERMINED_SENSORY.issuperset(left.touch)
            and _DETERMINED_SENSORY.issuperset(left.prick)
            and _DETERMINED_MOTOR.issuperset(right.motor)
            and _DETERMINED_MOTOR.issuperset(left.motor)
        )
        return cls(right, left, vac, dap, determined)

    def side(self, side: Side) -> SideExam:
        return self.right if side is Side.RIGHT else self.left

    def to_flat(self) -> dict[str, str]:
        """The exam in the flat key format (the inverse of :func:`parse_exam`)."""
        flat: dict[str, str] = {VAC_KEY: self.vac.value, DAP_KEY: self.dap.value}
        for side in Side:
            s = self.side(side)
            for i, level in enumerate(SENSORY_LEVELS):
                flat[flat_key(level, side, Modality.TOUCH)] = s.touch[i].raw
                flat[flat_key(level, side, Modality.PRICK)] = s.prick[i].raw
            for i, level in enumerate(KEY_MUSCLE_LEVELS):
                flat[flat_key(level, side, Modality.MOTOR)] = s.motor[i].raw
            if s.lowest_non_key_muscle is not None:
                flat[NON_KEY_KEYS[side]] = s.lowest_non_key_muscle
        return flat


_SIDE_KEYS: Final = {
    side: (
        tuple(flat_key(lv, side, Modality.TOUCH) for lv in SENSORY_LEVELS),
        tuple(flat_key(lv, side, Modality.PRICK) for lv in SENSORY_LEVELS),
        tuple(flat_key(lv, side, Modality.MOTOR) for lv in KEY_MUSCLE_LEVELS),
    )
    for side in Side
}

#: Every key that :func:`parse_exam` reads.
EXAM_KEYS: Final = (
    VAC_KEY,
    DAP_KEY,
    *(key for side in Side for keys in _SIDE_KEYS[side] for key in keys),
    *NON_KEY_KEYS.values(),
)


def _describe(value: object) -> str:
    return "missing" if value is None else f"{value!r}"


def _absent(value: object) -> bool:
    """None or the empty string. Compared by type first: a value of any other type (a list, a
    mapping, an array) is present, and is never compared with ``==``."""
    return value is None or (isinstance(value, str) and not value)


def _spelled(values: object) -> dict[str, str]:
    """Each value by its spelling without surrounding spaces in upper case: what a lenient
    reading maps a near miss (``" nt "``) to."""
    return {v.upper(): v for v in values}  # type: ignore[attr-defined]


_NEAR_SENSORY: Final = _spelled(SENSORY_CELLS)
_NEAR_MOTOR: Final = _spelled(MOTOR_CELLS)
_NEAR_BINARY: Final = _spelled(_BINARY)
_NEAR_NON_KEY: Final = _spelled(NON_KEY_LEVELS)


def _meant(value: object, near: dict[str, str]) -> str | None:
    """The valid value a string differs from only by surrounding spaces or case, if any."""
    if not isinstance(value, str):
        return None
    meant = near.get(value.strip().upper())
    return meant if meant is not None and meant != value else None


def _invalid(key: str, value: object, what: str, near: dict[str, str]) -> FieldError:
    if _absent(value):
        return FieldError(key, value, "is required")
    meant = _meant(value, near)
    hint = "" if meant is None else f" (did you mean {meant!r}? values are read exactly as written)"
    return FieldError(key, value, f"{_describe(value)} is not {what}{hint}")


def _parse_cells(
    flat: Mapping[str, object],
    keys: tuple[str, ...],
    table: dict[str, Cell],
    what: str,
    errors: list[FieldError],
) -> tuple[Cell, ...]:
    near = _NEAR_SENSORY if table is SENSORY_CELLS else _NEAR_MOTOR
    cells = []
    for key in keys:
        value = flat.get(key)
        cell = table.get(value) if isinstance(value, str) else None
        if cell is None:
            errors.append(_invalid(key, value, what, near))
            continue
        cells.append(cell)
    return tuple(cells)


def _parse_side(flat: Mapping[str, object], side: Side, errors: list[FieldError]) -> SideExam:
    touch_keys, prick_keys, motor_keys = _SIDE_KEYS[side]
    try:  # the common, valid case at dictionary speed; any problem takes the checking path
        touch = tuple([SENSORY_CELLS[flat[k]] for k in touch_keys])  # type: ignore[index]
        prick = tuple([SENSORY_CELLS[flat[k]] for k in prick_keys])  # type: ignore[index]
        motor = tuple([MOTOR_CELLS[flat[k]] for k in motor_keys])  # type: ignore[index]
        raw = flat.get(NON_KEY_KEYS[side])
        if raw is None or (type(raw) is str and (not raw or raw in NON_KEY_LEVELS)):
            return SideExam(touch, prick, motor, raw or None)
    except (KeyError, TypeError):
        pass
    touch = _parse_cells(flat, touch_keys, SENSORY_CELLS, "a sensory score", errors)
    prick = _parse_cells(flat, prick_keys, SENSORY_CELLS, "a sensory score", errors)
    motor = _parse_cells(flat, motor_keys, MOTOR_CELLS, "a motor grade", errors)
    key = NON_KEY_KEYS[side]
    raw = flat.get(key)
    non_key: str | None = None
    if not _absent(raw):
        # Only a string can be a level: a list (``["C5"]``) or a mapping is not hashable, and
        # must be reported like any other wrong value rather than raise.
        if isinstance(raw, str) and raw in NON_KEY_LEVELS:
            non_key = raw
        else:
            errors.append(_invalid(key, raw, "a level from C2 to S3", _NEAR_NON_KEY))
    return SideExam(touch, prick, motor, non_key)


def _parse_binary(flat: Mapping[str, object], key: str, errors: list[FieldError]) -> Binary:
    value = flat.get(key)
    binary = _BINARY.get(value) if isinstance(value, str) else None
    if binary is None:
        errors.append(_invalid(key, value, "Yes, No or NT", _NEAR_BINARY))
        return Binary.NT
    return binary


_NOT_AN_EXAM: Final = "is not an exam: an object of flat exam keys and their values is expected"


def parse_exam(flat: Mapping[str, object]) -> Exam:
    """Parse a flat exam (the format of the published cases) into an :class:`Exam`.

    Keys other than the 134 exam keys (``id``, ``comments``...) are ignored. Raises
    :class:`ExamValidationError` listing every invalid field, e.g.
    ``c5RightMotor: '6' is not a motor grade``; a value of any type (a number, a list, an object,
    as JSON may carry) is such an error, never another exception.
    """
    if not isinstance(flat, Mapping):
        raise ExamValidationError([FieldError("exam", flat, _NOT_AN_EXAM)])
    errors: list[FieldError] = []
    vac = _parse_binary(flat, VAC_KEY, errors)
    dap = _parse_binary(flat, DAP_KEY, errors)
    right = _parse_side(flat, Side.RIGHT, errors)
    left = _parse_side(flat, Side.LEFT, errors)
    if errors:
        raise ExamValidationError(errors)
    return Exam.create(right, left, vac, dap)


_NEAR_BY_KEY: Final = {
    VAC_KEY: _NEAR_BINARY,
    DAP_KEY: _NEAR_BINARY,
    **dict.fromkeys(NON_KEY_KEYS.values(), _NEAR_NON_KEY),
    **{
        key: near
        for side in Side
        for keys, near in zip(
            _SIDE_KEYS[side], (_NEAR_SENSORY, _NEAR_SENSORY, _NEAR_MOTOR), strict=True
        )
        for key in keys
    },
}


def normalised(flat: Mapping[str, object]) -> tuple[dict[str, object], int]:
    """The lenient reading of a flat exam: each exam value that differs from a valid one only by
    surrounding spaces or case (``" 3 "``, ``"nt*"``, ``" yes"``, ``"c7"``) replaced by that value;
    and how many were replaced. Anything else is left as it is, for :func:`parse_exam` to report.
    """
    out = dict(flat)
    changed = 0
    for key, near in _NEAR_BY_KEY.items():
        meant = _meant(flat.get(key), near)
        if meant is not None:
            out[key] = meant
            changed += 1
    return out, changed
