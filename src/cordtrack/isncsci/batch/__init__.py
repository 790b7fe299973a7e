"""The batch ISNCSCI engine: N exams at once with NumPy, identical to the scalar engine.

>>> from cordtrack.isncsci.batch import classify_batch, encode
>>> arrays, errors = encode(flat_exams)                 # doctest: +SKIP
>>> classify_batch(arrays).to_flat_rows()[0]            # doctest: +SKIP
{'rightUpperMotorTotal': '25', ...}

Encode once at the boundary (:func:`encode` for rows, :func:`encode_columns` for columns), then
:func:`classify_batch` computes every output with array operations only, including exams with
not-testable or starred values; :class:`BatchResult` holds each set-valued result as bitmasks and
renders them exactly like :meth:`Classification.to_flat
<cordtrack.isncsci.result.Classification.to_flat>`. See ``docs/adr`` ("batch engine").
"""

from __future__ import annotations

from .classification import CHUNK, classify_batch
from .encode import ErrorRecord, ExamArrays, concatenate, encode, encode_columns
from .result import DOMAINS, SET_KEYS, BatchResult

__all__ = [
    "CHUNK",
    "DOMAINS",
    "SET_KEYS",
    "BatchResult",
    "ErrorRecord",
    "ExamArrays",
    "classify_batch",
    "concatenate",
    "encode",
    "encode_columns",
]
