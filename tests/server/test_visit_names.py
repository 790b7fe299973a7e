"""Schedule visit names and instrument names in the reader's language (followup/names.py)."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from cordtrack.server.followup.names import instrument_name, visit_name


def test_the_usual_visit_labels_are_translated_with_their_number() -> None:
    with translation.override("ar"):
        assert visit_name("Month 3") == "الشهر 3"
        assert visit_name("Day 0") == "اليوم 0"
        assert visit_name(SimpleNamespace(label="", code="week 1")) == "الأسبوع 1"
        assert visit_name("Baseline") == "خط الأساس"
    with translation.override("es"):
        assert visit_name("Month 12") == "Mes 12"
    with translation.override("en"):
        assert visit_name("Month 12") == "Month 12"


def test_another_label_is_shown_as_the_protocol_has_it() -> None:
    with translation.override("ar"):
        assert visit_name("Post-op check") == "Post-op check"
        assert visit_name("Month three") == "Month three"


def test_an_instrument_keeps_its_abbreviation_and_its_expansion_is_translated() -> None:
    with translation.override("ar"):
        assert instrument_name("pain_nrs") == "NRS (مقياس التقييم الرقمي لشدة الألم)"
        assert instrument_name("unknown_code") == "unknown_code"
    with translation.override("en"):
        assert instrument_name("scim_iii") == "SCIM III (Spinal Cord Independence Measure)"


def test_the_filters_are_there_in_every_template() -> None:
    page = Template("{{ v|visit_name }} · {{ code|instrument_name }}")
    with translation.override("th"):
        shown = page.render(Context({"v": SimpleNamespace(label="Week 1", code="w1"),
                                     "code": "wisci_ii"}))  # fmt: skip
    assert shown == "สัปดาห์ที่ 1 · WISCI II (ดัชนีการเดินในผู้บาดเจ็บไขสันหลัง)"
