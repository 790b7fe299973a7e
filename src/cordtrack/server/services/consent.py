"""Signing consent (portal or clinic), withdrawing it, and what a valid consent is.

Signing is one act: the comprehension check (every answer right; a wrong one is named and the
patient tries again, nothing is kept), the re-authentication (the patient's own password in the
portal; in clinic the staff member's, with the patient's typed name and, when the document
requires it, the witness's), the :class:`~cordtrack.server.consent.models.Consent` row with its
:class:`~cordtrack.server.signatures.models.Signature`, the PDF copy filed among the patient's
documents, and ``Patient.consent_status`` kept in step, all in one transaction.

A patient's consent is **valid** for a protocol when they signed its current consent version
(``consent_documents.current_version``) and have not withdrawn from treatment. A consent recorded
on paper through the older status form counts when its version label is the current one; for a
protocol with no published consent document the recorded status alone counts (ADR 0045).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from ..access import Cap, can, own_patient_id
from ..consent import scopes
from ..consent.models import Consent, ConsentDocument, Scope, Setting, Withdrawal
from ..intake.models import Document, DocumentKind, EligibilityScreening, Protocol
from ..languages import patient_language
from ..patients.models import ConsentStatus, Patient
from ..signatures.models import Meaning
from . import documents, signatures
from .base import FieldErrors, create, update
from .consent_documents import current_document, current_version


def protocol_code_of(patient: Patient) -> str | None:
    """The protocol the patient's consent is about: that of their latest screening, else of
    their latest signed consent, else the one protocol with consent documents (a registry that
    runs one protocol); None when that leaves a choice (staff choose in clinic)."""
    screening = (
        EligibilityScreening.objects.filter(patient=patient)
        .order_by("-screened_on", "-pk")
        .values_list("protocol__code", flat=True)
        .first()
    )
    if screening:
        return str(screening)
    signed = latest_consent(patient)
    if signed is not None:
        return signed.document.protocol.code
    codes = set(ConsentDocument.objects.values_list("protocol__code", flat=True)[:2])
    return codes.pop() if len(codes) == 1 else None


def latest_consent(patient: Patient, protocol_code: str | None = None) -> Consent | None:
    rows = Consent.objects.filter(patient=patient).select_related("document__protocol", "pdf")
    if protocol_code is not None:
        rows = rows.filter(document__protocol__code=protocol_code)
    return rows.order_by("-signed_at", "-pk").first()


@dataclass(frozen=True)
class ConsentState:
    """Where a patient stands with the consent of one protocol."""

    protocol_code: str | None
    current: ConsentDocument | None  # the current version, in the patient's language if any
    signed: Consent | None  # their latest electronic consent to this protocol
    paper: bool  # a consent recorded through the status form with the current version label
    withdrawal: Withdrawal | None

    @property
    def valid(self) -> bool:
        if self.withdrawal is not None:
            return False
        if self.current is None:
            return self.paper
        signed_current = self.signed is not None and (
            self.signed.document.version == self.current.version
        )
        return signed_current or self.paper

    @property
    def needs_reconsent(self) -> bool:
        """Signed an older version than the current one (and not withdrawn)."""
        return (
            self.withdrawal is None and self.current is not None and not self.valid
            and (self.signed is not None or self.paper_older)
        )  # fmt: skip

    paper_older: bool = False


def state(patient: Patient, protocol_code: str | None = None, language: str = "") -> ConsentState:
    code = protocol_code or protocol_code_of(patient)
    current = current_document(code, language or patient_language(patient)) if code else None
    consented = patient.consent_status == ConsentStatus.CONSENTED
    version = current_version(code) if code else None
    paper = consented and (version is None or patient.consent_version == version)
    return ConsentState(
        protocol_code=code, current=current,
        signed=latest_consent(patient, code) if code else None,
        paper=paper, withdrawal=scopes.current_withdrawal(patient),
        paper_older=consented and version is not None and patient.consent_version != version,
    )  # fmt: skip


def require_valid_consent(
    patient: Patient, protocol: Protocol | str | None, errors: FieldErrors, field: str = "patient"
) -> None:
    """Add an error naming what is missing unless the patient holds a valid consent of the
    current version of ``protocol`` (None: the recorded status alone)."""
    code = protocol.code if isinstance(protocol, Protocol) else protocol
    if code is None:
        if patient.consent_status != ConsentStatus.CONSENTED:
            errors.add(field, "the patient has not consented")
        return
    found = state(patient, code)
    if found.valid:
        return
    version = current_version(code)
    if found.withdrawal is not None:
        errors.add(field, scopes.refusal(patient, scopes.Action.TREATMENT) or "withdrawn")
    elif found.needs_reconsent:
        errors.add(field, f"the patient must re-consent: {code} consent version {version} is "
                          f"current and they signed an earlier one")  # fmt: skip
    else:
        errors.add(field, f"the patient has not consented to {code}"
                          + (f" (consent version {version})" if version else ""))  # fmt: skip


_WRONG = gettext_lazy("Not quite: read this part of the document again and choose another answer.")
_UNANSWERED = gettext_lazy("Please choose an answer.")


def wrong_answers(document: ConsentDocument, answers: dict[str, Any]) -> dict[str, str]:
    """``{"q0": message}`` for each question not answered right (``answers`` maps ``q<i>`` to
    the index of the chosen choice)."""
    wrong: dict[str, str] = {}
    for i, q in enumerate(document.questions):
        given = answers.get(f"q{i}")
        try:
            ok = given is not None and int(given) == int(q["answer"])
        except (TypeError, ValueError):
            ok = False
        if not ok:
            wrong[f"q{i}"] = str(_WRONG if given not in (None, "") else _UNANSWERED)
    return wrong


def _check_signable(patient: Patient, document: ConsentDocument, answers: dict[str, Any],
                    errors: FieldErrors) -> None:  # fmt: skip
    withdrawal = scopes.current_withdrawal(patient)
    if withdrawal is not None or patient.consent_status == ConsentStatus.WITHDRAWN:
        errors.add("__all__", "the patient has withdrawn: a withdrawal is not undone by signing")
    if document.version != current_version(document.protocol.code):
        errors.add("document", f"version {document.version} is no longer current: sign the "
                               f"current version")  # fmt: skip
    for key, message in wrong_answers(document, answers).items():
        errors.add(key, message)


def _pdf(patient: Patient, document: ConsentDocument, context: dict[str, Any]) -> documents.Stored:
    """Render the signed copy in the document's language and put it in the document store."""
    from ..reports.pdf import render_pdf

    with translation.override(document.language):
        data = render_pdf(
            "consent/pdf.html",
            {"document": document, "patient": patient, "rtl": document.language in RTL, **context},
        )
    sha = hashlib.sha256(data).hexdigest()
    path = documents.storage_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{sha}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    name = f"consent-{document.protocol.code}-{document.version}-{document.language}.pdf"
    return documents.Stored(name, documents.PDF, len(data), sha, None)


#: Right-to-left languages among the shipped ones.
RTL = frozenset({"ar"})


def _record(actor: Any, signer: Any, proof: signatures.Reauthentication, patient: Patient,
            document: ConsentDocument, meaning: str, **fields: Any) -> Consent:  # fmt: skip
    signed_at = timezone.now()
    stored = _pdf(patient, document, {"signed_at": signed_at, **fields,
                                      "signer": signatures.printed_name(signer)})  # fmt: skip
    try:
        with transaction.atomic():
            # The copy carries the patient's name: never "de-identified" (nor awaiting review).
            pdf = create(actor, Document(
                patient=patient, kind=DocumentKind.CONSENT_FORM, content_type=stored.content_type,
                original_name=stored.name, size=stored.size, sha256=stored.sha256,
                uploaded_by=actor, deidentified_ok=False,
            ))  # fmt: skip
            consent = create(actor, Consent(patient=patient, document=document, signed_at=signed_at,
                                            pdf=pdf, **fields))  # fmt: skip
            signatures.sign(
                signer,
                proof,
                consent,
                meaning,
                reason=f"consent {document.protocol.code} {document.version}",
            )
            # consent_date stays the date participation began (the first consent), which
            # adverse events are compared with; the version follows the latest signing.
            update(actor, patient, {"consent_status": ConsentStatus.CONSENTED,
                                    "consent_date": patient.consent_date
                                    or timezone.localdate(signed_at),
                                    "consent_version": document.version})  # fmt: skip
            return consent
    except BaseException:
        documents.discard(stored)
        raise


def _proof(actor: Any, password: str | signatures.Reauthentication,
           request: HttpRequest | None) -> signatures.Reauthentication:  # fmt: skip
    """A fresh re-authentication (pages: the password typed now; a batch loader: a recent one)."""
    if isinstance(password, signatures.Reauthentication):
        signatures.check_series(actor, password)
        return password
    return signatures.reauthenticate(actor, password, request)  # outside: a failure counts


def sign_in_portal(
    actor: Any, document: ConsentDocument, answers: dict[str, Any], password: str, *,
    attempts: int = 1, request: HttpRequest | None = None,
) -> Consent:  # fmt: skip
    """The patient signs ``document`` in their portal after answering every question right."""
    patient_id = own_patient_id(actor)
    if patient_id is None:
        raise PermissionDenied("only the patient signs their consent in the portal")
    patient = Patient.objects.select_related("site").get(pk=patient_id)
    errors = FieldErrors()
    _check_signable(patient, document, answers, errors)
    errors.raise_if_any()
    proof = signatures.reauthenticate(actor, password, request)  # outside: a failure counts
    return _record(actor, actor, proof, patient, document, Meaning.AUTHORED,
                   setting=Setting.PORTAL, patient_name=signatures.printed_name(actor),
                   comprehension_attempts=max(1, attempts))  # fmt: skip


def sign_in_clinic(
    actor: Any, patient: Patient, document: ConsentDocument, answers: dict[str, Any], *,
    patient_name: str, witness_name: str = "", password: str | signatures.Reauthentication,
    attempts: int = 1,
    request: HttpRequest | None = None,
) -> Consent:  # fmt: skip
    """In clinic, on a tablet: the patient types their name (or initials), a witness signs when
    the document requires one, and the staff member re-enters their password."""
    if not (can(actor, patient.site_id, Cap.INTAKE) or can(actor, patient.site_id, Cap.CLINICAL)):
        raise PermissionDenied("only the patient's coordinator or clinician takes a consent")
    errors = FieldErrors()
    if len(patient_name.strip()) < 2:
        errors.add("patient_name", "the patient types their name or initials")
    if document.witness_required and len(witness_name.strip()) < 2:
        errors.add("witness_name", "this consent needs a witness: the witness types their name")
    _check_signable(patient, document, answers, errors)
    errors.raise_if_any()
    proof = _proof(actor, password, request)
    return _record(actor, actor, proof, patient, document, Meaning.REVIEWED,
                   setting=Setting.CLINIC, patient_name=patient_name.strip()[:200], staff=actor,
                   witness_name=witness_name.strip()[:200],
                   comprehension_attempts=max(1, attempts))  # fmt: skip


def may_withdraw(actor: Any, patient: Patient) -> bool:
    """The patient themself, or a coordinator or clinician of their site."""
    return (
        own_patient_id(actor) == patient.pk
        or can(actor, patient.site_id, Cap.INTAKE)
        or (can(actor, patient.site_id, Cap.CLINICAL))
    )


def withdraw(
    actor: Any, patient: Patient, *, scope: str, reason: str,
    password: str | signatures.Reauthentication, request: HttpRequest | None = None,
) -> Withdrawal:  # fmt: skip
    """Record a signed, reasoned withdrawal of ``scope``; a later one may only widen it."""
    if not may_withdraw(actor, patient):
        raise PermissionDenied("only the patient, or their coordinator or clinician, withdraws")
    errors = FieldErrors()
    if scope not in scopes.ORDER:
        errors.add("scope", f"must be one of {', '.join(scopes.ORDER)}")
    if not reason.strip():
        errors.add("reason", "say why (the patient's words, or the circumstances)")
    current = scopes.current_withdrawal(patient)
    if (
        current is not None
        and scope in scopes.ORDER
        and (scopes.ORDER.index(scope) <= scopes.ORDER.index(current.scope))
    ):
        errors.add(
            "scope",
            f"already withdrawn ({Scope(current.scope).label.lower()}) on "
            f"{current.withdrawn_at:%Y-%m-%d}: a withdrawal can only be widened",
        )
    errors.raise_if_any()
    proof = _proof(actor, password, request)
    with transaction.atomic():
        withdrawal = create(actor, Withdrawal(
            patient=patient, scope=scope, reason=reason.strip(), withdrawn_at=timezone.now(),
            recorded_by=actor, by_patient=own_patient_id(actor) == patient.pk,
        ))  # fmt: skip
        signatures.sign(actor, proof, withdrawal, Meaning.AUTHORED, reason=reason.strip())
        update(actor, patient, {"consent_status": ConsentStatus.WITHDRAWN},
               reason=f"withdrawal: {scope}")  # fmt: skip
    return withdrawal


def reconsent_patients(protocol_code: str | None = None) -> QuerySet[Patient]:
    """The re-consent worklist: patients who consented to an earlier version than the current
    one of their protocol (screened against it, or signed one of its documents) and have not
    withdrawn. ``consent_version`` is kept in step with every signing, so it names the version
    they signed last."""
    codes = (
        [protocol_code] if protocol_code else
        sorted(set(ConsentDocument.objects.values_list("protocol__code", flat=True)))
    )  # fmt: skip
    wanted = Q(pk__in=[])
    for code in codes:
        version = current_version(code)
        if version is None:
            continue
        theirs = Q(pk__in=EligibilityScreening.objects.filter(protocol__code=code).values(
            "patient_id")) | Q(pk__in=Consent.objects.filter(
            document__protocol__code=code).values("patient_id"))  # fmt: skip
        wanted |= theirs & ~Q(consent_version=version)
    return scopes.without_withdrawn(
        Patient.objects.filter(consent_status=ConsentStatus.CONSENTED).filter(wanted),
        Scope.TREATMENT,
    ).select_related("site")
