"""Golden conformance: the 128 published ISNCSCI 2019 cases, all 25 result fields each."""

from __future__ import annotations

import pytest
from worksheets import published_cases

from cordtrack.isncsci import RESULT_KEYS, classify, parse_exam

CASES = published_cases()


def test_the_published_suite_has_128_cases_of_25_fields() -> None:
    assert len(CASES) == 128
    assert all(set(case["totals"]) == set(RESULT_KEYS) for case in CASES)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"case-{c['id']}")
def test_classification_matches_the_published_case(case: dict[str, object]) -> None:
    expected = case["totals"]
    result = classify(parse_exam(case)).to_flat()
    assert result == expected


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"case-{c['id']}")
def test_explained_classification_matches_the_published_case(case: dict[str, object]) -> None:
    """The traced search gives the same answers as the untraced path (which may take the direct
    reading of a determined exam)."""
    steps: list[object] = []
    from cordtrack.isncsci.classification import classify as traced

    assert traced(parse_exam(case), steps).to_flat() == case["totals"]  # type: ignore[arg-type]
    assert steps
