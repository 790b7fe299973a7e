"""Which AIS grades C and D, and which motor ZPPs, some single reading of an exam gives.

The grade of one reading needs that reading's NLI, both motor levels, the key muscles below the
NLI and below each motor level, VAC and the sacral sensation, all at once (ISNCSCI 2019, "ASIA
Impairment Scale"; "Zone of partial preservation"). The searches of :mod:`.asia_impairment_scale`
combine each of these over all readings separately, so for an exam with several undetermined
values they may pair a motor level of one reading with an NLI of another and list a grade that no
reading gives (an exam whose every reading is B or D listed as ``B,C,D``); the motor ZPP with a
lowest non-key muscle pairs a ZPP with a grade the same way. This module finds, for each grade
and ZPP, whether one reading gives it.

It splits the readings by their NLI ``X`` and by how the NLI search stopped there (which values
of the two sides at the segment below ``X`` — or at ``X`` itself — made it stop). Above that
segment every value of a reading with NLI ``X`` is normal; below it the two sides share nothing
but VAC and the sacral sensation, which enter only at the end. So each side is walked from there
down on its own, keeping per search state (the side's motor level once found, whether motor
function lies more than three levels below it, the lowest key muscle with function below it)
the fewest and the most key muscles graded 3 or more below ``X``: a grade's rule compares their
total over both sides with half the key muscles below ``X``, so the extremes decide whether some
reading gives C (fewer than half) or D (at least half).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, NamedTuple

from .exam import MOTOR_CELLS, SENSORY_CELLS, Cell, Exam, SideExam
from .result import Possible
from .types import KEY_MUSCLE_LEVELS, RESULT_LEVELS, SENSORY_LEVELS, Binary, Star

_LAST = len(SENSORY_LEVELS) - 1  # S4-5, dermatome 27
_INTACT = len(RESULT_LEVELS)  # a motor level below S3: intact
_MUSCLE_AT = {SENSORY_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}
# Key muscle grades by what the rules ask of them: 0; 1-2 (present, below 3); 3-4 (antigravity,
# not normal); 5. One score stands for each class.
ABSENT, WEAK, ANTIGRAVITY, NORMAL = 0, 1, 3, 5
_CLASS = (ABSENT, WEAK, WEAK, ANTIGRAVITY, ANTIGRAVITY, NORMAL)


def scores(cell: Cell, normal: int) -> tuple[int, ...]:
    """The scores a worksheet value may stand for (the readings of :mod:`.cells`): itself; any
    score when not testable; a normal score when judged normal (``**``); when judged not normal
    (``*``), any score from the one measured (a non-SCI condition only takes function away) to
    one below normal."""
    if cell.star is Star.NORMAL:
        return (normal,)
    if cell.score is None:
        return tuple(range(normal + 1 if cell.star is Star.NONE else normal))
    if cell.star is Star.NOT_NORMAL:
        return tuple(range(cell.score, normal))
    return (cell.score,)


_GRADES = {raw: tuple(sorted({_CLASS[s] for s in scores(c, 5)})) for raw, c in MOTOR_CELLS.items()}
_SENSED = {raw: tuple(sorted({s > 0 for s in scores(c, 2)})) for raw, c in SENSORY_CELLS.items()}
_NORMAL = {
    (t, p): tuple(sorted({a == 2 and b == 2 for a in scores(tc, 2) for b in scores(pc, 2)}))
    for t, tc in SENSORY_CELLS.items()
    for p, pc in SENSORY_CELLS.items()
}


#: What one side's values at a dermatome may be, by (light touch, pin prick, key muscle or
#: None): its readings as (sensation normal, key muscle class) pairs.
_OPTIONS = {
    (t, p, m): tuple(product(normal, (NORMAL,) if m is None else _GRADES[m]))
    for (t, p), normal in _NORMAL.items()
    for m in (None, *MOTOR_CELLS)
}


def _options(side: SideExam) -> list[tuple[tuple[bool, int], ...]]:
    """What one side's values at each dermatome may be."""
    motor = side.motor
    return [
        _OPTIONS[side.touch[j].raw, side.prick[j].raw, None if k is None else motor[k].raw]
        for j, k in enumerate(_MUSCLE_OF)
    ]


_MUSCLE_OF = tuple(_MUSCLE_AT.get(j) for j in range(len(SENSORY_LEVELS)))


class Walking(NamedTuple):
    """A side's motor level search below the NLI, its level not found yet."""

    #: Every dermatome so far is normal (where no key muscle is tested, the motor level follows
    #: sensation only while it is).
    sensation_normal: bool


class Found(NamedTuple):
    """A side's motor level found, and what lies below it so far."""

    level: int  # index in RESULT_LEVELS, or _INTACT
    #: Motor function more than three levels below the motor level (ISNCSCI 2019, AIS B vs C).
    function_below: bool
    #: The most caudal key muscle level with function below the motor level, or -1 (motor ZPP).
    lowest: int


State = Walking | Found


def _add(out: dict[Any, tuple[int, int]], state: Any, low: int, high: int) -> None:
    seen = out.get(state)
    out[state] = (low, high) if seen is None else (min(seen[0], low), max(seen[1], high))


def _next(state: State, j: int, normal: bool, grade: int, vac: bool) -> tuple[State, int]:
    """A side's search state after dermatome ``j`` read as (sensation normal, key muscle class),
    and whether that key muscle adds to the muscles graded 3 or more below the NLI."""
    level = j + 1  # the level of dermatome j (for j < 27)
    muscle = j in _MUSCLE_AT
    up = int(muscle and grade >= ANTIGRAVITY)
    if isinstance(state, Found):
        if not muscle:
            return state, 0
        below = state.function_below or (grade > 0 and level > state.level + 3)
        return Found(state.level, below, level if grade > 0 else state.lowest), up
    so_far = state.sensation_normal
    if muscle:  # ISNCSCI 2019 motor level: 5 moves on, 3-4 stops here, 0-2 above
        if grade == NORMAL:
            return Walking(so_far and normal), up
        if grade == ANTIGRAVITY:
            return Found(level, False, -1), up
        return Found(j, False, level if grade else -1), up
    if so_far and normal and j < _LAST:
        return Walking(True), 0
    if so_far and normal and vac:  # S4-5 motor function is VAC
        return Found(_INTACT, False, -1), 0
    return Found(j, False, -1), 0  # where no key muscle is tested it follows sensation


@dataclass(frozen=True)
class SideReadings:
    """One side's readings below an NLI, grouped by (motor level, motor function more than three
    levels below it, lowest key muscle with function below it): the fewest and most key muscles
    graded 3 or more below the NLI."""

    counts: dict[Found, tuple[int, int]]

    def extremes(self, below: bool | None = None) -> tuple[int, int] | None:
        """The fewest and most over the readings (with function below the motor level or not,
        when ``below`` says), or None when there is no such reading."""
        values = [v for f, v in self.counts.items() if below is None or f.function_below == below]
        if not values:
            return None
        return min(v[0] for v in values), max(v[1] for v in values)

    @property
    def span(self) -> tuple[int, int]:
        """The fewest and most over every reading (there is at least one)."""
        out = self.extremes()
        assert out is not None
        return out


class _Walker:
    """One side's searches from a segment down, for one VAC reading. What a search finds from a
    segment and state to the end does not depend on how it got there (the counts add), so it is
    computed once per exam and shared by every NLI that starts a search there."""

    def __init__(self, side: SideExam, options: list[tuple[tuple[bool, int], ...]], vac: bool):
        self.options, self.vac = options, vac
        non_key = side.lowest_non_key_muscle
        self.non_key = -1 if non_key is None else RESULT_LEVELS.index(non_key)
        self.memo: dict[tuple[int, State], dict[Found, tuple[int, int]]] = {}

    def readings(self, j: int, state: State, first: tuple[bool, int] | None = None) -> SideReadings:
        """The readings of the search in ``state`` before dermatome ``j`` (read as ``first``
        when given)."""
        return SideReadings(self._from(j, state, None if first is None else (first,)))

    def _from(
        self, j: int, state: State, options: tuple[tuple[bool, int], ...] | None = None
    ) -> dict[Found, tuple[int, int]]:
        key = (j, state)
        if options is None and key in self.memo:
            return self.memo[key]
        out: dict[Found, tuple[int, int]] = {}
        if j > _LAST:
            assert isinstance(state, Found)  # S4-5 ends every search
            # The lowest non-key muscle with motor function is function below (ISNCSCI 2019).
            below = state.function_below or (
                state.level != _INTACT and self.non_key > state.level + 3
            )
            out[Found(state.level, below, state.lowest)] = (0, 0)
        else:
            for normal, grade in options or self.options[j]:
                nxt, up = _next(state, j, normal, grade, self.vac)
                for found, (low, high) in self._from(j + 1, nxt).items():
                    _add(out, found, low + up, high + up)
        if options is None:
            self.memo[key] = out
        return out


@dataclass(frozen=True)
class Case:
    """Readings with one NLI (index in RESULT_LEVELS), and each side's readings below it."""

    nli: int
    right: SideReadings
    left: SideReadings


def _cases(exam: Exam, vac: bool, options: tuple[list[Any], list[Any]]) -> list[Case]:
    """The readings of an exam split by NLI and by the values that stop the NLI search (ISNCSCI
    2019: the most caudal segment with normal sensation and antigravity key muscles on both sides,
    everything above normal). Readings with an intact NLI give no C or D; without VAC each of
    their motor levels, and so each motor ZPP, is S3."""
    walkers = (_Walker(exam.right, options[0], vac), _Walker(exam.left, options[1], vac))
    cases: list[Case] = []
    for j in range(_LAST + 1):
        goes_on = False
        for r, lo in product(options[0][j], options[1][j]):
            (r_normal, r_grade), (l_normal, l_grade) = r, lo
            if min(r_grade, l_grade) < ANTIGRAVITY or not (r_normal and l_normal):
                # The NLI is the segment above; the values here are below it.
                cases.append(
                    Case(
                        j,
                        walkers[0].readings(j, Walking(True), r),
                        walkers[1].readings(j, Walking(True), lo),
                    )
                )
            elif min(r_grade, l_grade) == ANTIGRAVITY:
                # The NLI is this segment; each side's motor level is here (3-4) or below (5).
                sides = []
                for walker, grade in zip(walkers, (r_grade, l_grade), strict=True):
                    here: State = Found(j + 1, False, -1) if grade == ANTIGRAVITY else Walking(True)
                    sides.append(walker.readings(j + 1, here))
                cases.append(Case(j + 1, sides[0], sides[1]))
            else:
                goes_on = True
        if not goes_on:
            return cases
    cases.append(Case(_INTACT, *(SideReadings({Found(_LAST, False, -1): (0, 0)}),) * 2))
    return cases


def _below_nli(nli: int) -> int:
    """How many key muscles (both sides) lie below an NLI."""
    return 2 * sum(1 for m in KEY_MUSCLE_LEVELS if RESULT_LEVELS.index(m) > nli)


def _sacral_sensation(exam: Exam) -> set[bool]:
    """Whether S4-5 light touch or pin prick (either side) or DAP may be present."""
    found: set[bool] = set()
    dap = {Binary.YES: (True,), Binary.NO: (False,), Binary.NT: (True, False)}[exam.dap]
    cells = [_SENSED[s.touch[_LAST].raw] for s in (exam.right, exam.left)]
    cells += [_SENSED[s.prick[_LAST].raw] for s in (exam.right, exam.left)]
    for values in product(dap, *cells):
        found.add(any(values))
    return found


_VAC = {Binary.YES: (True,), Binary.NO: (False,), Binary.NT: (True, False)}


@dataclass(frozen=True)
class JointGrades:
    """Whether some reading gives AIS C, AIS D, and the motor ZPP levels (indices) some reading
    without VAC gives on each side, the lowest non-key muscle included (right, left)."""

    c: bool
    d: bool
    motor_zpp: tuple[frozenset[int], frozenset[int]]


def joint_grades(exam: Exam) -> JointGrades:
    """C, D and the motor ZPPs over single readings of the exam (see the module docstring)."""
    sensed = _sacral_sensation(exam)
    c = d = False
    zpp: tuple[set[int], set[int]] = (set(), set())
    options = (_options(exam.right), _options(exam.left))
    for vac in _VAC[exam.vac]:
        for case in _cases(exam, vac, options):
            total = _below_nli(case.nli)
            sides = (case.right, case.left)
            anywhere = [s.span for s in sides]
            if case.nli == _INTACT:
                if not vac:
                    for k in range(2):
                        zpp[k].add(_LAST)
                continue
            if vac:  # motor incomplete by VAC (ISNCSCI 2019, AIS C and D)
                c = c or 2 * (anywhere[0][0] + anywhere[1][0]) < total
                d = d or 2 * (anywhere[0][1] + anywhere[1][1]) >= total
                continue
            for k, side in enumerate(sides):
                other = anywhere[1 - k]
                # Motor incomplete by motor function more than three levels below this side's
                # motor level; incomplete by sacral sensation (there is no VAC).
                fn = side.extremes(below=True)
                if fn is not None and True in sensed:
                    c = c or 2 * (fn[0] + other[0]) < total
                    d = d or 2 * (fn[1] + other[1]) >= total
                zpp[k].update(_zpps((exam.right, exam.left)[k], side, other, total, sensed))
    return JointGrades(c, d, (frozenset(zpp[0]), frozenset(zpp[1])))


def _zpps(
    side: SideExam,
    readings: SideReadings,
    other: tuple[int, int],
    total: int,
    sensed: set[bool],
) -> set[int]:
    """A side's motor ZPPs in readings without VAC: the lowest key muscle with function below the
    motor level, else the motor level; the lowest non-key muscle with motor function instead
    where it lies more than three levels below that and the grade is C (ISNCSCI 2019 as the
    published reference reads it, published case 66)."""
    non_key = side.lowest_non_key_muscle
    nk = -1 if non_key is None else RESULT_LEVELS.index(non_key)
    out: set[int] = set()
    for found, (low, high) in readings.counts.items():
        zpp = found.lowest if found.lowest >= 0 else found.level
        if nk <= zpp + 3:
            out.add(zpp)
            continue
        # Motor function lies more than three levels below the motor level (the non-key muscle
        # does): the grade is A without sacral sensation, else C or D by the count.
        if True in sensed and 2 * (low + other[0]) < total:
            out.add(nk)
        if False in sensed or (True in sensed and 2 * (high + other[1]) >= total):
            out.add(zpp)
    return out


def needs_joint_grades(
    exam: Exam, ais: Possible, nli: Possible, right_motor: Possible, left_motor: Possible
) -> bool:
    """Whether the searches' grades or motor ZPPs may pair values of different readings.

    Every reading with motor function below a motor level, or with VAC, is C or D, so a grade
    the searches list is spurious only beside the other of the two: C and D both listed. Where
    the NLI and both motor levels are single values, the key muscles below them are free in every
    reading (each muscle's readings are a run of consecutive scores) and the lists are exact. The
    motor ZPP with a lowest non-key muscle is exact where the grade is C in every reading, or
    never."""
    names = ais.names
    if "C" not in names:
        return False
    if "D" in names and not (nli.determined and right_motor.determined and left_motor.determined):
        return True
    non_key = exam.right.lowest_non_key_muscle or exam.left.lowest_non_key_muscle
    return non_key is not None and names != ("C",)
