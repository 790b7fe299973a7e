"""Exact by proof: every engine gives exactly the values the enumeration oracle finds.

The oracle (``tests/support/oracle.py``, slow and obviously correct) classifies every reading of
an exam's undetermined values — not-testable values, ``*`` and ``**`` values, VAC and DAP ``NT``
— with a plain classifier of determined exams, and takes the union of each result. The scalar
engine (``classify``) and the batch engine (``classify_batch``) must list exactly those values
for the levels, the NLI, the zones of partial preservation, the AIS and completeness (stars
aside: they are tested against the flip rule). Exams are kept to at most ``LIMIT`` readings, so
the oracle enumerates all of them; the published cases with more are sampled, and there the
oracle's values must be among the engines'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from exam_strategies import flat_exams
from hypothesis import HealthCheck, assume, given, settings
from oracle import SET_KEYS, count_readings, possible
from worksheets import published_cases

from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import classify_batch, encode
from cordtrack.isncsci.generator import generate_exams

LIMIT = 1_500
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _values(rendered: str) -> set[str]:
    return set(rendered.replace("*", "").split(","))


def _engines(exams: Sequence[Mapping[str, object]]) -> list[tuple[str, list[dict[str, str]]]]:
    arrays, errors = encode(exams)
    assert errors == []
    return [
        ("scalar", [classify(parse_exam(e)).to_flat() for e in exams]),
        ("batch", classify_batch(arrays).to_flat_rows()),
    ]


def _assert_exact(exams: Sequence[Mapping[str, object]], limit: int = LIMIT) -> None:
    for name, results in _engines(exams):
        for exam, result in zip(exams, results, strict=True):
            expected, exhaustive = possible(exam, limit=limit)
            for key in SET_KEYS:
                got = _values(result[key])
                if exhaustive:
                    assert got == expected[key], (name, key, exam.get("id"), got, expected[key])
                else:
                    assert expected[key] <= got, (name, key, exam.get("id"), got, expected[key])


@SETTINGS
@given(flat_exams(odd=6))
def test_every_engine_lists_exactly_the_values_of_the_exams_readings(flat: dict[str, str]) -> None:
    assume(count_readings(flat) <= LIMIT)
    _assert_exact([flat])


@pytest.mark.parametrize(
    ("seed", "nt_rate", "star_rate"),
    [(1, 0.02, 0.02), (2, 0.05, 0.03), (3, 0.01, 0.08)],
    ids=["nt-2%-stars-2%", "nt-5%-stars-3%", "nt-1%-stars-8%"],
)
def test_a_seeded_corpus_of_generated_exams_is_listed_exactly(
    seed: int, nt_rate: float, star_rate: float
) -> None:
    exams = [
        e
        for e in generate_exams(
            600, seed=seed, nt_rate=nt_rate, star_rate=star_rate, non_key_rate=0.3
        )
        if count_readings(e) <= LIMIT
    ]
    assert len(exams) > 200  # the corpus is not emptied by the bound
    _assert_exact(exams)


def test_the_published_cases_are_listed_exactly_or_contain_the_sampled_readings() -> None:
    _assert_exact(published_cases(), limit=400)


# Exams the searches listed with a value no reading gives (issue 18), named, with the reason:
# tests/data/isncsci/oracle-named-cases.json.
NAMED = json.loads(
    (Path(__file__).parents[1] / "data" / "isncsci" / "oracle-named-cases.json").read_text()
)


@pytest.mark.parametrize("case", NAMED, ids=[c["name"] for c in NAMED])
def test_named_exams_once_listed_with_impossible_values_are_listed_exactly(
    case: dict[str, object],
) -> None:
    exam = case["exam"]
    assert isinstance(exam, dict)
    assert possible(exam)[1]  # small enough to enumerate every reading
    _assert_exact([exam])
