"""Golden conformance: the 128 published ISNCSCI 2019 cases, all 25 result fields each.

Every field agrees with the published value, except the documented differences
(``cordtrack.isncsci.published.DIFFERENCES``): two published AIS lists name a grade that no
reading of the exam gives, and each is proved here by enumeration.
"""

from __future__ import annotations

import pytest
from oracle import grades_over_dermatome_readings
from worksheets import published_cases

from cordtrack.isncsci import RESULT_KEYS, classify, parse_exam
from cordtrack.isncsci.published import DIFFERENCES, expected

CASES = published_cases()


def _expected(case: dict[str, object]) -> dict[str, str]:
    totals = case["totals"]
    assert isinstance(totals, dict)
    return {k: expected(case["id"], k, v) for k, v in totals.items()}


def test_the_published_suite_has_128_cases_of_25_fields() -> None:
    assert len(CASES) == 128
    assert all(set(case["totals"]) == set(RESULT_KEYS) for case in CASES)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"case-{c['id']}")
def test_classification_matches_the_published_case(case: dict[str, object]) -> None:
    result = classify(parse_exam(case)).to_flat()
    assert result == _expected(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"case-{c['id']}")
def test_explained_classification_matches_the_published_case(case: dict[str, object]) -> None:
    """The traced search gives the same answers as the untraced path (which may take the direct
    reading of a determined exam)."""
    steps: list[object] = []
    from cordtrack.isncsci.classification import classify as traced

    assert traced(parse_exam(case), steps).to_flat() == _expected(case)
    assert steps


def test_the_documented_differences_are_two_ais_lists() -> None:
    assert [(d.id, d.field) for d in DIFFERENCES] == [
        (55, "asiaImpairmentScale"),
        (132, "asiaImpairmentScale"),
    ]


@pytest.mark.parametrize("difference", DIFFERENCES, ids=lambda d: f"case-{d.id}")
def test_each_documented_difference_is_the_grades_some_reading_gives(difference: object) -> None:
    (case,) = [c for c in CASES if c["id"] == difference.id]  # type: ignore[attr-defined]
    assert case["totals"][difference.field] == difference.published  # type: ignore[index, attr-defined]
    grades = grades_over_dermatome_readings(case)
    assert ",".join(sorted(grades)) == difference.cordtrack.replace("*", "")  # type: ignore[attr-defined]
    assert set(difference.published.split(",")) - grades == {"C"}  # type: ignore[attr-defined]
