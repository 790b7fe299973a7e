"""The classification result: each output as the exact set of its possible values.

An exam with not-testable (NT) values can leave a result undetermined; the engine then gives every
value the exam allows, no more and no fewer. A value reached through a starred (non-SCI) cell
carries
a star. Rendering follows the notation of the published cases: ``C5,C6*``, ``NA,T5*``, ``ND``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .types import LEVEL_KEYS, RESULT_KEYS, TOTAL_KEYS, ZPP_KEYS


@dataclass(frozen=True, slots=True)
class Possible:
    """The possible values of one result, in the domain's order, each with its star flag."""

    values: tuple[tuple[str, bool], ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a result has at least one possible value")

    @property
    def determined(self) -> bool:
        """True when the exam fixes this result to a single value."""
        return len(self.values) == 1

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.values)

    @property
    def starred(self) -> bool:
        return any(s for _, s in self.values)

    def only(self, names: Iterable[str]) -> Possible:
        """The values named, with their stars (at least one must remain)."""
        keep = set(names)
        return Possible(tuple(v for v in self.values if v[0] in keep))

    def render(self) -> str:
        return ",".join(f"{v}*" if s else v for v, s in self.values)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True, slots=True)
class Classification:
    """Every output of the ISNCSCI 2019 classification of one exam.

    ``totals`` maps each of the 14 total keys to its integer score, or ``None`` when a
    not-testable value feeds it (rendered ``ND``).
    """

    right_sensory: Possible
    left_sensory: Possible
    right_motor: Possible
    left_motor: Possible
    neurological_level: Possible
    right_sensory_zpp: Possible
    left_sensory_zpp: Possible
    right_motor_zpp: Possible
    left_motor_zpp: Possible
    ais: Possible
    completeness: Possible
    totals: dict[str, int | None] = field(default_factory=dict)

    def results(self) -> dict[str, Possible]:
        """The 11 set-valued results by their flat key."""
        return dict(
            zip(
                (*LEVEL_KEYS, *ZPP_KEYS, "asiaImpairmentScale", "injuryComplete"),
                (
                    self.right_sensory, self.left_sensory, self.right_motor, self.left_motor,
                    self.neurological_level, self.right_sensory_zpp, self.left_sensory_zpp,
                    self.right_motor_zpp, self.left_motor_zpp, self.ais, self.completeness,
                ),
                strict=True,
            )
        )  # fmt: skip

    def to_flat(self) -> dict[str, str]:
        """The 25 result keys as strings, in the notation of the published cases."""
        flat = {k: "ND" if (t := self.totals[k]) is None else str(t) for k in TOTAL_KEYS}
        for key, possible in self.results().items():
            flat[key] = possible.render()
        return {k: flat[k] for k in RESULT_KEYS}
