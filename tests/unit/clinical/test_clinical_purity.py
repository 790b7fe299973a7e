"""``cordtrack.clinical`` stays pure: standard library only, no Django, a pinned public API."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import cordtrack.clinical

PACKAGE_DIR = Path(cordtrack.clinical.__file__).parent


def all_module_names() -> list[str]:
    return [m.name for m in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="cordtrack.clinical.")]


def test_importing_every_clinical_module_loads_no_django() -> None:
    assert "cordtrack.clinical.instruments.scim" in all_module_names()
    code = (
        "import importlib, sys\n"
        f"for name in {all_module_names()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_clinical_modules_import_only_stdlib_and_cordtrack() -> None:
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            offenders += [
                (path.name, r)
                for r in roots
                if r not in sys.stdlib_module_names and r not in {"cordtrack", "__future__"}
            ]
    assert offenders == []


def test_public_api_is_pinned() -> None:
    assert sorted(cordtrack.clinical.__all__) == sorted(
        [
            "INSTRUMENTS", "AdverseEventAssessment", "Candidate", "ClinicalError", "Criterion",
            "CriterionKind", "CtcaeGrade", "Decision", "DefinitionError", "Expectedness",
            "Instrument", "InstrumentScore", "InstrumentValidationError", "ItemError", "Outcome",
            "Protocol", "Relatedness", "SafetyValidationError", "ScheduledVisit",
            "ScreeningResult", "SeriousnessCriterion", "VisitSchedule", "VisitStatus", "assess",
            "evaluate", "is_serious", "is_susar", "schedule_visits", "score_instrument",
            "susar_reporting_deadline", "van_middendorp_probability", "van_middendorp_score",
            "visit_status",
        ]
    )  # fmt: skip
    for name in cordtrack.clinical.__all__:
        assert hasattr(cordtrack.clinical, name)
