"""Properties every classification must have, whatever the exam (hypothesis)."""

from __future__ import annotations

from exam_strategies import flat_exams
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cordtrack.isncsci import classify, explain, parse_exam
from cordtrack.isncsci.types import (
    AIS_GRADES,
    INTACT,
    NOT_APPLICABLE,
    RESULT_LEVELS,
    SENSORY_LEVELS,
)

LEVELS = (*RESULT_LEVELS, INTACT)
ZPPS = (NOT_APPLICABLE, *RESULT_LEVELS)
DOMAINS = {
    "rightSensory": LEVELS, "leftSensory": LEVELS, "rightMotor": LEVELS, "leftMotor": LEVELS,
    "neurologicalLevelOfInjury": LEVELS, "rightSensoryZpp": ZPPS, "leftSensoryZpp": ZPPS,
    "rightMotorZpp": ZPPS, "leftMotorZpp": ZPPS, "asiaImpairmentScale": AIS_GRADES,
    "injuryComplete": ("C", "I"),
}  # fmt: skip

UPPER, LOWER = ("c5", "c6", "c7", "c8", "t1"), ("l2", "l3", "l4", "l5", "s1")
SENSORY = tuple(s.lower() for s in SENSORY_LEVELS)
# Each side total: its keys and its maximum.
SIDE_TOTALS = {
    "UpperMotorTotal": ([f"{m}{{side}}Motor" for m in UPPER], 25),
    "LowerMotorTotal": ([f"{m}{{side}}Motor" for m in LOWER], 25),
    "TouchTotal": ([f"{d}{{side}}Touch" for d in SENSORY], 56),
    "PrickTotal": ([f"{d}{{side}}Prick" for d in SENSORY], 56),
}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _feeds(flat: dict[str, str], keys: list[str]) -> tuple[bool, int]:
    values = [flat[k] for k in keys]
    testable = not any(v.startswith("NT") for v in values)
    return testable, sum(int(v.rstrip("*")) for v in values if not v.startswith("NT"))


@SETTINGS
@given(flat_exams())
def test_totals_are_in_range_and_nd_exactly_when_a_not_testable_value_feeds_them(flat) -> None:
    result = classify(parse_exam(flat)).to_flat()
    for name, (templates, maximum) in SIDE_TOTALS.items():
        for side in ("Right", "Left"):
            keys = [t.format(side=side) for t in templates]
            testable, total = _feeds(flat, keys)
            key = f"{side.lower()}{name}"
            assert result[key] == (str(total) if testable else "ND"), key
            if testable:
                assert 0 <= total <= maximum
    for combined, parts in {
        "upperMotorTotal": ("rightUpperMotorTotal", "leftUpperMotorTotal"),
        "lowerMotorTotal": ("rightLowerMotorTotal", "leftLowerMotorTotal"),
        "touchTotal": ("rightTouchTotal", "leftTouchTotal"),
        "prickTotal": ("rightPrickTotal", "leftPrickTotal"),
        "rightMotorTotal": ("rightUpperMotorTotal", "rightLowerMotorTotal"),
        "leftMotorTotal": ("leftUpperMotorTotal", "leftLowerMotorTotal"),
    }.items():
        a, b = (result[p] for p in parts)
        expected = "ND" if "ND" in (a, b) else str(int(a) + int(b))
        assert result[combined] == expected, combined


@SETTINGS
@given(flat_exams())
def test_every_result_has_possible_values_in_domain_order(flat) -> None:
    results = classify(parse_exam(flat)).results()
    for key, possible in results.items():
        names = possible.names
        assert names, key
        domain = DOMAINS[key]
        assert all(n in domain for n in names), key
        assert list(names) == sorted(names, key=domain.index), key


@SETTINGS
@given(flat_exams(odd=30))
def test_classification_is_deterministic(flat) -> None:
    assert classify(parse_exam(flat)) == classify(parse_exam(dict(flat)))


@SETTINGS
@given(flat_exams(odd=30))
def test_an_exam_survives_the_round_trip_through_its_flat_form(flat) -> None:
    exam = parse_exam(flat)
    assert parse_exam(exam.to_flat()) == exam


@SETTINGS
@given(flat_exams(odd=0), st.sampled_from(["Yes", "No", "NT"]))
def test_an_all_normal_exam_with_vac_is_ais_e_with_an_intact_nli(flat, dap) -> None:
    for key in flat:
        if key.endswith(("Touch", "Prick")):
            flat[key] = "2"
        elif key.endswith("Motor"):
            flat[key] = "5"
    flat["analContraction"], flat["analSensation"] = "Yes", dap
    result = classify(parse_exam(flat)).to_flat()
    assert result["asiaImpairmentScale"] == "E"
    assert result["neurologicalLevelOfInjury"] == INTACT
    assert result["injuryComplete"] == "I"
    assert {result[k] for k in ("rightSensory", "leftSensory", "rightMotor", "leftMotor")} == {
        INTACT
    }


@SETTINGS
@given(flat_exams(odd=0, determined=True))
def test_exams_without_stars_give_no_starred_result(flat) -> None:
    flat = dict(flat)
    assert not any(p.starred for p in classify(parse_exam(flat)).results().values())


@SETTINGS
@given(flat_exams(odd=20, determined=True))
def test_the_direct_reading_of_a_determined_exam_agrees_with_the_search(flat) -> None:
    exam = parse_exam(flat)
    assert exam.determined
    direct = classify(exam)
    searched, _ = explain(exam)
    assert direct == searched


@SETTINGS
@given(flat_exams(odd=20), st.data())
def test_replacing_a_not_testable_value_gives_results_inside_the_nt_exams_sets(flat, data) -> None:
    not_testable = [k for k, v in flat.items() if v == "NT"]
    if not not_testable:
        flat["analContraction"] = "NT"
        not_testable = ["analContraction"]
    key = data.draw(st.sampled_from(sorted(not_testable)))
    if key in ("analContraction", "analSensation"):
        concrete = data.draw(st.sampled_from(["Yes", "No"]))
    elif key.endswith("Motor"):
        concrete = data.draw(st.sampled_from(["0", "1", "2", "3", "4", "5"]))
    else:
        concrete = data.draw(st.sampled_from(["0", "1", "2"]))
    broad = classify(parse_exam(flat)).results()
    narrow = classify(parse_exam({**flat, key: concrete})).results()
    for name, possible in narrow.items():
        assert set(possible.names) <= set(broad[name].names), (name, key, concrete)
