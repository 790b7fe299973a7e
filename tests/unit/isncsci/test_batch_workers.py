"""The batch engine on threads: the same result whatever the worker count and chunk size."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import cordtrack.isncsci.batch.classification as classification
from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import BatchResult, ExamArrays, classify_batch, encode
from cordtrack.isncsci.generator import generate_exams

#: Exams per generated set; most chunk sizes below do not divide it (the chunks are evened out,
#: and made as many per thread).
N_EXAMS = 1_000


@cache
def _exams(rates: tuple[float, float, float]) -> tuple[list[dict[str, str]], ExamArrays]:
    nt_rate, star_rate, non_key_rate = rates
    exams = list(
        generate_exams(
            N_EXAMS, seed=7, nt_rate=nt_rate, star_rate=star_rate, non_key_rate=non_key_rate
        )
    )
    arrays, errors = encode(exams)
    assert errors == []
    return exams, arrays


_RATES = pytest.mark.parametrize(
    "rates",
    [(0.01, 0.005, 0.05), (0.15, 0.15, 0.5), (0.4, 0.3, 0.5)],
    ids=["default-rates", "high-nt-and-stars", "very-high-nt-and-stars"],
)


def _assert_identical(got: BatchResult, expected: BatchResult) -> None:
    for name in ("reached", "starred", "totals", "not_determinable", "rows"):
        a, b = getattr(got, name), getattr(expected, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)


@_RATES
@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("chunk", [7, 333, 999, N_EXAMS, 4096])
def test_the_result_does_not_depend_on_workers_or_chunk_size(
    rates: tuple[float, float, float], workers: int, chunk: int
) -> None:
    _, arrays = _exams(rates)
    serial = classify_batch(arrays, workers=1)
    _assert_identical(classify_batch(arrays, chunk=chunk, workers=workers), serial)
    _assert_identical(classify_batch(arrays, chunk=chunk, workers=1), serial)


@_RATES
def test_one_exam_per_chunk_gives_the_same_result(rates: tuple[float, float, float]) -> None:
    exams, _ = _exams(rates)
    arrays, _ = encode(exams[:40])
    _assert_identical(classify_batch(arrays, chunk=1, workers=3), classify_batch(arrays, workers=1))


@_RATES
def test_the_threaded_result_is_the_scalar_one(rates: tuple[float, float, float]) -> None:
    exams, arrays = _exams(rates)
    assert any("*" in v or "NT" in v for exam in exams for v in exam.values())
    rows = classify_batch(arrays, chunk=128, workers=3).to_flat_rows()
    assert rows == [classify(parse_exam(exam)).to_flat() for exam in exams]


def test_the_default_worker_count_is_bounded() -> None:
    assert 1 <= classification.default_workers() <= classification.MAX_WORKERS
    _, arrays = _exams((0.15, 0.15, 0.5))
    _assert_identical(classify_batch(arrays, chunk=100), classify_batch(arrays, workers=1))


class _NoPool:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no thread pool expected")


def test_a_single_chunk_or_worker_runs_without_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    _, arrays = _exams((0.01, 0.005, 0.05))
    expected = classify_batch(arrays, workers=1)
    monkeypatch.setattr(classification, "ThreadPoolExecutor", _NoPool)
    _assert_identical(classify_batch(arrays, workers=4), expected)  # one chunk (CHUNK > N_EXAMS)
    _assert_identical(classify_batch(arrays, chunk=10, workers=1), expected)


@pytest.mark.parametrize(
    ("chunk", "workers", "sizes"),
    [
        (333, 1, [250] * 4),
        (400, 2, [250] * 4),
        (600, 3, [500] * 2),
        (300, 3, [167] * 5 + [165]),
        (N_EXAMS, 2, [N_EXAMS]),
    ],
)
def test_chunks_are_even_and_as_many_per_thread(
    monkeypatch: pytest.MonkeyPatch, chunk: int, workers: int, sizes: list[int]
) -> None:
    _, exams = _exams((0.01, 0.005, 0.05))
    parts: list[slice] = []
    classify_chunk = classification._classify_chunk

    def spy(arrays: ExamArrays, part: slice) -> object:
        if arrays is exams:  # not the readings a chunk classifies for its exact grades
            parts.append(part)
        return classify_chunk(arrays, part)

    monkeypatch.setattr(classification, "_classify_chunk", spy)
    classify_batch(exams, chunk=chunk, workers=workers)
    assert sorted((p.start, p.stop - p.start) for p in parts) == [
        (sum(sizes[:i]), size) for i, size in enumerate(sizes)
    ]


def test_an_error_in_a_chunk_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    _, arrays = _exams((0.01, 0.005, 0.05))

    def failing(arrays: ExamArrays, part: slice) -> object:
        raise RuntimeError(f"chunk at {part.start}")

    monkeypatch.setattr(classification, "_classify_chunk", failing)
    with pytest.raises(RuntimeError, match="chunk at"):
        classify_batch(arrays, chunk=100, workers=2)


def test_empty_input_gives_an_empty_result() -> None:
    arrays, _ = encode([])
    result = classify_batch(arrays, chunk=3, workers=2)
    assert result.reached.shape == (11, 0)
    assert result.to_flat_rows() == []


@pytest.mark.parametrize(("chunk", "workers"), [(0, None), (-1, 2), (10, 0), (10, -3)])
def test_a_chunk_or_worker_count_below_one_is_refused(chunk: int, workers: int | None) -> None:
    _, arrays = _exams((0.01, 0.005, 0.05))
    with pytest.raises(ValueError, match="at least 1"):
        classify_batch(arrays, chunk=chunk, workers=workers)
