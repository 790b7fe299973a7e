"""The fixed phrases of the evidence data that reach a patient's pages, listed for the catalogs.

``cordtrack.clinical`` and ``cordtrack.outcomes`` read their words from the CSV files of
``cordtrack/clinical/data`` and never import Django, so the catalogs cannot find them there:
each phrase a patient may read is listed here with ``gettext_noop`` (the msgid is the data's
English, exactly). ``evidence_words`` translates a phrase only when it is listed; anything else
(a deployment's own threshold, a row added to the data without a translation) is shown as
written and marked English. tests/server/test_evidence_words.py fails when a shipped row's phrase
is missing here. Citations (author and year, journal) are never listed: they stay as published.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_noop

#: What a natural-history figure counts (``description`` of ``ais_conversion.csv``,
#: ``ais_distribution.csv`` as the package words it, and ``motor_change.csv``).
DESCRIPTIONS: Final = (
    gettext_noop("AIS A to B"),
    gettext_noop("AIS A to C"),
    gettext_noop("AIS A to C or D"),
    gettext_noop("AIS A to D"),
    gettext_noop("AIS B or better"),
    gettext_noop("AIS B to C"),
    gettext_noop("AIS B to D"),
    gettext_noop("AIS C or D (motor incomplete)"),
    gettext_noop("AIS C or D or E (at least 1 grade better)"),
    gettext_noop("AIS C to D or better"),
    gettext_noop("AIS D or E (at least 1 grade better)"),
    gettext_noop("AIS D or E (at least 2 grades better)"),
    gettext_noop("AIS E (at least 1 grade better)"),
    gettext_noop("AIS E (at least 2 grades better)"),
    gettext_noop("LEMS level at follow-up"),
    gettext_noop("LEMS mean change"),
    gettext_noop("TMS share of available gain"),
    gettext_noop("UEMS mean change"),
    gettext_noop("UEMS mean change (range of level means)"),
    gettext_noop("UEMS mean change (range)"),
    gettext_noop("complete at 1 year to AIS B at 5 years"),
    gettext_noop("complete at 1 year to incomplete at 5 years"),
    gettext_noop("complete at 1 year, still complete at 5 years"),
    gettext_noop("complete to incomplete"),
    gettext_noop("converted to incomplete"),
    gettext_noop("converted to incomplete (AIS B or better)"),
    gettext_noop("converted to incomplete (B-D)"),
    gettext_noop("converted to incomplete, injuries of 1995-1997"),
    gettext_noop("converted to incomplete, injuries of 2013-2015"),
    gettext_noop("improved at least one grade"),
    gettext_noop("late complete to incomplete conversion"),
    gettext_noop("motor complete to motor incomplete (AIS A and B together)"),
    gettext_noop("motor incomplete (AIS C or better)"),
    gettext_noop("remained AIS A"),
    gettext_noop("remained motor complete"),
)
#: Who the figures describe (``population`` of the natural-history and walking tables).
POPULATIONS: Final = (
    gettext_noop("EM-SCI, patients who converted"),
    gettext_noop("L1 and below"),
    gettext_noop("NLI T12 and above"),
    gettext_noop("T1-L1"),
    gettext_noop("T1-T9"),
    gettext_noop("T10 and below"),
    gettext_noop("T10-T12"),
    gettext_noop("T2-T12"),
    gettext_noop("T4-T9"),
    gettext_noop("above T10"),
    gettext_noop("above T11"),
    gettext_noop("aged 50 or more"),
    gettext_noop("all levels"),
    gettext_noop("all levels, non-ambulatory at rehabilitation admission (<=90 d)"),
    gettext_noop("cervical"),
    gettext_noop("cervical C4-C7, sensorimotor complete"),
    gettext_noop("complete paraplegia, NLI at or below T12"),
    gettext_noop("incomplete paraplegia"),
    gettext_noop("paraplegia"),
    gettext_noop("tetraplegia"),
    gettext_noop("tetraplegia, motor complete with bilateral S4-5 pin sensation"),
    gettext_noop("tetraplegia, motor level C1-C3"),
    gettext_noop("tetraplegia, motor level C4-C7"),
    gettext_noop("tetraplegia, motor level C8-T1"),
)
#: When the baseline exam was (``baseline_window``).
WINDOWS: Final = (
    gettext_noop("0-15 d"),
    gettext_noop("1 month after injury"),
    gettext_noop("1 year after injury"),
    gettext_noop("4 weeks after injury"),
    gettext_noop("<=15 d"),
    gettext_noop("<=2 weeks"),
    gettext_noop("<=24 h"),
    gettext_noop("<=30 d"),
    gettext_noop("<=48 h"),
    gettext_noop("<=7 d"),
    gettext_noop("<=72 h"),
    gettext_noop("about 16 d (16.1 +- 7.3; admitted <=30 d)"),
    gettext_noop("acute"),
    gettext_noop("baseline exam (<=7 d in Kirshblum 2021 Table 6)"),
    gettext_noop("early (not stated)"),
    gettext_noop("first exam <=7 d"),
    gettext_noop("inpatient rehabilitation admission"),
    gettext_noop("more than 4 months after injury"),
    gettext_noop("rehabilitation admission"),
    gettext_noop("rehabilitation admission, <=90 d"),
    gettext_noop("serial"),
)
#: When the outcome was measured (``follow_up``).
FOLLOW_UPS: Final = (
    gettext_noop("1 year"),
    gettext_noop("3 months"),
    gettext_noop("30-730 d (not one time point)"),
    gettext_noop("48 weeks"),
    gettext_noop("5 years after injury (4 years later)"),
    gettext_noop("6 months to 1 year"),
    gettext_noop("6 or 12 months"),
    gettext_noop("about 1 year"),
    gettext_noop("about 377 d"),
    gettext_noop("about 377 d (377.5 +- 93.4)"),
    gettext_noop("about 6 months"),
    gettext_noop("annual follow-up"),
    gettext_noop("at least 6 months"),
    gettext_noop("rehabilitation discharge"),
    gettext_noop("serial, annual"),
)
#: What the walking figures count (``outcome`` of ``function_walking.csv``).
WALKING_OUTCOMES: Final = (
    gettext_noop("converted and also regained walking"),
    gettext_noop("hip flexor and knee extensor strength for reciprocal gait with orthoses"),
    gettext_noop("regain some walking"),
    gettext_noop("walk in some capacity"),
    gettext_noop("walking regained"),
)
#: Side effects reported after cell therapy (``event`` of ``adverse_event_rates.csv``).
ADVERSE_EVENTS: Final = (
    gettext_noop("fever"),
    gettext_noop("headache / dizziness"),
    gettext_noop("neuropathic pain"),
    gettext_noop("muscle pain"),
    gettext_noop("rash / itch"),
    gettext_noop("abnormal sensation"),
    gettext_noop("muscle spasm"),
    gettext_noop("vomiting"),
    gettext_noop("urinary tract infection"),
)
#: What the cell-therapy studies measured and how (``outcome`` and ``design`` of
#: ``cell_therapy_evidence.csv``; the study names are citations and stay as published).
CELL_THERAPY: Final = (
    gettext_noop("11 studies"),
    gettext_noop("18 studies; controls rehabilitation, not placebo"),
    gettext_noop("62 studies: 42 single-arm, 20 controlled"),
    gettext_noop("AIS grade improvement"),
    gettext_noop("ASIA motor score (not significant, p = 0.19)"),
    gettext_noop("ASIA motor score, autologous MSC vs rehabilitation"),
    gettext_noop("ASIA motor score, intrathecal MSC vs rehabilitation"),
    gettext_noop("Barthel Index, autologous MSC vs rehabilitation"),
    gettext_noop("advertised success rate"),
    gettext_noop("gastrointestinal function improved"),
    gettext_noop("headache or musculoskeletal pain"),
    gettext_noop("improved at 30 days (including 8 of 8 AIS C)"),
    gettext_noop("improved at least one AIS grade"),
    gettext_noop("improved at least one AIS grade at 6 months (developer's claim)"),
    gettext_noop("marketing claims"),
    gettext_noop("one unpublished, non-blinded, uncontrolled trial"),
    gettext_noop("phase 1, single arm, no control"),
    gettext_noop("sensory score, autologous MSC vs rehabilitation"),
    gettext_noop("sensory score, intrathecal MSC vs rehabilitation"),
    gettext_noop("uncontrolled series"),
    gettext_noop("urinary function improved"),
)
#: Units, methods and notes of the meaningful-change thresholds (``change_thresholds.csv``) and
#: of the change rules of ``cordtrack.outcomes.change``.
THRESHOLD_WORDS: Final = (
    gettext_noop("points"),
    gettext_noop("levels"),
    gettext_noop("level"),
    gettext_noop("grade"),
    gettext_noop("points (decrease)"),
    gettext_noop("% (decrease)"),
    gettext_noop("functionally meaningful gain"),
    gettext_noop("distribution-based, small change"),
    gettext_noop("distribution-based, substantial change"),
    gettext_noop("anchor-based, by lesion group"),
    gettext_noop("MCID range"),
    gettext_noop("no MCID found"),
    gettext_noop("MCID not established"),
    gettext_noop("MCID not established in SCI"),
    gettext_noop("change considered a real difference"),
    gettext_noop("real change, acute/subacute (SRD 1.147 tetraplegia, 1.682 paraplegia)"),
    gettext_noop("clinically meaningful decrease"),
    gettext_noop("clinically meaningful decrease, about 36%"),
    gettext_noop(
        "no confirmed threshold (the distribution-based values exist but were not retrieved)"
    ),
    gettext_noop("value not recorded or ND"),
    gettext_noop("a value is not determinable (ND/NA): the change is undetermined"),
    gettext_noop("no confirmed meaningful-change threshold in the evidence sheet; none is applied"),
    gettext_noop(
        "the evidence sheet gives no MCID for AIS grade; the grade change is reported as is"
    ),
    gettext_noop(
        "the evidence sheet gives no threshold for NLI; the +2-level threshold "
        "(Neurorehabil Neural Repair 2012) is for motor level and is applied there"
    ),
)
#: Words the engines put into their sentences: the outcomes compared (``ReferenceOutcome``) and
#: the level group when it is not known (the groups themselves are populations above).
ENGINE_WORDS: Final = (
    gettext_noop("AIS improvement"),
    gettext_noop("UEMS gain"),
    gettext_noop("LEMS gain"),
    gettext_noop("total motor gain"),
    gettext_noop("level unknown"),
    gettext_noop("patients"),
    gettext_noop("ratio"),
)

#: Every listed phrase (a msgid of the catalogs).
PHRASES: Final = frozenset(
    (*DESCRIPTIONS, *POPULATIONS, *WINDOWS, *FOLLOW_UPS, *WALKING_OUTCOMES, *ADVERSE_EVENTS,
     *CELL_THERAPY, *THRESHOLD_WORDS, *ENGINE_WORDS)
)  # fmt: skip
