"""A protocol version as one document: checked field by field, normalised, and compared.

A protocol version is the unit a data manager drafts, imports (JSON or YAML), compares with the
current version and activates. Its document::

    {
      "code": "CT-MSC-RCT", "name": "...", "version": "2",
      "design": "uncontrolled" | "randomised",
      "arms": [{"name": "MSC-IT", "description": "..."}, ...],
      "randomisation": {"factors": {"ais": ["A", "B", "C"], "level_group": ["cervical", ...]},
                        "block_sizes": [4, 6]},                       # randomised designs only
      "criteria": [ {criterion of cordtrack.clinical.eligibility}, ... ],
      "schedule": {visit schedule of cordtrack.clinical.visits},
      "instruments": {"<visit code>": ["scim_iii", "pain_nrs", ...]},
      "treatment_plan": {"cell_types": [...], "routes": [...],
                         "dose_total_cells": {"min": 1e7, "max": 1e8}}
    }

:func:`check_document` returns every problem keyed by its path (``criteria[2].params.grades``,
``schedule.visits[1].target_day``, ``instruments.m9``...) so an import names each bad field and
changes nothing. :func:`diff_documents` lists what changed between two versions, one row per leaf,
with list rows matched by their ``code`` (criteria, visits) or ``name`` (arms) rather than by
position, so inserting one criterion shows as one addition.

The randomisation *seed* is never part of the document: documents are readable by every role, and
the seed would reveal the allocation list (see docs/adr on the allocation list).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from ..isncsci.types import AIS_GRADES
from .eligibility import Protocol
from .errors import DefinitionError
from .instruments import INSTRUMENTS
from .numbers import real_number, whole_number
from .visits import VisitSchedule

__all__ = [
    "DESIGNS",
    "FACTOR_LEVELS",
    "Change",
    "check_document",
    "diff_documents",
]

DESIGNS: Final = ("uncontrolled", "randomised")

#: Stratification factors a randomised protocol may use, with their possible levels. Level groups
#: are those of ``cordtrack.outcomes.groups.LevelGroup`` (clinical-evidence.md §9 T10).
FACTOR_LEVELS: Final[Mapping[str, tuple[str, ...]]] = {
    "ais": tuple(g for g in AIS_GRADES if g != "E"),
    "level_group": ("cervical", "T1-T9", "T10 and below"),
}

_KEYS: Final = frozenset(
    {"code", "name", "version", "design", "arms", "randomisation", "criteria", "schedule",
     "instruments", "treatment_plan", "source"}
)  # fmt: skip


def _text(data: Mapping[str, object], key: str, errs: dict[str, list[str]], limit: int) -> None:
    v = data.get(key)
    if not isinstance(v, str) or not v.strip():
        errs.setdefault(key, []).append("must be a non-empty string")
    elif len(v) > limit:
        errs.setdefault(key, []).append(f"must be at most {limit} characters")


def _names(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def _check_arms(data: Mapping[str, object], errs: dict[str, list[str]]) -> list[str]:
    arms = data.get("arms", [])
    names: list[str] = []
    if not isinstance(arms, list):
        errs.setdefault("arms", []).append("must be a list of {name, description}")
        return names
    for n, arm in enumerate(arms):
        if not isinstance(arm, Mapping) or not isinstance(arm.get("name"), str):
            errs.setdefault(f"arms[{n}]", []).append("must be an object with a 'name'")
            continue
        name = str(arm["name"]).strip()
        if not name or len(name) > 30 or not all(c.isalnum() or c in "-_" for c in name):
            errs.setdefault(f"arms[{n}].name", []).append(
                "must be 1-30 letters, digits, '-' or '_'"
            )
        elif name in names:
            errs.setdefault(f"arms[{n}].name", []).append(f"arm {name!r} repeated")
        names.append(name)
    design = data.get("design", "uncontrolled")
    if design == "randomised" and len(names) < 2:
        errs.setdefault("arms", []).append("a randomised protocol needs at least two arms")
    if design == "uncontrolled" and len(names) > 1:
        errs.setdefault("arms", []).append("an uncontrolled protocol has at most one arm")
    return names


def _check_randomisation(
    data: Mapping[str, object], arms: list[str], errs: dict[str, list[str]]
) -> None:
    r = data.get("randomisation")
    if data.get("design") != "randomised":
        if r not in (None, {}):
            errs.setdefault("randomisation", []).append("only a randomised design has one")
        return
    if not isinstance(r, Mapping):
        errs.setdefault("randomisation", []).append("a randomised design needs one")
        return
    if "seed" in r:
        errs.setdefault("randomisation.seed", []).append(
            "never goes in the protocol (it would reveal the list); it is set when the list is made"
        )
    factors = r.get("factors", {})
    if not isinstance(factors, Mapping):
        errs.setdefault("randomisation.factors", []).append("must map factor -> levels")
    else:
        for name, levels in factors.items():
            where = f"randomisation.factors.{name}"
            if name not in FACTOR_LEVELS:
                known = ", ".join(FACTOR_LEVELS)
                errs.setdefault(where, []).append(f"is not a factor; known: {known}")
                continue
            got = _names(levels)
            if not got or len(set(got)) != len(got):
                errs.setdefault(where, []).append("needs a list of distinct levels")
                continue
            bad = [v for v in got if v not in FACTOR_LEVELS[name]]
            if bad:
                allowed = ", ".join(FACTOR_LEVELS[name])
                errs.setdefault(where, []).append(f"{bad} are not levels; allowed: {allowed}")
    sizes = r.get("block_sizes")
    if (
        not isinstance(sizes, list)
        or not sizes
        or not all((n := whole_number(s)) is not None and n > 0 for s in sizes)
    ):
        errs.setdefault("randomisation.block_sizes", []).append(
            "needs a list of positive whole numbers"
        )
    elif len(arms) >= 2 and any(s % len(arms) for s in sizes):
        errs.setdefault("randomisation.block_sizes", []).append(
            f"each must be a multiple of the number of arms ({len(arms)})"
        )


def _check_instruments(
    data: Mapping[str, object], visit_codes: set[str] | None, errs: dict[str, list[str]]
) -> None:
    inst = data.get("instruments", {})
    if not isinstance(inst, Mapping):
        errs.setdefault("instruments", []).append("must map visit code -> instrument codes")
        return
    for visit, codes in inst.items():
        where = f"instruments.{visit}"
        if visit_codes is not None and visit not in visit_codes:
            errs.setdefault(where, []).append("is not a visit of the schedule")
        got = _names(codes)
        if got is None:
            errs.setdefault(where, []).append("must be a list of instrument codes")
            continue
        known = set(INSTRUMENTS) | {"isncsci"}
        bad = [c for c in got if c not in known]
        if bad:
            errs.setdefault(where, []).append(
                f"{bad} are not instruments; known: {', '.join(sorted(known))}"
            )


def _check_plan(
    data: Mapping[str, object],
    cell_types: Collection[str],
    routes: Collection[str],
    errs: dict[str, list[str]],
) -> None:
    plan = data.get("treatment_plan", {})
    if not isinstance(plan, Mapping):
        errs.setdefault("treatment_plan", []).append("must be an object")
        return
    for key, allowed in (("cell_types", cell_types), ("routes", routes)):
        got = _names(plan.get(key, []))
        if got is None:
            errs.setdefault(f"treatment_plan.{key}", []).append("must be a list of codes")
        elif allowed and [v for v in got if v not in allowed]:
            bad = [v for v in got if v not in allowed]
            errs.setdefault(f"treatment_plan.{key}", []).append(
                f"{bad} not known; allowed: {', '.join(sorted(allowed))}"
            )
    dose = plan.get("dose_total_cells")
    if dose is None:
        return
    low, high = (real_number(dose.get(k)) if isinstance(dose, Mapping) else None
                 for k in ("min", "max"))  # fmt: skip
    if low is None or high is None or low <= 0 or high <= 0:
        errs.setdefault("treatment_plan.dose_total_cells", []).append(
            "needs positive numbers 'min' and 'max'"
        )
    elif low > high:
        errs.setdefault("treatment_plan.dose_total_cells", []).append("'min' is above 'max'")


def check_document(
    data: object, *, cell_types: Collection[str] = (), routes: Collection[str] = ()
) -> dict[str, list[str]]:
    """Every problem with a protocol version document, by field path (empty when valid).

    ``cell_types`` and ``routes`` are the codes the registry knows (empty = not checked).
    """
    if not isinstance(data, Mapping):
        return {"document": ["must be an object (JSON or YAML mapping)"]}
    errs: dict[str, list[str]] = {}
    for key in sorted(set(map(str, data)) - _KEYS):
        errs.setdefault(key, []).append("is not a field of a protocol version")
    _text(data, "code", errs, 30)
    _text(data, "name", errs, 200)
    _text(data, "version", errs, 10)
    if data.get("design", "uncontrolled") not in DESIGNS:
        errs.setdefault("design", []).append(f"must be one of {', '.join(DESIGNS)}")
    arms = _check_arms(data, errs)
    _check_randomisation(data, arms, errs)
    try:
        Protocol.from_dict({"code": "x", "name": "x", "version": "x",
                            "criteria": data.get("criteria")})  # fmt: skip
    except DefinitionError as exc:
        for e in exc.errors:
            errs.setdefault(e.key, []).append(e.message)
    visit_codes: set[str] | None = None
    try:
        raw = data.get("schedule")
        schedule = VisitSchedule.from_dict(raw if isinstance(raw, Mapping) else {})
        visit_codes = {v.code for v in schedule.visits}
    except DefinitionError as exc:
        for e in exc.errors:
            errs.setdefault(f"schedule.{e.key}", []).append(e.message)
    _check_instruments(data, visit_codes, errs)
    _check_plan(data, cell_types, routes, errs)
    return errs


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``path`` with its value before (``old``) and after (``new``).

    ``old`` is None for an addition and ``new`` None for a removal (``kind`` says which).
    """

    path: str
    kind: str  # "added", "removed", "changed"
    old: object
    new: object

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


_MISSING: Final = object()


def _keyed(rows: list[object]) -> dict[str, object] | None:
    """List rows by their ``code`` or ``name``, if every row has a distinct one."""
    out: dict[str, object] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            return None
        key = row.get("code", row.get("name"))
        if not isinstance(key, str) or key in out:
            return None
        out[key] = row
    return out


def _diff(path: str, old: object, new: object, out: list[Change]) -> None:
    if old is _MISSING:
        out.append(Change(path, "added", None, new))
    elif new is _MISSING:
        out.append(Change(path, "removed", old, None))
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        for k in list(old) + [k for k in new if k not in old]:
            _diff(f"{path}.{k}" if path else str(k), old.get(k, _MISSING),
                  new.get(k, _MISSING), out)  # fmt: skip
    elif isinstance(old, list) and isinstance(new, list):
        ko, kn = _keyed(old), _keyed(new)
        if ko is not None and kn is not None and (ko or kn):
            for k in list(ko) + [k for k in kn if k not in ko]:
                _diff(f"{path}[{k}]", ko.get(k, _MISSING), kn.get(k, _MISSING), out)
        elif old != new:
            out.append(Change(path, "changed", old, new))
    elif old != new:
        out.append(Change(path, "changed", old, new))


def diff_documents(old: Mapping[str, object], new: Mapping[str, object]) -> list[Change]:
    """What changed from ``old`` to ``new``, one row per changed leaf, in document order."""
    out: list[Change] = []
    _diff("", old, new, out)
    return out
