"""The registry as FHIR R4 resources, built and validated with ``fhir.resources.R4B``.

One patient's record becomes a ``collection`` Bundle (:func:`patient_bundle`); many patients
become NDJSON, one resource a line (:func:`ndjson_lines`). Resource ids are ``<kind>-<pk>``;
only pseudonymous data leaves: the study id, year of birth, sex and clinical records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent as FhirAdverseEvent
from fhir.resources.R4B.biologicallyderivedproduct import BiologicallyDerivedProduct
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS

from ..exams.models import IsncsciExam
from ..followup.models import InstrumentResponse, Visit
from ..patients.models import Injury, Patient
from ..safety.models import AdverseEvent
from ..therapy.models import Administration, CellProductLot
from . import codes as c
from .fhir_vitals import vital_sign_resources

__all__ = [
    "RESOURCE_TYPES",
    "ndjson_lines",
    "patient_bundle",
    "patient_resources",
    "write_ndjson_files",
]

RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "Observation",
    "BiologicallyDerivedProduct",
    "Procedure",
    "AdverseEvent",
    "Encounter",
    "QuestionnaireResponse",
)


def _coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code}
    return {**coding, "display": display} if display else coding


def _concept(system: str, code: str, text: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [_coding(system, code, text)]}
    return {**concept, "text": text} if text else concept


def _ref(kind: str, pk: int) -> dict[str, str]:
    return {"reference": f"{kind}/{kind.lower()}-{pk}"}


def patient_resource(p: Patient) -> FhirPatient:
    return FhirPatient.model_validate(
        {
            "resourceType": "Patient",
            "id": f"patient-{p.pk}",
            "identifier": [{"system": c.STUDY_ID, "value": p.study_id}],
            "gender": c.GENDER.get(p.sex, "unknown"),
            "birthDate": f"{p.year_of_birth:04d}",
        }
    )


def condition_resource(injury: Injury) -> Condition:
    return Condition.model_validate(
        {
            "resourceType": "Condition",
            "id": f"condition-{injury.pk}",
            "clinicalStatus": _concept(c.CONDITION_CLINICAL, "active"),
            "code": _concept(c.REGISTRY, f"sci-{injury.etiology}", "Spinal cord injury"),
            "bodySite": [
                _concept(c.ISNCSCI, f"level-{injury.level}", injury.level.replace("_", "-"))
            ],
            "subject": _ref("Patient", injury.patient_id),
            "onsetDateTime": injury.injury_date.isoformat(),
            "evidence": [{"code": [_concept(c.REGISTRY, f"cause-{injury.cause}", injury.cause)]}],
            "stage": [
                {
                    "summary": _concept(
                        c.ISNCSCI, f"ais-{injury.baseline_ais}", f"AIS {injury.baseline_ais}"
                    ),
                    "type": _concept(c.LOINC, c.LOINC_AIS, "ASIA impairment scale"),
                }
            ],
        }
    )


def _exam_component(key: str, value: str) -> dict[str, Any]:
    codings = [_coding(c.ISNCSCI, key)]
    if key == "asiaImpairmentScale":
        codings.insert(0, _coding(c.LOINC, c.LOINC_AIS, "ASIA impairment scale"))
    if key in c.NINDS_CDE_IDS:
        codings.append(_coding(c.NINDS_CDE, c.NINDS_CDE_IDS[key]))
    component: dict[str, Any] = {"code": {"coding": codings, "text": key}}
    if value.isdigit():
        component["valueInteger"] = int(value)
    else:
        component["valueString"] = value
    return component


def exam_resource(exam: IsncsciExam) -> Observation:
    """The exam as one panel: every raw value and every result a component."""
    values = exam.values or {}
    components = [_exam_component(k, str(values[k])) for k in EXAM_KEYS if values.get(k)]
    result = exam.classification or {}
    components += [_exam_component(k, str(result[k])) for k in RESULT_KEYS if k in result]
    body: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"observation-{exam.pk}",
        "status": "final" if exam.signed_at else "preliminary",
        "category": [_concept(c.OBSERVATION_CATEGORY, "exam")],
        "code": _concept(c.ISNCSCI, "isncsci-exam", "ISNCSCI 2019 examination"),
        "subject": _ref("Patient", exam.patient_id),
        "effectiveDateTime": exam.exam_date.isoformat(),
        "component": components,
    }
    if exam.visit_id:
        body["encounter"] = _ref("Encounter", exam.visit_id)
    return Observation.model_validate(body)


def lot_resource(lot: CellProductLot) -> BiologicallyDerivedProduct:
    body: dict[str, Any] = {
        "resourceType": "BiologicallyDerivedProduct",
        "id": f"biologicallyderivedproduct-{lot.pk}",
        "identifier": [{"system": c.LOT_ID, "value": f"{lot.manufacturer}/{lot.lot_number}"}],
        "productCategory": "cells",
        "productCode": _concept(c.REGISTRY, f"cells-{lot.cell_type}", lot.get_cell_type_display()),
        "status": "available" if lot.released else "unavailable",
        "quantity": min(lot.cell_count, 2**31 - 1),
        "processing": [
            {
                "description": f"{lot.source}; viability {lot.viability_pct}%",
                "timeDateTime": lot.manufactured_on.isoformat(),
            }
        ],
        "storage": [{"duration": {"end": lot.expires_on.isoformat()}}],
    }
    if lot.source_patient_id:
        body["collection"] = {"source": _ref("Patient", lot.source_patient_id)}
    return BiologicallyDerivedProduct.model_validate(body)


def procedure_resource(a: Administration) -> Procedure:
    return Procedure.model_validate(
        {
            "resourceType": "Procedure",
            "id": f"procedure-{a.pk}",
            "status": "completed",
            "code": _concept(
                c.REGISTRY,
                f"cell-administration-{a.route}",
                f"Cell product administration ({a.route})",
            ),
            "subject": _ref("Patient", a.patient_id),
            "performedDateTime": a.administered_at.isoformat(),
            "extension": [
                {
                    "url": c.LOT_EXTENSION,
                    "valueReference": _ref("BiologicallyDerivedProduct", a.lot_id),
                }
            ],
            "note": [{"text": f"dose {a.dose_total_cells} cells ({a.dose_per_kg}/kg)"}],
        }
    )


def adverse_event_resource(e: AdverseEvent) -> FhirAdverseEvent:
    body: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": f"adverseevent-{e.pk}",
        "actuality": "actual",
        "event": {"text": e.term},
        "subject": _ref("Patient", e.patient_id),
        "date": e.onset_date.isoformat(),
        "seriousness": _concept(c.AE_SERIOUSNESS, "serious" if e.serious else "non-serious"),
        "severity": _concept(c.AE_SEVERITY, c.AE_SEVERITIES[e.ctcae_grade]),
        "outcome": _concept(c.AE_OUTCOME, c.AE_OUTCOMES.get(e.outcome, "unknown")),
        "extension": [{"url": c.CTCAE, "valueInteger": e.ctcae_grade}],
    }
    if e.administration_id:
        body["suspectEntity"] = [
            {
                "instance": _ref("Procedure", e.administration_id),
                "causality": [
                    {"assessment": _concept(c.REGISTRY, f"related-{e.relatedness}", e.relatedness)}
                ],
            }
        ]
    return FhirAdverseEvent.model_validate(body)


def encounter_resource(v: Visit) -> Encounter:
    period = {"start": (v.done_on or v.target_date).isoformat()}
    return Encounter.model_validate(
        {
            "resourceType": "Encounter",
            "id": f"encounter-{v.pk}",
            "status": c.ENCOUNTER_STATUS.get(v.status, "unknown"),
            "class": _coding(c.ACT_CODE, "AMB", "ambulatory"),
            "type": [_concept(c.REGISTRY, f"visit-{v.code}", v.label or v.code)],
            "subject": _ref("Patient", v.patient_id),
            "period": period,
        }
    )


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float | Decimal):
        return {"valueDecimal": value}
    if isinstance(value, str):
        return {"valueString": value}
    return {"valueString": json.dumps(value, sort_keys=True, default=str)}


def questionnaire_resource(r: InstrumentResponse) -> QuestionnaireResponse:
    items = [
        {"linkId": str(k), "answer": [_answer(v)]}
        for k, v in sorted(r.responses.items())
        if v is not None
    ]
    if r.total is not None:
        items.append({"linkId": "total", "answer": [{"valueDecimal": r.total}]})
    body: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"questionnaireresponse-{r.pk}",
        "questionnaire": f"{c.QUESTIONNAIRE}/{r.instrument}",
        "status": "completed",
        "subject": _ref("Patient", r.patient_id),
        "authored": r.recorded_on.isoformat(),
        "item": items,
    }
    if r.visit_id:
        body["encounter"] = _ref("Encounter", r.visit_id)
    return QuestionnaireResponse.model_validate(body)


def patient_resources(patient: Patient) -> Iterator[Resource]:
    """Every resource of one patient, the Patient first."""
    yield patient_resource(patient)
    injury = Injury.objects.filter(patient=patient).first()
    if injury is not None:
        yield condition_resource(injury)
    for visit in patient.visits.order_by("target_day", "pk"):
        yield encounter_resource(visit)
    for exam in patient.exams.signed().order_by("exam_date", "pk"):  # drafts stay inside
        yield exam_resource(exam)
    lots = CellProductLot.objects.filter(administrations__patient=patient).distinct()
    for lot in lots.order_by("pk"):
        yield lot_resource(lot)
    for administration in patient.administrations.order_by("administered_at", "pk"):
        yield procedure_resource(administration)
        yield from vital_sign_resources(administration)
    for event in patient.adverse_events.order_by("onset_date", "pk"):
        yield adverse_event_resource(event)
    for response in patient.instruments.order_by("recorded_on", "pk"):
        yield questionnaire_resource(response)


def patient_bundle(patient: Patient) -> Bundle:
    entries = [{"resource": r} for r in patient_resources(patient)]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": f"patient-{patient.pk}-record",
            "type": "collection",
            "entry": entries,
        }
    )


def write_ndjson_files(patients: Iterable[Patient], out: Path) -> dict[str, int]:
    """FHIR Bulk Data layout: ``<Type>.ndjson`` per resource type in ``out``; counts per type."""
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    streams = {kind: (out / f"{kind}.ndjson").open("w", encoding="utf-8") for kind in counts}
    try:
        for line, kind in _lines(patients, None):
            streams[kind].write(line)
            counts[kind] += 1
    finally:
        for stream in streams.values():
            stream.close()
    return counts


def ndjson_lines(patients: Iterable[Patient], kind: str | None = None) -> Iterator[str]:
    """One JSON resource a line (FHIR Bulk Data NDJSON), of one resource type or of all."""
    for line, _ in _lines(patients, kind):
        yield line


def _lines(patients: Iterable[Patient], kind: str | None) -> Iterator[tuple[str, str]]:
    seen_lots: set[str] = set()
    for patient in patients:
        for resource in patient_resources(patient):
            if kind is not None and resource.get_resource_type() != kind:
                continue
            if resource.get_resource_type() == "BiologicallyDerivedProduct":
                if resource.id in seen_lots:
                    continue
                seen_lots.add(str(resource.id))
            line = resource.model_dump_json(exclude_none=True) + "\n"
            yield line, resource.get_resource_type()
