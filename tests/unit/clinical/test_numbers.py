"""One rule for the numbers the clinical and outcome rules accept (``cordtrack.clinical.numbers``),
and the rules that use it: eligibility criteria, the protocol document, visit schedules, the arm
comparison, the prognosis rules, responder definitions, instrument answers and CTCAE grades refuse
the same values."""

from __future__ import annotations

import copy
import math
from decimal import Decimal

import pytest

from cordtrack.clinical.eligibility import Criterion, CriterionKind, Protocol
from cordtrack.clinical.errors import DefinitionError, ItemError, SafetyValidationError
from cordtrack.clinical.instruments.wisci import WISCI_II
from cordtrack.clinical.numbers import real_number, whole_number
from cordtrack.clinical.prognosis import van_middendorp_score
from cordtrack.clinical.protocol_document import check_document
from cordtrack.clinical.safety import ctcae_grade
from cordtrack.clinical.visits import VisitSchedule
from cordtrack.outcomes.arm_comparison import change_difference
from cordtrack.outcomes.cohort import AisImprovement, ScoreGain

#: Values that are not numbers to a rule: a bool is an int in Python, never a count or a bound.
NOT_NUMBERS = [True, False, None, "3", b"3", Decimal("3"), [3], {"v": 3}]
NOT_FINITE = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("value", [0, 3, -2, 2.5, -0.0, 1e300])
def test_a_finite_int_or_float_is_a_real_number(value: float) -> None:
    number = real_number(value)
    assert number == value
    assert type(number) is float


@pytest.mark.parametrize("value", NOT_NUMBERS + NOT_FINITE)
def test_bools_text_and_non_finite_values_are_not_real_numbers(value: object) -> None:
    assert real_number(value) is None


def test_only_an_int_is_a_whole_number() -> None:
    assert whole_number(7) == 7
    assert whole_number(-1) == -1
    for value in (*NOT_NUMBERS, 7.0, *NOT_FINITE):
        assert whole_number(value) is None, value


@pytest.mark.parametrize("bad", [math.nan, math.inf, True, "18"])
def test_an_age_criterion_with_a_bound_that_is_not_a_real_number_is_refused(bad: object) -> None:
    """NaN used to pass: every comparison with it is false, so the criterion was never met."""
    with pytest.raises(DefinitionError) as exc:
        Protocol("p", "p", "1", (
            Criterion("age", "", CriterionKind.AGE_BETWEEN, {"min": bad, "max": 65}),
        ))  # fmt: skip
    assert [e.key for e in exc.value.errors] == ["criteria[age].min"]


def _document(**plan: object) -> dict[str, object]:
    from cordtrack.server.intake.protocols import DEMO_RANDOMISED

    d = copy.deepcopy(DEMO_RANDOMISED)
    d["treatment_plan"] = {**d["treatment_plan"], **plan}
    return d


@pytest.mark.parametrize("bad", [math.inf, math.nan, True, "10", 0, -5])
def test_a_dose_bound_must_be_a_positive_real_number(bad: object) -> None:
    d = _document(dose_total_cells={"min": 1e6, "max": bad})
    assert "treatment_plan.dose_total_cells" in check_document(d)


def test_block_sizes_must_be_positive_whole_numbers() -> None:
    d = _document()
    for bad in ([True, 4], [4.0], [0], ["4"]):
        d["randomisation"] = {"factors": {}, "block_sizes": bad}
        assert "randomisation.block_sizes" in check_document(d), bad


@pytest.mark.parametrize("bad", [True, 7.0, "7", None])
def test_a_visit_day_must_be_a_whole_number(bad: object) -> None:
    with pytest.raises(DefinitionError) as exc:
        VisitSchedule.from_dict({
            "code": "s", "name": "s", "version": "1", "reference": "injury",
            "visits": [{"code": "a", "target_day": bad}],
        })  # fmt: skip
    assert [(e.key, e.value) for e in exc.value.errors] == [("visits[0].target_day", bad)]


@pytest.mark.parametrize("bad", [math.inf, True, "3", None])
def test_an_arm_comparison_refuses_a_score_that_is_not_a_real_number(bad: object) -> None:
    with pytest.raises(ValueError, match=r"arm1\[1\]"):
        change_difference([(1, 2), (bad, 3)], [(1, 2), (2, 3)])  # type: ignore[list-item]


# --- the rules that now share the numbers (issue 18 review) -----------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1, True, "40"])
def test_a_prognosis_refuses_an_age_that_is_not_a_finite_non_negative_number(bad: object) -> None:
    """NaN used to score as young (every comparison false: 0 age points), inf as old."""
    with pytest.raises(ValueError, match="age_years"):
        van_middendorp_score(bad, 5, 5, 2, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [3.0, "3", True, math.nan])
def test_a_prognosis_grade_must_be_a_whole_number_naming_its_field(bad: object) -> None:
    with pytest.raises(ValueError, match="s1_motor"):
        van_middendorp_score(40, 5, bad, 2, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, "3.0"])
def test_a_score_gain_threshold_must_be_a_finite_number(bad: object) -> None:
    """A NaN threshold compared false with every gain: the cohort had no responder, silently."""
    with pytest.raises(ValueError, match="at_least"):
        ScoreGain("LEMS", bad)  # type: ignore[arg-type]
    assert ScoreGain("LEMS", 2.5).at_least == 2.5


@pytest.mark.parametrize(
    ("field", "bad"),
    [("grades", 1.0), ("grades", True), ("grades", 0), ("by_day", math.nan), ("by_day", "365"),
     ("window_days", 45.0), ("window_days", -1)],
)  # fmt: skip
def test_a_responder_definition_takes_whole_grades_and_days(field: str, bad: object) -> None:
    with pytest.raises(ValueError, match=field):
        AisImprovement(**{field: bad})  # type: ignore[arg-type]
    if field != "grades":
        with pytest.raises(ValueError, match=field):
            ScoreGain("LEMS", 10, **{field: bad})  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [3.0, "3", True, "3.0"])
def test_an_instrument_answer_is_the_whole_number_itself(bad: object) -> None:
    from cordtrack.clinical.instruments import ashworth
    from cordtrack.clinical.instruments.base import check_item

    item = next(i for i in WISCI_II.items if 3 in i.allowed)
    assert check_item(item, 3) == 3
    checked = check_item(item, bad)
    assert isinstance(checked, ItemError)
    assert checked.key == item.key
    if not isinstance(bad, str):  # "3" is the Ashworth code of grade 3
        with pytest.raises(ValueError, match="is not one of"):
            ashworth.mas_grade(bad)
    assert ctcae_grade(3) == 3
    with pytest.raises(SafetyValidationError):
        ctcae_grade(bad)
