"""The outcome report of a randomised protocol: figures per arm, differences, a CONSORT flow.

Patients are analysed in the arm they were randomised to (intention to treat). Day 0 is the
randomisation date: the baseline is the last signed, classified exam on or before it (else the
first exam); follow-ups are the later exams. Per arm: the responder figures of the cohort report
(``outcomes.cohort_rate``), patients with an adverse event and with a serious one (exact
Clopper-Pearson intervals). Between the first two arms (arm 1 minus arm 2): the responder
difference with Newcombe's interval, and the mean difference in total motor score change at the
definition's time, adjusted for baseline (ANCOVA), with its t interval. The flow counts, as
CONSORT 2010 does: screened, not eligible, eligible, not (yet) randomised, randomised; per arm:
received the allocated intervention (an administration on or after randomisation, or for a sham
arm the day-0 procedure visit done), lost to follow-up, withdrew (consent withdrawn), assessed at
the definition's time, analysed. Safety counts events starting on or after randomisation. Arms
are shown only to users who hold no blinded role (:func:`may_see_arms`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from cordtrack.outcomes import (
    FollowUp,
    PatientCourse,
    ResponderDefinition,
    cohort_rate,
    describe,
)
from cordtrack.outcomes.arm_comparison import (
    InsufficientDataError,
    change_difference,
    newcombe_difference,
    safety_rates_by_arm,
)
from cordtrack.outcomes.errors import UndefinedRateError

from .. import blinding
from ..consent.scopes import count_by_scope
from ..intake.models import Decision, InquiryStatus, Protocol, Randomisation
from ..patients.models import ConsentStatus, Patient
from ..safety.models import AdverseEvent
from . import adapters
from .serialize import rate as rate_json

DESIGN_LABEL = "randomised, concurrent control"


def _course(patient: Patient, day0: dt.date, today: dt.date) -> PatientCourse | None:
    exams = [e for e in patient.exams.all() if e.classification and e.signed_at is not None]
    exams.sort(key=lambda e: (e.exam_date, e.pk))
    if not exams:
        return None
    before = [e for e in exams if e.exam_date <= day0]
    base = before[-1] if before else exams[0]
    instruments = list(patient.instruments.all())

    def assessment(exam: Any, not_after: dt.date | None) -> Any:
        # The same joining of instruments to an exam as the cohort report (adapters.timeline).
        values, _ = adapters._nearest_instruments(instruments, exam.exam_date, not_after)
        return adapters.assessment_of(exam.classification or {}, values)

    later = [e for e in exams if e.exam_date > base.exam_date]
    injury = getattr(patient, "injury", None)
    return PatientCourse(
        patient_id=patient.study_id,
        baseline=assessment(base, day0),
        days_since_injury_at_baseline=(base.exam_date - injury.injury_date).days
        if injury is not None else None,
        follow_ups=tuple(
            FollowUp((e.exam_date - base.exam_date).days, assessment(e, None)) for e in later
        ),
        observed_until=(today - base.exam_date).days,
        age_years=base.exam_date.year - patient.year_of_birth,
    )  # fmt: skip


def _received(patient: Patient, r: Randomisation) -> bool:
    """Received the allocated intervention: an administration on or after randomisation, or (an
    arm without a product: the sham procedure) the protocol's day-0 visit done on or after it."""
    day0 = r.randomised_at.date()
    if any(a.administered_at.date() >= day0 for a in patient.administrations.all()):
        return True
    return any(
        v.target_day == 0 and v.done_on is not None and v.done_on >= day0
        for v in patient.visits.all()
        if v.protocol_id == r.protocol_id
    )


def _left(patient: Patient) -> str:
    """``withdrawn`` (consent withdrawn, or the journey closed as withdrawn), ``lost`` (lost to
    follow-up), else ``""``."""
    if patient.consent_status == ConsentStatus.WITHDRAWN:
        return "withdrawn"
    statuses = {i.status for i in patient.inquiries.all()}
    if InquiryStatus.WITHDRAWN in statuses:
        return "withdrawn"
    return "lost" if InquiryStatus.LOST in statuses else ""


def _events_after_randomisation(members: Sequence[Randomisation]) -> dict[str, tuple[int, int]]:
    """Patients with an adverse event (any; serious) starting on or after their randomisation
    (conditions present before it, flagged ``baseline``, do not count), of those randomised."""
    day0 = {r.patient_id: r.randomised_at.date() for r in members}
    any_ae: set[int] = set()
    serious: set[int] = set()
    rows = AdverseEvent.objects.filter(patient_id__in=day0, baseline=False).values_list(
        "patient_id", "onset_date", "serious"
    )
    for patient_id, onset, is_serious in rows:
        if onset >= day0[patient_id]:
            any_ae.add(patient_id)
            if is_serious:
                serious.add(patient_id)
    return {"any": (len(any_ae), len(day0)), "serious": (len(serious), len(day0))}


def _safety(members: Sequence[Randomisation]) -> dict[str, Any]:
    """Patients with an adverse event (``any``) and with a serious one (``serious``) after
    randomisation, of those randomised, with exact Clopper-Pearson intervals (None: nobody)."""
    rates = safety_rates_by_arm(_events_after_randomisation(members))
    return {
        k: None if v is None else {"events": v.events, "patients": v.total, "estimate": v.estimate,
                                   "low": v.low, "high": v.high, "method": v.method.value}
        for k, v in rates.items()
    }  # fmt: skip


def safety_by_arm(sites: Sequence[str], protocol_code: str) -> dict[str, Any]:
    """The arm report's safety per arm alone (no outcome figures): per arm, patients randomised
    and ``safety`` as in :func:`arm_report`. JSON-ready; names no patient."""
    version = Protocol.objects.filter(code=protocol_code).order_by("-pk").first()
    arms = version.arm_names if version is not None else []
    randomised = list(
        Randomisation.objects.filter(protocol_code=protocol_code, patient__site__code__in=sites)
    )
    per_arm = {}
    for arm in arms:
        members = [r for r in randomised if r.arm == arm]
        per_arm[arm] = {"randomised": len(members), "safety": _safety(members)}
    return {"protocol": protocol_code, "sites": list(sites), "design": DESIGN_LABEL,
            "randomised": len(randomised), "per_arm": per_arm}  # fmt: skip


def verdict(comparison: dict[str, Any]) -> str:
    """One plain sentence on what the intervals say (never more than they say)."""
    d, m = comparison.get("responder_difference"), comparison.get("motor_change_difference")
    if d is None and m is None:
        return str(_("Too few patients are assessed in the arms to compare them."))
    parts = []
    for label, interval in ((_("responders"), d), (_("motor score change"), m and m["difference"])):
        if interval is None:
            continue
        if interval["low"] <= 0 <= interval["high"]:
            parts.append(str(_("the 95%% interval of the difference in %(what)s includes 0: the "
                               "data are compatible with no difference between the arms")
                             % {"what": label}))  # fmt: skip
        else:
            parts.append(str(_("the 95%% interval of the difference in %(what)s excludes 0 (with "
                               "no real difference this happens 1 time in 20 by chance)")
                             % {"what": label}))  # fmt: skip
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def may_see_arms(user: Any) -> bool:
    """Whether ``user`` may see arms and their comparison: signed in and not blinded
    (``blinding.is_blinded``: the outcome assessor, ADR 0040)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not blinding.is_blinded(user)


def _motor_pair(course: PatientCourse, by_day: int, window: int) -> tuple[int, int] | None:
    b = course.baseline
    if b.uems is None or b.lems is None:
        return None
    usable = [
        (abs(f.day - by_day), f)
        for f in course.follow_ups
        if abs(f.day - by_day) <= window
        and f.assessment.uems is not None
        and f.assessment.lems is not None
    ]
    if not usable:
        return None
    f = min(usable, key=lambda u: u[0])[1].assessment
    assert f.uems is not None
    assert f.lems is not None
    return b.uems + b.lems, f.uems + f.lems


def arm_report(
    sites: Sequence[str], protocol_code: str, definition: ResponderDefinition,
    today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Every figure of the arm comparison, JSON-ready."""
    day = today or dt.date.today()
    version = Protocol.objects.filter(code=protocol_code).order_by("-pk").first()
    arms = version.arm_names if version is not None else []
    randomisations = Randomisation.objects.filter(
        protocol_code=protocol_code, patient__site__code__in=sites
    )
    randomised = list(randomisations.select_related("patient").order_by("randomised_at", "pk"))
    by_patient = {r.patient_id: r for r in randomised}
    found = adapters.with_related(Patient.objects.filter(pk__in=by_patient))
    patients = {p.pk: p for p in found.prefetch_related("inquiries")}
    screened = Patient.objects.filter(
        site__code__in=sites, screenings__protocol__code=protocol_code
    ).distinct()
    eligible = screened.filter(screenings__decision=Decision.ELIGIBLE).distinct()
    per_arm: dict[str, dict[str, Any]] = {}
    courses: dict[str, list[PatientCourse]] = {a: [] for a in arms}
    pairs: dict[str, list[tuple[int, int]]] = {a: [] for a in arms}
    flow: dict[str, dict[str, Any]] = {}
    members = {arm: [r for r in randomised if r.arm == arm] for arm in arms}
    for arm in arms:
        for r in members[arm]:
            course = _course(patients[r.patient_id], r.randomised_at.date(), day)
            if course is not None:
                courses[arm].append(course)
                pair = _motor_pair(course, definition.by_day, definition.window_days)
                if pair is not None:
                    pairs[arm].append(pair)
    for arm in arms:
        # Each arm's rate carries the other arms as its concurrent control (the design label).
        others = [c for a in arms if a != arm for c in courses[a]]
        rate = cohort_rate(courses[arm], definition, control=others)
        treated = sum(1 for r in members[arm] if _received(patients[r.patient_id], r))
        left = [_left(patients[r.patient_id]) for r in members[arm]]
        flow[arm] = {
            "randomised": len(members[arm]), "treated": treated,
            "assessed": rate.responders + rate.non_responders + rate.undetermined,
            "lost": left.count("lost"), "withdrawn": left.count("withdrawn"),
            "without_baseline_exam": len(members[arm]) - len(courses[arm]),
            # Signed withdrawals by their widest scope (consent/scopes.py), each patient once.
            "withdrawn_by_scope": count_by_scope(
                Patient.objects.filter(pk__in=randomisations.filter(arm=arm).values("patient_id"))
            ),
        }  # fmt: skip
        flow[arm]["analysed"] = len(courses[arm])
        per_arm[arm] = {
            "responders": rate_json(rate), "sentence": describe(rate),
            "mean_motor_change": (
                sum(f - b for b, f in pairs[arm]) / len(pairs[arm]) if pairs[arm] else None
            ),
            "motor_pairs": len(pairs[arm]),
            "safety": _safety(members[arm]),
        }  # fmt: skip
    comparison: dict[str, Any] = {"arms": arms[:2]}
    if len(arms) >= 2:
        a, b = arms[0], arms[1]
        ra, rb = per_arm[a]["responders"], per_arm[b]["responders"]
        try:
            comparison["responder_difference"] = newcombe_difference(
                ra["responders"], ra["due"], rb["responders"], rb["due"]
            ).to_dict()
        except UndefinedRateError:
            comparison["responder_difference"] = None
        try:
            comparison["motor_change_difference"] = change_difference(pairs[a], pairs[b]).to_dict()
        except InsufficientDataError as exc:
            comparison["motor_change_difference"] = None
            comparison["motor_change_note"] = str(exc)
        comparison["verdict"] = verdict(comparison)
    return {
        "protocol": protocol_code,
        "sites": list(sites),
        "design": DESIGN_LABEL,
        "definition": definition.definition,
        "analysis": "intention to treat: patients in the arm they were randomised to",
        "per_arm": per_arm,
        "comparison": comparison,
        "flow": {
            "screened": screened.count(),
            "eligible": eligible.count(),
            "randomised": len(randomised),
            "not_eligible": screened.count() - eligible.count(),
            "eligible_not_randomised": eligible.exclude(
                randomisations__protocol_code=protocol_code
            ).count(),
            "per_arm": flow,
        },
        "notes": [
            "Differences are the first arm minus the second; 95% intervals: Newcombe hybrid score "
            "for responders, ANCOVA (change adjusted for baseline total motor score) for motor "
            "change. Safety rates per arm use exact Clopper-Pearson intervals.",
            "Day 0 is the randomisation date; the baseline is the last signed exam on or before "
            "it.",
        ],
    }
