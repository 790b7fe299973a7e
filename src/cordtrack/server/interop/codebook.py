"""The de-identified dataset's variables: one definition per column, from which the SPSS (.sav)
and Stata (.dta) files and the codebook (CSV and PDF) are all written (docs/research-export.md).

A :class:`Variable` has the CSV column, a name valid in SPSS and Stata (letters, digits and
underscores, at most 32 characters, starting with a letter), a label, a kind and, for coded
columns, its value labels, read from the registry's own choices (sex, cause, route, AIS grades,
relatedness...), so the files and the codebook cannot disagree with the data entry forms.

Kinds: ``string`` (kept as text: ISNCSCI cells such as ``NT`` or ``4*``, result lists such as
``C5,C6*``, research ids), ``integer``, ``number``, ``date`` (the shifted dates), ``boolean``
(0 = no, 1 = yes) and ``category`` (numbered 1..k in the order of the choices, each number
labelled with its code and meaning, e.g. ``2 = "M: Male"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.utils import translation

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS
from cordtrack.isncsci.types import AIS_GRADES, RESULT_LEVELS

from ..followup.models import TranslationStatus, VisitStatus
from ..patients.models import Cause, Etiology, MedicationRoute, Sex
from ..safety.models import SERIOUSNESS_FIELDS, Action, Outcome, Relatedness
from ..therapy import vitals
from ..therapy.models import CellType, Route, Source

__all__ = ["KINDS", "Variable", "file_variables", "stata_name"]

KINDS: Final = ("string", "integer", "number", "date", "boolean", "category")
_NAME_LIMIT: Final = 32
Choices = tuple[tuple[str, str], ...]


def _choices(pairs: Iterable[tuple[object, object]]) -> Choices:
    # The codebook is English whatever language a request is in (model choice labels are
    # translatable, ADR 0043): no translation active while the labels become text, which also
    # needs no app registry at import time.
    with translation.override(None):
        return tuple((str(code), str(label)) for code, label in pairs)


_AIS: Final = _choices((g, g) for g in AIS_GRADES)
_LEVELS: Final = _choices((lv, lv) for lv in RESULT_LEVELS)
_INSTRUMENTS: Final = _choices([("scim_iii", "SCIM III"), ("wisci_ii", "WISCI II"),
                                ("pain_nrs", "Pain NRS"), ("ashworth", "Modified Ashworth"),
                                ("penn_spasm", "Penn Spasm Frequency Scale"),
                                ("nbd", "Neurogenic Bowel Dysfunction score"),
                                ("qol_basic", "ISCI QoL Basic Data Set")])  # fmt: skip
_SITES_NOTE: Final = "site code of the program"


@dataclass(frozen=True, slots=True)
class Variable:
    file: str
    column: str
    name: str
    label: str
    kind: str
    values: Choices = ()

    def code_of(self, value: str) -> int | None:
        """The number a category's code is stored as (1..k), None for an empty value."""
        if value == "":
            return None
        for number, (code, _) in enumerate(self.values, start=1):
            if code == value:
                return number
        raise ValueError(f"{self.file} {self.column}: {value!r} is not one of its codes")

    def value_labels(self) -> dict[int | float, str]:
        if self.kind == "boolean":
            return {0: "No", 1: "Yes"}
        return {n: f"{code}: {label}" if code != label else code
                for n, (code, label) in enumerate(self.values, start=1)}  # fmt: skip


def stata_name(column: str, taken: set[str]) -> str:
    """``column`` as a name valid in SPSS and Stata, unique among ``taken`` (which it joins)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", column)
    if not name[:1].isalpha():
        name = f"v_{name}"
    name = name[:_NAME_LIMIT]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f"_{n}"
        name = base[: _NAME_LIMIT - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


#: column -> (label, kind, value labels) for every column that is not an ISNCSCI exam key.
_DEFINED: Final[dict[str, tuple[str, str, Choices]]] = {
    "research_id": ("Research id (random code, new at each export)", "string", ()),
    "site": ("Program (site code)", "string", ()),
    "sex": ("Sex", "category", _choices(Sex.choices)),
    "age_at_injury": ("Age at injury, whole years (90 and over as 90)", "integer", ()),
    "injury_date": ("Date of injury (shifted per patient)", "date", ()),
    "etiology": ("Etiology", "category", _choices(Etiology.choices)),
    "cause": ("Cause of injury", "category", _choices(Cause.choices)),
    "level": ("Level of injury recorded at intake", "category", _LEVELS),
    "baseline_ais": ("AIS grade recorded at intake", "category", _AIS),
    "exam_date": ("Date of the ISNCSCI exam (shifted)", "date", ()),
    "visit": ("Protocol visit code", "string", ()),
    "date": ("Date of the administration (shifted)", "date", ()),
    "route": ("Route", "category", _choices(Route.choices)),
    "dose_total_cells": ("Dose, total cells", "number", ()),
    "dose_per_kg": ("Dose, cells per kg", "number", ()),
    "lot": ("Cell product lot (random code)", "string", ()),
    "cell_type": ("Cell type", "category", _choices(CellType.choices)),
    "source": ("Autologous or allogeneic", "category", _choices(Source.choices)),
    "viability_pct": ("Viability of the lot, %", "number", ()),
    "onset_date": ("Date of onset (shifted)", "date", ()),
    "resolution_date": ("Date of resolution (shifted)", "date", ()),
    "ctcae_grade": ("CTCAE v5.0 grade (1-5)", "integer", ()),
    "serious": ("Serious adverse event (ICH E2A)", "boolean", ()),
    **{f: (f"Seriousness criterion: {f.replace('_', ' ')}", "boolean", ())
       for f in SERIOUSNESS_FIELDS},
    "relatedness": ("Relatedness to the treatment", "category", _choices(Relatedness.choices)),
    "expected": ("Expected (listed) event", "boolean", ()),
    "action": ("Action taken with the treatment", "category", _choices(Action.choices)),
    "outcome": ("Outcome of the event", "category", _choices(Outcome.choices)),
    "target_day": ("Target day of the visit after the first administration", "integer", ()),
    "target_date": ("Target date of the visit (shifted)", "date", ()),
    "status": ("Visit status", "category", _choices(VisitStatus.choices)),
    "done_on": ("Date the visit was done (shifted)", "date", ()),
    "instrument": ("Outcome instrument", "category", _INSTRUMENTS),
    "recorded_on": ("Date recorded (shifted)", "date", ()),
    "total": ("Instrument total score", "number", ()),
    "responses": ("Item responses (JSON)", "string", ()),
    "language": ("Language the questionnaire was answered in (ISO 639-1)", "string", ()),
    "translation": ("Wording answered: original, working (not validated) or validated translation",
                    "category", _choices(TranslationStatus.choices)),
    "icd10": ("ICD-10 code", "string", ()),
    "ongoing": ("Condition ongoing", "boolean", ()),
    "atc_code": ("WHO ATC code", "string", ()),
    "classes": ("Medication classes (space-separated)", "string", ()),
    "start_date": ("Start date (shifted)", "date", ()),
    "stop_date": ("Stop date (shifted)", "date", ()),
}  # fmt: skip
_MEDICATION_ROUTE: Final = (
    "Route of the medication", "category", _choices(MedicationRoute.choices),
)  # fmt: skip


def _definition(file: str, column: str) -> tuple[str, str, Choices]:
    if file == "medications.csv" and column == "route":
        return _MEDICATION_ROUTE
    if column in _DEFINED:
        return _DEFINED[column]
    if column in EXAM_KEYS:
        return (f"ISNCSCI exam value {column} (as entered: 0-5, 0-2, NT, stars)", "string", ())
    if column in RESULT_KEYS:
        return (f"ISNCSCI 2019 result {column} (CordTrack engine)", "string", ())
    if column in vitals.columns():
        return (f"Vital sign {column.replace('_', ' ')}", "number", ())
    raise KeyError(f"{file}: column {column!r} has no codebook definition")


def file_variables(file: str, columns: Sequence[str]) -> list[Variable]:
    """The variables of one file of the export, in column order."""
    taken: set[str] = set()
    out = []
    for column in columns:
        label, kind, values = _definition(file, column)
        out.append(Variable(file, column, stata_name(column, taken), label[:80], kind, values))
    return out
