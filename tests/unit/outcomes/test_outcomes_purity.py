"""``cordtrack.outcomes``: a pinned public API and short modules (purity: test_pure_packages.py)."""

from __future__ import annotations

from pathlib import Path

import cordtrack.outcomes

PACKAGE_DIR = Path(cordtrack.outcomes.__file__).parent


def test_every_module_is_short_and_declares_its_api() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 450, path.name
        assert "__all__" in text, path.name


def test_public_api_is_pinned() -> None:
    assert len(cordtrack.outcomes.__all__) == len(set(cordtrack.outcomes.__all__))
    for name in cordtrack.outcomes.__all__:
        assert hasattr(cordtrack.outcomes, name), name
    for name in (
        "wilson_interval", "clopper_pearson_interval", "compatible_with", "change_from_baseline",
        "natural_history", "walking_prognosis", "cohort_rate", "describe", "stratify",
        "kaplan_meier", "time_to_ais_improvement", "safety_summary", "parse_claim", "check_claim",
    ):  # fmt: skip
        assert name in cordtrack.outcomes.__all__
