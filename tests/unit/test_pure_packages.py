"""The clinical core stays pure (brief, "Architecture"): ``cordtrack.isncsci``,
``cordtrack.clinical`` and ``cordtrack.outcomes`` never import Django, and import nothing beyond
the standard library, cordtrack itself and (for the batch engines: ISNCSCI classification,
the cohort report's column engine ``cordtrack.outcomes.batch``) NumPy."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

PURE = {
    "cordtrack.isncsci": {"numpy"},
    "cordtrack.clinical": set(),
    "cordtrack.outcomes": {"numpy"},
}


def modules(package: str) -> list[str]:
    root = Path(importlib.import_module(package).__file__ or "").parent
    return [package] + [m.name for m in pkgutil.walk_packages([str(root)], prefix=f"{package}.")]


@pytest.mark.parametrize("package", PURE)
def test_importing_every_module_of_a_pure_package_loads_no_django(package: str) -> None:
    names = modules(package)
    assert len(names) > 3
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("package", "allowed"), PURE.items())
def test_a_pure_package_imports_only_the_standard_library_and_cordtrack(
    package: str, allowed: set[str]
) -> None:
    root = Path(importlib.import_module(package).__file__ or "").parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
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
                if r not in sys.stdlib_module_names
                and r not in {"cordtrack", "__future__", *allowed}
            ]
    assert offenders == []
