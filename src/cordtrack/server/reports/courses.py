"""The cohort's courses read in one query per table: the cohort report of a large site.

:func:`treated_courses` gives what ``adapters.timeline`` + ``adapters.course_of`` give for every
treated patient (the rules are the adapters' own: baseline exam, follow-ups, instruments joined
within ``INSTRUMENT_MATCH_DAYS``, tags), but reads only the columns they use, with ``.values()``
and one query per table restricted to the treated patients, instead of building every record of
every patient of the site as a model instance through per-patient prefetch querysets (at 10,000
patients a site that took minutes: 190,582 instances and 228,189 JSON decodes, issue 16).
``tests/server/test_report_courses.py`` keeps the obvious per-patient version and proves both
give equal courses on the demo and synthetic registries.

The patients read are noted for the read audit (``audit.reads.note``): rows read as values are
not model instances, which is how the audit otherwise sees a read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from cordtrack.outcomes import Assessment, FollowUp, PatientCourse

from ..audit import reads
from ..exams.models import IsncsciExam
from ..followup.models import InstrumentResponse, TranslationStatus, Visit
from ..idsets import among
from ..intake.models import EligibilityScreening
from ..patients.models import Injury, Patient
from ..therapy.models import Administration
from .adapters import INSTRUMENT_FIELDS, INSTRUMENT_MATCH_DAYS

#: instrument code -> [(day ordinal, rounded total)] in date order, of responses with a total
Instruments = dict[str, list[tuple[int, int]]]
#: The classification keys ``adapters.assessment_of`` reads, fetched as text (no JSON decode).
RESULT_KEYS = ("asiaImpairmentScale", "neurologicalLevelOfInjury", "rightMotor", "leftMotor",
               "upperMotorTotal", "lowerMotorTotal", "touchTotal", "prickTotal")  # fmt: skip
#: Those keys read as text by the database (the order of ``_Assessments.of``'s unpacking).
RESULTS = tuple(KT(f"classification__{key}") for key in RESULT_KEYS)


def _nearest(instruments: Instruments, day: int, not_after: int | None) -> tuple[int | None, ...]:
    """``adapters._nearest_instruments`` on day ordinals: per instrument (in the order of
    ``INSTRUMENT_FIELDS``), the total of the response nearest ``day`` within
    ``INSTRUMENT_MATCH_DAYS`` (the earlier on a tie; the first stored on a tie of dates), none
    after ``not_after``; None where there is none."""
    if not instruments:
        return _NO_INSTRUMENTS
    found: list[int | None] = []
    for code in INSTRUMENT_FIELDS:
        best_total: int | None = None
        best_on, best_distance = 0, INSTRUMENT_MATCH_DAYS + 1  # farther than any match
        for on, total in instruments.get(code, ()):
            if not_after is not None and on > not_after:
                continue
            distance = on - day if on >= day else day - on
            if distance < best_distance or (distance == best_distance and on < best_on):
                best_on, best_total, best_distance = on, total, distance
        found.append(best_total)
    return tuple(found)


_NO_INSTRUMENTS: tuple[int | None, ...] = (None,) * len(INSTRUMENT_FIELDS)
# ``_Assessments.of`` gives the totals to the fields of these names, in this order.
assert tuple(INSTRUMENT_FIELDS.values()) == ("scim_iii", "wisci_ii", "pain_nrs")


def _number(value: str | None) -> int | None:
    """A stored total as ``adapters._total`` reads it: digits, else not determinable."""
    return int(value) if value and value.isdigit() else None


class _Assessments:
    """``adapters.assessment_of`` for rows of the eight result keys (``RESULT_KEYS``, as text or
    None) and the instrument totals, each distinct combination built once: a registry repeats
    the same results and totals many times, and an ``Assessment`` is an immutable value."""

    def __init__(self) -> None:
        self.made: dict[tuple[Any, ...], Assessment] = {}

    def of(self, results: tuple[str | None, ...], extra: tuple[int | None, ...]) -> Assessment:
        key = (results, extra)
        found = self.made.get(key)
        if found is None:
            ais, nli, right, left, upper, lower, touch, prick = results
            scim, wisci, pain = extra
            found = Assessment(
                ais=ais or None, nli=nli or None, motor_level_right=right or None,
                motor_level_left=left or None, uems=_number(upper), lems=_number(lower),
                lt=_number(touch), pp=_number(prick), scim_iii=scim, wisci_ii=wisci,
                pain_nrs=pain,
            )  # fmt: skip
            self.made[key] = found
        return found


def _grouped(rows: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    by_patient: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_patient[row["patient_id"]].append(row)
    return by_patient


def _first_protocols(ids: list[int]) -> dict[int, str]:
    """The protocol a patient is tagged with: of their first visit that has one (by target day),
    else of their first screening (``adapters.tags_of``)."""
    found: dict[int, str] = {}
    screened = EligibilityScreening.objects.filter(among("patient_id", ids)).order_by("-pk")
    for patient_id, code in screened.values_list("patient_id", "protocol__code"):
        found[patient_id] = code  # the last written is the first screening
    visits = Visit.objects.filter(among("patient_id", ids), protocol__isnull=False)
    for patient_id, code in visits.order_by("-target_day", "-pk").values_list(
        "patient_id", "protocol__code"
    ):
        found[patient_id] = code  # a visit's protocol wins over a screening's
    return found


def treated_people(patients: QuerySet[Patient]) -> list[dict[str, Any]]:
    """The treated patients among ``patients`` (in its order): ``pk``, ``study_id``,
    ``year_of_birth``, ``site_id``, ``site__code``; noted for the read audit with their sites."""
    treated = patients.filter(
        pk__in=Administration.objects.filter(patient__in=patients.values("pk")).values("patient_id")
    )
    people: list[dict[str, Any]] = list(
        treated.values("pk", "study_id", "year_of_birth", "site_id", "site__code")  # type: ignore[arg-type]
    )
    reads.note(p["pk"] for p in people)
    reads.note_sites((p["pk"], p["site_id"]) for p in people)
    return people


def treated_courses(
    patients: QuerySet[Patient], today: dt.date, *, validated_answers_only: bool = False
) -> tuple[list[PatientCourse], list[str]]:
    """Courses of the treated patients among ``patients`` (in its order), and the study ids of
    treated patients lacking a baseline exam; equal to the per-patient adapters' answer.

    ``validated_answers_only``: instruments answered to a working (not validated) translation
    are left out, as if not answered (ADR 0044)."""
    people = treated_people(patients)
    return courses_of(people, today, validated_answers_only=validated_answers_only)


def courses_of(
    people: list[dict[str, Any]], today: dt.date, *, validated_answers_only: bool = False
) -> tuple[list[PatientCourse], list[str]]:
    """:func:`treated_courses` for the patients :func:`treated_people` chose."""
    # Every table is read for these patients by their ids, one array parameter, rather than by
    # repeating the selection of ``treated_people`` as a subquery in each query (ADR 0058).
    ids = [p["pk"] for p in people]
    admins = _grouped(
        Administration.objects.filter(among("patient_id", ids))
        .order_by("administered_at", "pk")
        .values("patient_id", "administered_at", "route", "lot__cell_type")
    )
    # A classification that is null or empty is not a result (``adapters.timeline``). Rows as
    # tuples: (patient id, exam date, the eight result keys as text).
    exams: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        IsncsciExam.objects.filter(among("patient_id", ids), signed_at__isnull=False)
        .filter(classification__isnull=False)
        .exclude(classification={})
        .order_by("exam_date", "pk")
        .values_list("patient_id", "exam_date", *RESULTS)
    ):
        exams[row[0]].append(row)
    instruments: dict[int, Instruments] = defaultdict(lambda: defaultdict(list))
    rows = InstrumentResponse.objects.filter(among("patient_id", ids), total__isnull=False)
    if validated_answers_only:
        rows = rows.exclude(translation=TranslationStatus.WORKING)
    for patient_id, code, total, on in rows.order_by("recorded_on", "pk").values_list(
        "patient_id", "instrument", "total", "recorded_on"
    ):
        assert total is not None  # filtered above
        instruments[patient_id][code].append((on.toordinal(), round(total)))
    injuries = dict(
        Injury.objects.filter(among("patient_id", ids)).values_list("patient_id", "injury_date")
    )
    protocols = _first_protocols(ids)
    courses: list[PatientCourse] = []
    without: list[str] = []
    assessments = _Assessments()
    for person in people:
        pk = person["pk"]
        given = admins[pk]  # by time given: the first is the first administration
        first = given[0]["administered_at"].date()
        classified = exams.get(pk)
        if not classified:
            without.append(person["study_id"])
            continue
        base = classified[0]
        for exam in classified:  # the last on or before the first administration, else the first
            if exam[1] > first:
                break
            base = exam
        base_date: dt.date = base[1]
        own = instruments.get(pk, {})
        tags = {"site": person["site__code"], "cell_type": given[0]["lot__cell_type"],
                "route": given[0]["route"]}  # fmt: skip
        if pk in protocols:
            tags["protocol"] = protocols[pk]
        injury = injuries.get(pk)
        baseline = assessments.of(base[2:], _nearest(own, base_date.toordinal(), first.toordinal()))
        courses.append(
            PatientCourse(
                patient_id=person["study_id"],
                baseline=baseline,
                days_since_injury_at_baseline=None if injury is None else (base_date - injury).days,
                follow_ups=tuple(
                    FollowUp(
                        (e[1] - base_date).days,
                        assessments.of(e[2:], _nearest(own, e[1].toordinal(), None)),
                    )
                    for e in classified
                    if e[1] > base_date
                ),
                observed_until=(today - base_date).days,
                age_years=base_date.year - person["year_of_birth"],
                tags=tags,
            )
        )
    return courses, without
