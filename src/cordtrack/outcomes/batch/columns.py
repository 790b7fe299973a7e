"""A cohort's courses as columns: each value a patient's course holds, parsed once.

The per-patient functions parse a set-valued result (``"C,D*"``) every time they look at it:
a report of 7,000 patients looked at each baseline AIS some twenty times. Here every distinct
value is parsed once (a dictionary of the values seen: a registry holds a few dozen distinct AIS
and NLI strings) into integer codes, with the same rules as :mod:`..change` and :mod:`..groups`:

* AIS: the lowest and highest possible grade rank (A = 0 … E = 4), -1 when
  :func:`..change.grade_set` gives None; ``grade`` the single grade's rank, -1 when it is not one;
* level group: :class:`..groups.LevelGroup` position, -1 when :func:`..groups.level_group` is None;
* scores (UEMS, LEMS, LT, PP, SCIM III, WISCI II): the integer, with a mask of where it is one;
* days (since injury at baseline, observed until): the integer, with a mask of where it is known.

Follow-ups are one row each, in patient order then the course's own order (``fu_patient`` gives
the patient's position), so a rule that picks "the first" follow-up picks the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from cordtrack.isncsci.types import AIS_GRADES

from ..change import Assessment, Measure, SetValue, grade_set
from ..cohort import PatientCourse
from ..groups import LevelGroup, level_group

__all__ = ["AIS_GRADES", "SCORES", "Bools", "Columns", "Ints", "Scores"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Integer measures read as scores (pain NRS is not a responder measure, so not read).
SCORES: Final = (Measure.UEMS, Measure.LEMS, Measure.LT, Measure.PP, Measure.SCIM_III,
                 Measure.WISCI_II)  # fmt: skip
_GROUPS: Final = tuple(LevelGroup)
_FIELDS: Final = {Measure.UEMS: "uems", Measure.LEMS: "lems", Measure.LT: "lt", Measure.PP: "pp",
                  Measure.SCIM_III: "scim_iii", Measure.WISCI_II: "wisci_ii"}  # fmt: skip
_RANK: Final = {g: i for i, g in enumerate(AIS_GRADES)}


class _Parsed:
    """``parse(value)`` memoised by value (a value that cannot be a key is parsed each time)."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self.parse = parse
        self.seen: dict[Hashable, Any] = {}

    def __call__(self, value: SetValue) -> Any:
        try:
            return self.seen[value]  # type: ignore[index]
        except KeyError:
            found = self.seen[value] = self.parse(value)  # type: ignore[index]
            return found
        except TypeError:  # an unhashable iterable of names
            return self.parse(value)


def _grades(value: SetValue) -> tuple[int, int, int]:
    grades = grade_set(value)
    if grades is None:
        return -1, -1, -1
    ranks = [_RANK[g] for g in grades]
    return min(ranks), max(ranks), ranks[0] if len(ranks) == 1 else -1


def _group(value: SetValue) -> int:
    group = level_group(value)
    return -1 if group is None else _GROUPS.index(group)


@dataclass(frozen=True, slots=True)
class Scores:
    """One integer column and where it holds an integer."""

    value: Ints
    known: Bools


def _scores(assessments: Sequence[Assessment]) -> dict[Measure, Scores]:
    """The score columns. A value is an ``int`` or None (``Assessment``'s types): None reads as
    NaN in one float array (built in C, where a test per value in Python took seconds)."""
    read = attrgetter(*(_FIELDS[m] for m in SCORES))
    table = np.array([read(a) for a in assessments], dtype=np.float64).reshape(-1, len(SCORES))
    known = ~np.isnan(table)
    value = np.where(known, table, 0).astype(np.int64)
    return {m: Scores(value[:, i], known[:, i]) for i, m in enumerate(SCORES)}


def _days(values: Sequence[int | None]) -> tuple[Ints, Bools]:
    known = np.fromiter((v is not None for v in values), bool, len(values))
    return np.fromiter((0 if v is None else v for v in values), np.int64, len(values)), known


@dataclass(frozen=True, slots=True)
class Columns:
    """The cohort's courses (kept, in order) and their columns; see the module docstring."""

    courses: tuple[PatientCourse, ...]
    # per patient
    ais_low: Ints
    ais_high: Ints
    grade: Ints
    group: Ints
    injury_day: Ints
    injury_day_known: Bools
    observed_until: Ints
    observed_until_known: Bools
    scores: dict[Measure, Scores]
    # per follow-up
    fu_patient: Ints
    fu_day: Ints
    fu_ais_low: Ints
    fu_ais_high: Ints
    fu_scores: dict[Measure, Scores]

    @property
    def size(self) -> int:
        return len(self.courses)

    @classmethod
    def of(cls, courses: Sequence[PatientCourse]) -> Columns:
        grades, groups = _Parsed(_grades), _Parsed(_group)
        chosen = tuple(courses)
        base = [grades(c.baseline.ais) for c in chosen]
        follow = [(i, f) for i, c in enumerate(chosen) for f in c.follow_ups]
        fu_grades = [grades(f.assessment.ais) for _, f in follow]
        injury, injury_known = _days([c.days_since_injury_at_baseline for c in chosen])
        until, until_known = _days([c.observed_until for c in chosen])

        def column(rows: Sequence[tuple[int, ...]], at: int) -> Ints:
            return np.fromiter((r[at] for r in rows), np.int64, len(rows))

        return cls(
            courses=chosen,
            ais_low=column(base, 0),
            ais_high=column(base, 1),
            grade=column(base, 2),
            group=np.fromiter((groups(c.baseline.nli) for c in chosen), np.int64, len(chosen)),
            injury_day=injury,
            injury_day_known=injury_known,
            observed_until=until,
            observed_until_known=until_known,
            scores=_scores([c.baseline for c in chosen]),
            fu_patient=np.fromiter((i for i, _ in follow), np.int64, len(follow)),
            fu_day=np.fromiter((f.day for _, f in follow), np.int64, len(follow)),
            fu_ais_low=column(fu_grades, 0),
            fu_ais_high=column(fu_grades, 1),
            fu_scores=_scores([f.assessment for _, f in follow]),
        )

    def due(self, by_day: int, window_days: int) -> Bools:
        """Patients whose window ``by_day ± window_days`` has ended (``observed_until`` None:
        due for every window)."""
        return ~self.observed_until_known | (self.observed_until >= by_day + window_days)
