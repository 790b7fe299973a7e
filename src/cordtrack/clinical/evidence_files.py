"""The versioned evidence data files of ``cordtrack/clinical/data`` and their manifest.

Every clinical figure the code cites lives in a CSV file of that folder, one row per figure with
its source key (``sources.csv``), population, baseline-exam window, follow-up and N. The figures
were copied from the team's guides ``clinical-evidence.md`` and ``natural-history.md``; figures
those guides mark [UNCONFIRMED] are left out and named in ``gaps.csv`` instead. The files ship in
the package (package data) and are read from there only.

``manifest.json`` holds the data version and the SHA-256 of each file: :func:`problems` names a
file whose content no longer matches, so a change to a figure cannot go unnoticed (a test runs
it). After editing a file, bump ``version`` and run ``python -m cordtrack.clinical.evidence_files
--refresh`` (docs/evidence.md, "Changing a figure").
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DATA_DIR",
    "MANIFEST",
    "Row",
    "integer",
    "interval",
    "manifest",
    "number",
    "percent",
    "problems",
    "read_table",
    "refresh",
]

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
MANIFEST: Final = DATA_DIR / "manifest.json"

Row = dict[str, str]


def read_table(name: str) -> list[Row]:
    """The rows of ``data/<name>`` as dicts of strings (empty cells are ``""``)."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as stream:
        return [dict(row) for row in csv.DictReader(stream)]


def number(row: Row, name: str) -> float | None:
    """The cell ``name`` as a float, None when empty or absent."""
    text = row.get(name, "").strip()
    return float(text) if text else None


def integer(row: Row, name: str) -> int | None:
    """The cell ``name`` as an int, None when empty or absent."""
    text = row.get(name, "").strip()
    return int(text) if text else None


def interval(row: Row) -> tuple[float, float] | None:
    """``(ci_low, ci_high)`` when both cells are filled."""
    low, high = number(row, "ci_low"), number(row, "ci_high")
    return None if low is None or high is None else (low, high)


def percent(row: Row, name: str) -> float:
    """The cell ``name`` as a percentage 0-100 (ValueError names the row otherwise)."""
    value = number(row, name)
    if value is None or not 0.0 <= value <= 100.0:
        raise ValueError(f"{row['id']}: {name} must be a percentage 0-100, got {row[name]!r}")
    return value


@cache
def manifest() -> dict[str, Any]:
    """``manifest.json``: ``version``, ``copied_from``, and per file its ``sha256``, ``rows`` and
    ``describes``."""
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return data


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems() -> list[str]:
    """Every disagreement between the data folder and its manifest (empty when they agree)."""
    listed = manifest()["files"]
    found = sorted(p.name for p in DATA_DIR.glob("*.csv"))
    out = [f"{name}: not in manifest.json" for name in found if name not in listed]
    for name, entry in sorted(listed.items()):
        path = DATA_DIR / name
        if not path.exists():
            out.append(f"{name}: listed in manifest.json but missing")
        elif _digest(path) != entry["sha256"]:
            out.append(f"{name}: changed since manifest.json was written (bump the version)")
        elif len(read_table(name)) != entry["rows"]:
            out.append(f"{name}: {entry['rows']} rows in manifest.json")
    return out


def refresh(version: str | None = None) -> dict[str, Any]:
    """Rewrite ``manifest.json`` from the files (keeping descriptions), optionally with a new
    ``version``; returns the new manifest."""
    old = json.loads(MANIFEST.read_text(encoding="utf-8"))
    files = {}
    for path in sorted(DATA_DIR.glob("*.csv")):
        previous = old["files"].get(path.name, {})
        files[path.name] = {
            "describes": previous.get("describes", ""),
            "rows": len(read_table(path.name)),
            "sha256": _digest(path),
        }
    new = {**old, "version": version or old["version"], "files": files}
    MANIFEST.write_text(json.dumps(new, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest.cache_clear()
    return new


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    args = sys.argv[1:]
    if args[:1] == ["--refresh"]:
        print(json.dumps(refresh(args[1] if len(args) > 1 else None)["files"], indent=2))
    else:
        print("\n".join(problems()) or f"evidence data {manifest()['version']}: manifest agrees")
