"""Every clinical model declares how it is scoped and shows in the stewards' admin."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

from cordtrack.server.audit.admin import AuditHistoryAdmin

CLINICAL_APPS = ("patients", "intake", "exams", "therapy", "safety", "followup", "monitoring")
# Protocols, their allocation lists and validated translations of instruments are used by every
# site.
SHARED = {"intake.protocol", "intake.allocationlist", "followup.validatedtranslation"}


@pytest.mark.parametrize(
    "model", [m for a in CLINICAL_APPS for m in apps.get_app_config(a).get_models()],
    ids=lambda m: m._meta.label_lower,
)  # fmt: skip
def test_clinical_models_declare_their_site_and_have_an_audited_admin(model: type) -> None:
    label = model._meta.label_lower  # type: ignore[attr-defined]
    if label not in SHARED:
        assert hasattr(model, "SITE_PATH"), (
            f"{label} has no SITE_PATH: access.scoped cannot scope it"
        )
        assert hasattr(model, "PATIENT_PATH") or label == "therapy.cellproductlot"
    registered = admin.site._registry.get(model)
    assert isinstance(registered, AuditHistoryAdmin), f"{label} has no audit-history admin"
