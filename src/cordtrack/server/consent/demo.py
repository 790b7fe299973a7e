"""The demo's consent documents (English and Arabic, in ``data/demo``) and its signed consents.

Demo patients were consented on paper when they joined (the status form keeps that date: it is
the start of participation that adverse events are compared with), then signed the same version
electronically in clinic, before the coordinator, with a witness where the document asks for one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..patients.models import Patient
from ..services import consent as consent_services
from ..services import consent_documents
from ..services.protocols import parse_document
from .models import ConsentDocument

DATA = Path(__file__).resolve().parent / "data" / "demo"

#: The consent version label of each demo protocol (the synthetic cohort records it too).
VERSIONS: dict[str, str] = {"CT-MSC-IT": "2.1", "CT-MSC-RCT": "RCT-1.0"}


def publish(data_manager: Any) -> int:
    """Publish the demo documents not published yet; returns how many were published."""
    made = 0
    for path in sorted(DATA.glob("*.yaml")):
        doc = parse_document(path.read_text(encoding="utf-8"))
        if ConsentDocument.objects.filter(
            protocol__code=doc["protocol"], version=doc["version"], language=doc["language"]
        ).exists():
            continue
        consent_documents.publish(data_manager, doc)
        made += 1
    return made


def sign_in_clinic(coordinator: Any, proof: Any, patient: Patient, protocol_code: str) -> None:
    """The patient signs the current document of ``protocol_code`` on the clinic's tablet."""
    document = consent_documents.current_document(protocol_code, patient.preferred_language)
    if document is None:
        return
    answers = {f"q{i}": q["answer"] for i, q in enumerate(document.questions)}
    consent_services.sign_in_clinic(
        coordinator, patient, document, answers, patient_name=f"{patient.study_id} (initials)",
        witness_name="Demo Witness" if document.witness_required else "", password=proof,
    )  # fmt: skip
