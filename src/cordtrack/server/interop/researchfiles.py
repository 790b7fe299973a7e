"""SPSS (.sav) and Stata (.dta) files of the de-identified dataset, and its codebook (CSV, PDF).

Each table of the export is also written as ``<table>.sav`` and/or ``<table>.dta`` with
pyreadstat (docs/adr/0023): variable names valid in both programs, variable labels, value labels
for coded columns, dates as dates. Everything comes from the definitions of :mod:`.codebook`,
which also give ``codebook.csv`` and ``codebook.pdf``, so the files and the codebook agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from .codebook import Variable

__all__ = ["FORMATS", "write_codebook_csv", "write_codebook_pdf", "write_table"]

#: The formats ``cordtrack export deidentified --formats`` takes.
FORMATS: Final = ("csv", "sav", "dta")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})
_MEASURE: Final = {"category": "nominal", "boolean": "nominal", "integer": "scale",
                   "number": "scale", "date": "scale", "string": "nominal"}  # fmt: skip


def _cell(variable: Variable, value: Any) -> Any:
    """One value as pyreadstat writes it for ``variable``'s kind (missing: NaN / None / "")."""
    text = "" if value is None else str(value).strip()
    kind = variable.kind
    if kind == "string":
        return text
    if text == "":
        return None if kind == "date" else math.nan
    if kind in ("integer", "number"):
        return float(Decimal(text))
    if kind == "date":
        return dt.date.fromisoformat(text[:10])
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in _TRUE | _FALSE:
            raise ValueError(f"{variable.file} {variable.column}: {value!r} is not yes or no")
        return 1.0 if lowered in _TRUE else 0.0
    return float(variable.code_of(text))  # type: ignore[arg-type]


def _frame(variables: Sequence[Variable], rows: Sequence[Mapping[str, Any]]) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    data = {v.name: [_cell(v, row.get(v.column)) for row in rows] for v in variables}
    frame = pd.DataFrame(data, columns=[v.name for v in variables])
    for v in variables:
        if v.kind == "date":  # datetime64 at the microsecond unit pandas 3 chooses for dates
            frame[v.name] = pd.to_datetime(frame[v.name]).astype("datetime64[ns]")
        elif v.kind != "string":
            frame[v.name] = frame[v.name].astype("float64")
    return frame


def write_table(
    folder: Path, table: str, variables: Sequence[Variable], rows: Sequence[Mapping[str, Any]],
    formats: Sequence[str],
) -> list[Path]:  # fmt: skip
    """Write ``<table>.sav`` / ``<table>.dta`` (as asked) into ``folder``; returns the paths."""
    import pyreadstat

    frame = _frame(variables, rows)
    labels: dict[str, str | None] = {v.name: v.label for v in variables}
    values: dict[str, dict[int | float, str]] = {
        v.name: dict(v.value_labels()) for v in variables if v.kind in ("category", "boolean")
    }
    stem = table.removesuffix(".csv")
    written = []
    if "sav" in formats:
        path = folder / f"{stem}.sav"
        pyreadstat.write_sav(
            frame, str(path), file_label=f"CordTrack de-identified export: {stem}",
            column_labels=labels, variable_value_labels=values,
            variable_measure={v.name: _MEASURE[v.kind] for v in variables},
        )  # fmt: skip
        written.append(path)
    if "dta" in formats:
        path = folder / f"{stem}.dta"
        pyreadstat.write_dta(
            frame, str(path), file_label=f"CordTrack export: {stem}"[:80],
            column_labels=labels, variable_value_labels=values,
        )  # fmt: skip
        written.append(path)
    return written


def _values_text(variable: Variable) -> str:
    return "; ".join(f"{n} = {label}" for n, label in variable.value_labels().items())


def write_codebook_csv(path: Path, tables: Mapping[str, Sequence[Variable]]) -> int:
    """One row per variable: file, name, CSV column, label, kind, value labels."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["file", "variable", "csv_column", "label", "type", "values"])
        for table, variables in tables.items():
            for v in variables:
                values = _values_text(v) if v.kind in ("category", "boolean") else ""
                writer.writerow([table.removesuffix(".csv"), v.name, v.column, v.label, v.kind,
                                 values])  # fmt: skip
                count += 1
    return count


def write_codebook_pdf(path: Path, tables: Mapping[str, Sequence[Variable]]) -> None:
    """The codebook as a PDF (WeasyPrint), one table per file."""
    from ..reports.pdf import render_pdf

    grouped = [
        (table.removesuffix(".csv"),
         [(v, _values_text(v) if v.kind in ("category", "boolean") else "") for v in variables])
        for table, variables in tables.items()
    ]  # fmt: skip
    path.write_bytes(render_pdf("interop/codebook.html", {"tables": grouped}))
