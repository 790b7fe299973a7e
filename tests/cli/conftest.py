"""Fixtures of the command-line tests: the published cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import PUBLISHED_CASES, SAMPLE_IDS


@pytest.fixture(scope="session")
def cases_path() -> Path:
    return PUBLISHED_CASES


@pytest.fixture(scope="session")
def published_cases(cases_path: Path) -> dict[int, dict[str, object]]:
    """The published cases by id."""
    cases = json.loads(cases_path.read_text(encoding="utf-8"))
    return {case["id"]: case for case in cases}


@pytest.fixture
def sample_cases(published_cases: dict[int, dict[str, object]]) -> list[dict[str, object]]:
    return [published_cases[i] for i in SAMPLE_IDS]
