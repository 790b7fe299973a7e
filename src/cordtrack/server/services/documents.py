"""Uploaded records and imaging: type and size limits, checksum, storage outside the database,
and DICOM header metadata for de-identification review."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..access import Cap, require
from ..audit.chain import record_view
from ..audit.models import AuditAction
from ..consent import scopes
from ..intake.models import Document, DocumentKind
from ..patients.models import Patient
from .base import FieldErrors, create, update

#: Accepted types, recognised by their first bytes (the client's declared type is not trusted).
PDF, PNG, JPEG, DICOM = "application/pdf", "image/png", "image/jpeg", "application/dicom"
EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".dcm": DICOM}

#: DICOM attributes shown for de-identification review; the first group identifies a person.
IDENTIFYING_TAGS = (
    "PatientName", "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientAddress",
    "PatientTelephoneNumbers", "InstitutionName", "InstitutionAddress", "ReferringPhysicianName",
    "PerformingPhysicianName", "OperatorsName", "AccessionNumber",
)  # fmt: skip
DESCRIPTIVE_TAGS = (
    "PatientSex", "PatientAge", "StudyDate", "Modality", "BodyPartExamined", "StudyDescription",
    "SeriesDescription", "Manufacturer", "PatientIdentityRemoved", "DeidentificationMethod",
)  # fmt: skip


def sniff(head: bytes) -> str | None:
    """The content type from a file's first 132 bytes, or None if not an accepted type."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 132 and head[128:132] == b"DICM":
        return DICOM
    return None


#: Markup a browser would run or render: a file that starts like a PDF or an image and carries
#: it (a polyglot) is refused, whatever its first bytes claim.
_MARKUP = (b"<html", b"<!doctype", b"<script", b"<body", b"<svg", b"<iframe")


def content_problem(path: Path, content_type: str) -> str | None:
    """Why the stored file is not what its first bytes claim, or None: the whole PDF must open
    in PDFium with at least one page, an image must decode in Pillow, and no file may carry
    HTML or script markup in its first 64 KB."""
    with path.open("rb") as fh:
        start = fh.read(65536).lower()
    if any(tag in start for tag in _MARKUP):
        return "contains HTML or script markup"
    if content_type == PDF:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return "cannot be opened as a PDF"
        try:
            return None if len(pdf) > 0 else "is a PDF without pages"
        finally:
            pdf.close()
    if content_type in (PNG, JPEG):
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.verify()
        except Exception:  # Pillow raises many types for a damaged image
            return f"cannot be read as a {content_type.split('/')[1].upper()} image"
    return None


def dicom_header(data: BinaryIO) -> dict[str, Any]:
    """The review attributes of a DICOM file (pixel data is not read)."""
    import pydicom

    with warnings.catch_warnings():  # a malformed header is refused below, not warned about
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(data, stop_before_pixels=True)
    if "SOPClassUID" not in ds and "Modality" not in ds:
        raise ValueError("no DICOM image attributes")  # a damaged or empty header
    values = {}
    for keyword in (*IDENTIFYING_TAGS, *DESCRIPTIVE_TAGS):
        element = ds.get(keyword)
        if element is not None and str(element).strip():
            values[keyword] = str(element)
    identifying = [k for k in IDENTIFYING_TAGS if k in values]
    return {"attributes": values, "identifying": identifying}


def storage_path(sha256: str) -> Path:
    return Path(settings.DOCUMENTS_DIR) / sha256[:2] / sha256


def _store(upload: UploadedFile) -> tuple[str, int, bytes]:
    """Stream to a temporary file beside the store, hashing; move into place by checksum."""
    root = Path(settings.DOCUMENTS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                if len(head) < 132:
                    head += chunk[: 132 - len(head)]
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        final = storage_path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, size, head


def _discard(sha256: str) -> None:
    """Remove a refused upload from the store, unless a stored document has the same content."""
    if not Document.objects.filter(sha256=sha256).exists():
        storage_path(sha256).unlink(missing_ok=True)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


@dataclass(frozen=True)
class Stored:
    """A checked upload, in the store by checksum, not yet recorded."""

    name: str
    content_type: str
    size: int
    sha256: str
    header: dict[str, Any] | None


def check_and_store(
    upload: UploadedFile, errors: FieldErrors, field: str = "file", *, named: bool = False
) -> Stored | None:
    """Check an upload's name, size and content (sniffed, not the client's declared type) and store
    it; a refused file is not kept and its reason is added to ``errors`` under ``field`` (with
    the file's name first when ``named``, for a field of several files)."""
    name = Path(upload.name or "").name
    who = f"{name}: " if named else ""
    extension = Path(name).suffix.lower()
    before = len(errors.errors.get(field, []))
    if extension not in EXTENSIONS:
        errors.add(field, f"{who}only PDF, PNG, JPEG and DICOM (.dcm) files are accepted")
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        errors.add(field, f"{who}is larger than the {_size(settings.MAX_UPLOAD_BYTES)} limit")
    if upload.size == 0:
        errors.add(field, f"{who}is empty")
    if len(errors.errors.get(field, [])) > before:
        return None
    sha, size, head = _store(upload)
    content_type = sniff(head)
    if content_type is None or content_type != EXTENSIONS[extension]:
        _discard(sha)
        errors.add(field, f"{who}content is not a valid {extension[1:].upper()} file")
        return None
    problem = content_problem(storage_path(sha), content_type)
    if problem is not None:
        _discard(sha)
        kind_name = extension[1:].upper()
        errors.add(field, f"{who}content is not a valid {kind_name} file: it {problem}")
        return None
    header = None
    if content_type == DICOM:
        try:
            with storage_path(sha).open("rb") as fh:
                header = dicom_header(fh)
        except Exception:  # a damaged header: refuse rather than store what cannot be reviewed
            _discard(sha)
            errors.add(field, f"{who}the DICOM header cannot be read")
            return None
    return Stored(name[:200], content_type, size, sha, header)


def discard(stored: Stored) -> None:
    """Remove a stored file that was not recorded (after a rollback), unless another has it."""
    _discard(stored.sha256)


def record(actor: Any, patient: Patient, kind: str, stored: Stored) -> Document:
    """The document row of a stored file (call inside ``transaction.atomic``)."""
    header = stored.header
    return create(
        actor,
        Document(
            patient=patient, kind=kind, content_type=stored.content_type,
            original_name=stored.name, size=stored.size, sha256=stored.sha256,
            dicom_header=header, uploaded_by=actor if getattr(actor, "pk", None) else None,
            deidentified_ok=None if header is None else not header["identifying"],
        ),
    )  # fmt: skip


def upload_document(actor: Any, patient: Patient, kind: str, upload: UploadedFile) -> Document:
    """Check type and size, store the file by checksum, read DICOM headers, record and audit."""
    require(actor, patient.site_id, Cap.INTAKE)
    scopes.check(patient, scopes.Action.DATA_ENTRY)
    errors = FieldErrors()
    if kind not in DocumentKind.values:
        errors.add("kind", f"{kind!r} is not a document type")
    errors.raise_if_any()
    stored = check_and_store(upload, errors)
    errors.raise_if_any()
    assert stored is not None
    try:
        with transaction.atomic():
            return record(actor, patient, kind, stored)
    except BaseException:
        discard(stored)
        raise


def review_deidentification(actor: Any, document: Document, ok: bool, reason: str = "") -> Document:
    """A reviewer's verdict on whether a document (a DICOM header, a PDF, an image) is free of
    identifiers; "not de-identified" needs a note saying what was found."""
    require(actor, document.patient.site_id, Cap.INTAKE)
    if not ok and not reason.strip():
        errors = FieldErrors()
        errors.add("reason", "say what identifies the patient")
        errors.raise_if_any()
    with transaction.atomic():
        return update(actor, document, {"deidentified_ok": ok}, reason=reason.strip())


def read_document(document: Document) -> bytes:
    """The stored file's bytes, after checking its checksum (for a preview on screen)."""
    data = storage_path(document.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise OSError(f"document {document.pk}: stored file does not match its checksum")
    return data


def open_document(actor: Any, document: Document) -> BinaryIO:
    """The stored file, after checking its checksum; the download is audit-logged."""
    path = storage_path(document.sha256)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise OSError(f"document {document.pk}: stored file does not match its checksum")
    record_view(actor, document, AuditAction.DOWNLOAD)
    return io.BytesIO(data)
