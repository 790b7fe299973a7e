"""The de-identified research dataset of the sponsored sites, as one ZIP download.

The same dataset as ``cordtrack export deidentified`` (``interop.deidentify``: random research
ids, per-patient date shifts, no free text, its README and codebook inside), of the patients the
dataset may hold (``consent.scopes.usable_for_research``: a withdrawal from data use leaves a
patient out).
Whose records leave is in the audit trail first, one download entry per patient by the sponsor
(``services.exports.record_export``, as for the CLI and the jobs page), before the file is built.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..consent.scopes import usable_for_research
from ..interop import deidentify
from ..interop.researchfiles import FORMATS
from ..patients.models import Patient
from ..services.base import FieldErrors
from ..services.exports import record_export


def formats_of(text: str) -> tuple[str, ...]:
    """The formats asked for (``csv,sav``), or a field error naming the ones offered."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    errors = FieldErrors()
    if not chosen or any(f not in FORMATS for f in chosen):
        errors.add("formats", f"choose from {', '.join(FORMATS)}, separated by commas")
    errors.raise_if_any()
    return chosen


def dataset_zip(user: Any, sites: Sequence[str], formats: Sequence[str]) -> tuple[bytes, int]:
    """The ZIP of the dataset of ``sites`` and how many patients it holds; audited first."""
    patients = usable_for_research(
        Patient.objects.filter(site__code__in=sites).select_related("site").order_by("pk")
    )
    count = record_export(
        user, patients, kind="deidentified", destination="download from /sponsor/export/",
        by=f"sponsor {user.username} ({', '.join(sites)}; {', '.join(formats)})",
    )  # fmt: skip
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="cordtrack-sponsor-") as folder:
        out = Path(folder) / "dataset"
        deidentify.export(patients, out, formats)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.iterdir()):
                archive.write(path, f"cordtrack-deidentified/{path.name}")
    return buffer.getvalue(), count
