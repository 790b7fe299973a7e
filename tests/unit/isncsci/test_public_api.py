"""The engine's public API is explicit (purity: tests/unit/test_pure_packages.py)."""

from __future__ import annotations

import cordtrack.isncsci as isncsci


def test_the_public_api_is_pinned() -> None:
    assert isncsci.__all__ == [
        "ENGINE_VERSION", "EXAM_KEYS", "RESULT_KEYS", "Cell", "Classification", "Exam",
        "ExamValidationError", "FieldError", "ISNCSCIError", "Possible", "SideExam", "Step",
        "classify", "explain", "parse_exam",
    ]  # fmt: skip
    for name in isncsci.__all__:
        assert hasattr(isncsci, name), name
