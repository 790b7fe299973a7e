"""``cordtrack.outcomes`` stays pure: no Django, standard library + cordtrack, a pinned API."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import cordtrack.outcomes

PACKAGE_DIR = Path(cordtrack.outcomes.__file__).parent


def module_names() -> list[str]:
    return [m.name for m in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="cordtrack.outcomes.")]


def test_importing_every_outcomes_module_loads_no_django() -> None:
    assert "cordtrack.outcomes.survival" in module_names()
    code = (
        "import importlib, sys\n"
        f"for name in {module_names()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_outcomes_modules_import_only_stdlib_and_cordtrack() -> None:
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


def test_every_module_is_short_and_declares_its_api() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 450, path.name
        assert "__all__" in text, path.name


def test_public_api_is_pinned() -> None:
    assert len(cordtrack.outcomes.__all__) == len(set(cordtrack.outcomes.__all__))
    for name in cordtrack.outcomes.__all__:
        assert hasattr(cordtrack.outcomes, name), name
    for name in (
        "wilson_interval", "clopper_pearson_interval", "compatible_with", "change_from_baseline",
        "natural_history", "walking_prognosis", "cohort_rate", "describe", "stratify",
        "kaplan_meier", "time_to_ais_improvement", "safety_summary", "parse_claim", "check_claim",
    ):  # fmt: skip
        assert name in cordtrack.outcomes.__all__
