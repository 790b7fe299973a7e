"""The public inquiry form's use case: someone without an account describes an injury, sends
records and imaging, and consents to be contacted. It becomes a new pseudonymous patient with an
inquiry (status new) on the intake board, its documents awaiting de-identification review.

All or nothing: a refused file, or any other error, keeps no row and no file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..accounts.models import Site
from ..intake.models import DocumentKind, Inquiry, InquiryStatus, ReferralSource
from ..patients.models import Patient, Sex
from . import documents
from .base import FieldErrors, create
from .patients import _allocate_study_id

#: No 0/O, 1/I/L: a reference is read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_FILES = 10


@dataclass
class InquiryForm:
    year_of_birth: int
    sex: str
    injury_region: str
    injury_level: str
    completeness: str
    injury_date: dt.date | None
    country: str
    preferred_language: str
    contact_email: str
    contact_phone: str
    description: str
    consent_to_contact: bool
    records: list[UploadedFile] = field(default_factory=list)
    imaging: list[UploadedFile] = field(default_factory=list)


def new_reference() -> str:
    """``INQ-XXXX-XXXX``: random (about 40 bits), so it reveals neither the id nor the count."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"INQ-{body[:4]}-{body[4:]}"


def inquiry_site() -> Site | None:
    """The site that receives public inquiries: ``CORDTRACK_INQUIRY_SITE`` (a site code), else the
    first site."""
    code = getattr(settings, "INQUIRY_SITE", "")
    sites = Site.objects.order_by("pk")
    return sites.filter(code=code).first() if code else sites.first()


def _check(data: InquiryForm) -> FieldErrors:
    errors = FieldErrors()
    this_year = timezone.now().year
    if not 1900 <= data.year_of_birth <= this_year:
        errors.add("year_of_birth", _("must be between 1900 and %(year)s") % {"year": this_year})
    if data.sex and data.sex not in Sex.values:
        errors.add("sex", _("is not one of the choices"))
    if data.injury_date is not None:
        if data.injury_date > timezone.localdate():
            errors.add("injury_date", _("cannot be in the future"))
        elif data.injury_date.year < data.year_of_birth:
            errors.add("injury_date", _("is before the year of birth"))
    if not data.contact_email and not data.contact_phone:
        errors.add("contact_email", _("give an e-mail address or a phone number"))
    if not data.consent_to_contact:
        errors.add("consent_to_contact", _("we can only answer if you agree to be contacted"))
    if len(data.records) + len(data.imaging) > MAX_FILES:
        errors.add("records", _("send at most %(n)s files in all") % {"n": MAX_FILES})
    return errors


def sent_with(form_token: str) -> str | None:
    """The reference of the inquiry already sent with this form token (its digest), if any."""
    if not form_token:
        return None
    found = Inquiry.objects.filter(form_token=form_token).values_list("reference", flat=True)
    return found.first()


def submit_inquiry(data: InquiryForm, form_token: str = "") -> Inquiry:
    """Record the inquiry and its documents, or raise ValidationError keeping nothing.

    ``form_token`` (a digest of the form's one-time token) is claimed with the inquiry, in its
    transaction: a second post of the same form gets the first inquiry back and keeps nothing of
    its own, whichever process received it; a post that fails keeps no claim, so the form can be
    corrected and sent again. Two posts at once: PostgreSQL holds the second's insert until the
    first commits, then refuses it on the unique token; SQLite writes one at a time.
    """
    try:
        return _submit(data, form_token)
    except IntegrityError:
        if form_token and (reference := sent_with(form_token)):
            return Inquiry.objects.only("pk", "reference").get(reference=reference)
        raise


def _submit(data: InquiryForm, form_token: str) -> Inquiry:
    errors = _check(data)
    site = inquiry_site()
    if site is None:
        errors.add("__all__", _("inquiries are not being accepted at the moment"))
    errors.raise_if_any()
    assert site is not None
    stored: list[tuple[str, documents.Stored]] = []
    try:
        for kind, name, uploads in (
            (DocumentKind.MEDICAL_RECORD, "records", data.records),
            (DocumentKind.IMAGING, "imaging", data.imaging),
        ):
            for upload in uploads:
                kept = documents.check_and_store(upload, errors, name, named=True)
                if kept is not None:
                    stored.append((kind, kept))
        errors.raise_if_any()
        with transaction.atomic():
            if form_token and (reference := sent_with(form_token)):
                for _kind, kept in stored:  # the first post's files are the ones kept
                    documents.discard(kept)
                return Inquiry.objects.only("pk", "reference").get(reference=reference)
            study_id, _number = _allocate_study_id(site)
            patient = create(
                None,
                Patient(site=site, study_id=study_id, year_of_birth=data.year_of_birth,
                        sex=data.sex or Sex.OTHER,
                        # what they asked in is what they read (languages.patient_language)
                        preferred_language=data.preferred_language),
            )  # fmt: skip
            now = timezone.now()
            inquiry = create(
                None,
                Inquiry(
                    patient=patient, received_on=timezone.localdate(), source=ReferralSource.SELF,
                    status=InquiryStatus.NEW, status_changed_at=now, reference=new_reference(),
                    injury_region=data.injury_region, injury_level=data.injury_level.strip(),
                    completeness=data.completeness, injury_date=data.injury_date,
                    country=data.country.strip(), preferred_language=data.preferred_language,
                    contact_email=data.contact_email.strip(),
                    contact_phone=data.contact_phone.strip(),
                    description=data.description.strip(), contact_consent_at=now,
                    form_token=form_token or None,
                ),
                # The unique index decides (a concurrent post's token is seen there, and only
                # there, once it commits): IntegrityError, answered in submit_inquiry.
                exclude=("form_token",),
            )  # fmt: skip
            for document_kind, kept in stored:
                documents.record(None, patient, document_kind, kept)
        return inquiry
    except BaseException:
        for _kind, kept in stored:
            documents.discard(kept)
        raise
