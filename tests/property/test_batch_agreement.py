"""The batch engine gives exactly what the scalar engine gives: all 25 strings, stars included.

The scalar engine (:mod:`cordtrack.isncsci`) is the reference; these tests compare whole
``to_flat()`` results on hypothesis-generated batches (NT, ``*``, ``**``, non-key muscles, NT
VAC/DAP), on the 128 published cases and on a large seeded set of generated exams.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from exam_strategies import flat_exams
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worksheets import published_cases

from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import CHUNK, classify_batch, encode
from cordtrack.isncsci.generator import generate_exams
from cordtrack.isncsci.published import expected as documented
from cordtrack.isncsci.types import RESULT_LEVELS

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scalar(exams: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    return [classify(parse_exam(flat)).to_flat() for flat in exams]


def _batch(
    exams: Sequence[Mapping[str, object]], chunk: int = CHUNK, workers: int | None = None
) -> list[dict[str, str]]:
    arrays, errors = encode(exams)
    assert errors == []
    result = classify_batch(arrays, chunk=chunk, workers=workers)
    assert result.rows.tolist() == list(range(len(exams)))
    return result.to_flat_rows()


def _assert_agree(exams: Sequence[Mapping[str, object]], batch: list[dict[str, str]]) -> None:
    scalar = _scalar(exams)
    for i, (expected, got) in enumerate(zip(scalar, batch, strict=True)):
        if got != expected:
            diff = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
            pytest.fail(f"exam {i} (scalar, batch): {diff}\n{dict(exams[i])}")


@SETTINGS
@given(st.lists(flat_exams(), min_size=1, max_size=12))
def test_batch_equals_scalar_on_exams_with_nt_stars_non_key_muscles_and_nt_vac_dap(
    exams: list[dict[str, str]],
) -> None:
    _assert_agree(exams, _batch(exams))


@SETTINGS
@given(st.lists(flat_exams(odd=40), min_size=1, max_size=8))
def test_batch_equals_scalar_on_exams_with_many_undetermined_values(
    exams: list[dict[str, str]],
) -> None:
    _assert_agree(exams, _batch(exams))


_ANY_NON_KEY = st.none() | st.sampled_from(RESULT_LEVELS[1:])  # C2..S3, as parse_exam accepts


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(flat_exams(), _ANY_NON_KEY, _ANY_NON_KEY), min_size=1, max_size=10))
def test_batch_equals_scalar_with_non_key_muscles_at_any_level(
    drawn: list[tuple[dict[str, str], str | None, str | None]],
) -> None:
    exams = []
    for flat, right, left in drawn:
        exam = dict(flat)
        exam["rightLowestNonKeyMuscleWithMotorFunction"] = right or ""
        exam["leftLowestNonKeyMuscleWithMotorFunction"] = left or ""
        exams.append(exam)
    _assert_agree(exams, _batch(exams))


@settings(max_examples=40, deadline=None)
@given(st.lists(flat_exams(determined=True), min_size=1, max_size=12))
def test_batch_equals_scalar_on_determined_exams(exams: list[dict[str, str]]) -> None:
    _assert_agree(exams, _batch(exams))


@settings(max_examples=30, deadline=None)
@given(st.lists(flat_exams(), min_size=2, max_size=30), st.integers(1, 7), st.integers(1, 3))
def test_chunking_and_threads_do_not_change_the_result(
    exams: list[dict[str, str]], chunk: int, workers: int
) -> None:
    assert _batch(exams, chunk=chunk, workers=workers) == _batch(exams, workers=1)


def test_the_published_cases_through_the_batch_path_match_their_expected_results() -> None:
    cases = published_cases()
    batch = _batch(cases)
    for case, got in zip(cases, batch, strict=True):
        published = {k: documented(case["id"], k, v) for k, v in case["totals"].items()}
        assert got == published, f"case {case['id']}"


@pytest.mark.parametrize(
    ("nt_rate", "star_rate", "non_key_rate"),
    [(0.01, 0.005, 0.05), (0.15, 0.15, 0.5), (0.4, 0.3, 0.5)],
    ids=["default-rates", "high-nt-and-stars", "very-high-nt-and-stars"],
)
def test_batch_equals_scalar_on_seeded_generated_exams(
    nt_rate: float, star_rate: float, non_key_rate: float
) -> None:
    exams = list(
        generate_exams(
            7_000, seed=2019, nt_rate=nt_rate, star_rate=star_rate, non_key_rate=non_key_rate
        )
    )
    _assert_agree(exams, _batch(exams))
