"""Progress charts per patient, drawn on the server as SVG (no script, CSP-friendly).

Each chart has the measure over time, the baseline (first value), the meaningful-change
threshold above baseline from ``cordtrack.clinical.evidence`` where one is published, and for
UEMS and LEMS the natural-recovery reference band from ``cordtrack.outcomes.comparator``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cordtrack.clinical.evidence import thresholds_for
from cordtrack.outcomes import ComparatorProfile, ReferenceOutcome, Said, natural_history

from ..evidence_words import phrase_text
from ..patients.models import Patient

W, H, LEFT, RIGHT, TOP, BOTTOM = 360, 190, 36, 12, 14, 28


@dataclass
class Chart:
    key: str
    title: str
    maximum: float
    points: list[tuple[dt.date, float]] = field(default_factory=list)
    threshold: float | None = None
    threshold_note: str = ""
    band: tuple[float, float] | None = None
    band_note: str = ""
    #: Why no reference applies, as the evidence engine says it (a coded sentence, worded in the
    #: reader's language by ``evidence_words``; English marked ``lang="en"`` where it has none).
    band_reason: Said | str = ""
    width: int = W
    height: int = H

    @property
    def baseline(self) -> float | None:
        return self.points[0][1] if self.points else None

    def _x(self, day: dt.date) -> float:
        first, last = self.points[0][0], self.points[-1][0]
        span = max(1, (last - first).days)
        return LEFT + (W - LEFT - RIGHT) * (day - first).days / span

    def _y(self, value: float) -> float:
        top = self.maximum or 1
        return TOP + (H - TOP - BOTTOM) * (1 - min(value, top) / top)

    def svg(self) -> dict[str, Any]:
        """Coordinates for the template (path, points, lines, band, ticks)."""
        pts = [(round(self._x(d), 1), round(self._y(v), 1), d, v) for d, v in self.points]
        out: dict[str, Any] = {
            "path": " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y, _, _) in
                             enumerate(pts)),
            "points": pts,
            "x0": LEFT, "x1": W - RIGHT, "y0": H - BOTTOM, "ytop": TOP,
            "ticks": [(round(self._y(t), 1), t) for t in (0, self.maximum / 2, self.maximum)],
            "first": self.points[0][0] if self.points else None,
            "last": self.points[-1][0] if self.points else None,
        }  # fmt: skip
        if self.baseline is not None:
            out["baseline_y"] = round(self._y(self.baseline), 1)
            if self.threshold is not None:
                out["threshold_y"] = round(self._y(self.baseline + self.threshold), 1)
            if self.band is not None:
                low = self._y(self.baseline + self.band[0])
                high = self._y(self.baseline + self.band[1])
                out["band_y"], out["band_h"] = round(high, 1), round(max(1.0, low - high), 1)
        return out


def _threshold(measure: str) -> tuple[float | None, str]:
    for t in thresholds_for(measure):
        if t.value is not None:
            note = _("meaningful change +%(value)s %(unit)s (%(method)s; %(source)s)") % {
                "value": f"{t.value:g}",
                "unit": phrase_text(t.unit),
                "method": phrase_text(t.method),
                "source": t.source,
            }  # the source is a citation: as published
            return float(t.value), note
    return None, _("no published meaningful-change threshold")


def _band(patient: Patient, outcome: ReferenceOutcome, baseline_day: int | None,
          nli: str) -> tuple[tuple[float, float] | None, str, Said | str]:  # fmt: skip
    """The reference band, its note in the reader's language, and the engine's reason when there
    is no band (a coded sentence; ``cordtrack.outcomes`` is a library without translations)."""
    injury = getattr(patient, "injury", None)
    if injury is None:
        return None, _("no injury recorded: no natural-recovery reference"), ""
    try:
        history = natural_history(
            ComparatorProfile(baseline_ais=injury.baseline_ais,
                              days_since_injury_at_baseline=baseline_day, nli=nli or None),
            outcome,
        )  # fmt: skip
    except (ValueError, TypeError) as exc:
        return None, _("no natural-recovery reference:"), str(exc)
    if not history.comparable or history.value_range is None:
        return (
            None,
            _("no natural-recovery reference:"),
            history.why or history.reason or "none applies",
        )
    low, high = history.value_range
    note = _("natural recovery at about 1 year: +%(low)s to +%(high)s points") % {
        "low": f"{low:g}",
        "high": f"{high:g}",
    }
    return (low, high), note, ""


def progress_charts(patient: Patient) -> list[Chart]:
    exams = list(patient.exams.signed().exclude(classification=None).order_by("exam_date", "pk"))
    charts = {
        "uems": Chart("uems", _("UEMS (upper extremity motor, 0-50)"), 50),
        "lems": Chart("lems", _("LEMS (lower extremity motor, 0-50)"), 50),
        "lt": Chart("lt", _("Light touch total (0-112)"), 112),
        "pp": Chart("pp", _("Pin prick total (0-112)"), 112),
        "scim_iii": Chart("scim_iii", _("SCIM III (0-100)"), 100),
        "wisci_ii": Chart("wisci_ii", _("WISCI II (0-20)"), 20),
    }
    for exam in exams:
        flat = exam.classification or {}
        for key, source in (("uems", "upperMotorTotal"), ("lems", "lowerMotorTotal"),
                            ("lt", "touchTotal"), ("pp", "prickTotal")):  # fmt: skip
            value = str(flat.get(source, ""))
            if value.isdigit():
                charts[key].points.append((exam.exam_date, float(value)))
    for code in ("scim_iii", "wisci_ii"):
        for r in patient.instruments.filter(instrument=code).order_by("recorded_on", "pk"):
            if r.total is not None:
                charts[code].points.append((r.recorded_on, float(r.total)))
    charts["scim_iii"].threshold, charts["scim_iii"].threshold_note = _threshold("scim_iii_total")
    charts["wisci_ii"].threshold, charts["wisci_ii"].threshold_note = _threshold("wisci_ii")
    for key in ("uems", "lems", "lt", "pp"):
        charts[key].threshold_note = _threshold("uems_lems_tms_lt_pp")[1]
    if exams:
        injury = getattr(patient, "injury", None)
        day = (exams[0].exam_date - injury.injury_date).days if injury is not None else None
        for key, outcome in (("uems", ReferenceOutcome.UEMS_GAIN),
                             ("lems", ReferenceOutcome.LEMS_GAIN)):  # fmt: skip
            chart = charts[key]
            chart.band, chart.band_note, chart.band_reason = _band(
                patient, outcome, day, exams[0].nli
            )
    return list(charts.values())
