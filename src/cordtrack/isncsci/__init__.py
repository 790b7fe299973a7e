"""ISNCSCI 2019 classification engine (pure Python, no Django).

>>> from cordtrack.isncsci import parse_exam, classify
>>> result = classify(parse_exam(flat_exam))          # doctest: +SKIP
>>> result.to_flat()["asiaImpairmentScale"]            # doctest: +SKIP
'A'
"""

from __future__ import annotations

from .classification import classify, explain
from .errors import ExamValidationError, FieldError, ISNCSCIError
from .exam import EXAM_KEYS, Cell, Exam, SideExam, parse_exam
from .explanation import Step
from .result import Classification, Possible
from .types import RESULT_KEYS

#: Identifies the rules in force: stored classifications carry it, so that a registry can find and
#: recompute those made by another version. Bump it whenever any output can change.
ENGINE_VERSION = "isncsci-2019/cordtrack-2"

__all__ = [
    "ENGINE_VERSION",
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
    "Step",
    "classify",
    "explain",
    "parse_exam",
]
