"""The engine's public API is explicit and the engine stays free of Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import cordtrack.isncsci as isncsci

PACKAGE = Path(isncsci.__file__).parent


def test_the_public_api_is_pinned() -> None:
    assert isncsci.__all__ == [
        "ENGINE_VERSION", "EXAM_KEYS", "RESULT_KEYS", "Cell", "Classification", "Exam",
        "ExamValidationError", "FieldError", "ISNCSCIError", "Possible", "SideExam", "Step",
        "classify", "explain", "parse_exam",
    ]  # fmt: skip
    for name in isncsci.__all__:
        assert hasattr(isncsci, name), name


def test_no_engine_module_imports_django() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_importing_and_classifying_loads_no_django() -> None:
    code = (
        "import sys, json; from cordtrack.isncsci import classify, parse_exam; "
        "from cordtrack.isncsci.generator import generate_exams; "
        "[classify(parse_exam(e)) for e in generate_exams(20, seed=1, nt_rate=0.1)]; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
