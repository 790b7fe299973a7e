"""ISNCSCI 2019 classification engine (pure Python, no Django).

    >>> from cordtrack.isncsci import parse_exam, classify
    >>> result = classify(parse_exam(flat_exam))          # doctest: +SKIP
    >>> result.to_flat()["asiaImpairmentScale"]            # doctest: +SKIP
    'A'
"""

from __future__ import annotations

from .errors import ExamValidationError, FieldError, ISNCSCIError
from .exam import EXAM_KEYS, Cell, Exam, SideExam, parse_exam
from .result import Classification, Possible
from .types import RESULT_KEYS

__all__ = [
    "EXAM_KEYS",
    "RESULT_KEYS",
    "Cell",
    "Classification",
    "Exam",
    "ExamValidationError",
    "FieldError",
    "ISNCSCIError",
    "Possible",
    "SideExam",
    "classify",
    "parse_exam",
]


def classify(exam: Exam) -> Classification:
    """Classify one exam per the ISNCSCI 2019 rules (implemented in ``classification``)."""
    from .classification import classify as _classify

    return _classify(exam)
