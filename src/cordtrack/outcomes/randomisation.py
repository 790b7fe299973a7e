"""Stratified permuted-block randomisation lists, generated from a seed.

A randomisation list is made before the first patient is randomised and kept from the people who
enrol patients (allocation concealment; Schulz KF, Grimes DA. Allocation concealment in randomised
trials: defending against deciphering. Lancet 2002;359:614-618). Each **stratum** (e.g. baseline
AIS grade x level group) has its own sequence, made of consecutive **blocks**; each block holds
every arm the same number of times in a random order, and block sizes are drawn at random from a
set (e.g. {4, 6}) so the end of a block cannot be guessed from the arms already given (Efird J.
Blocked randomization with randomly selected block sizes. Int J Environ Res Public Health
2011;8:15-20; CONSORT 2010 item 8b, Moher D et al., BMJ 2010;340:c869).

Properties the tests check (``tests/unit/outcomes/test_randomisation.py``):

* the same seed, arms, strata and block sizes give the same list, on every platform: each stratum
  draws from its own ``random.Random`` seeded by SHA-256 of ``"<seed>:<stratum>"`` (the Mersenne
  Twister and ``Random.shuffle``/``Random.choice`` are specified by CPython and stable across
  versions for an integer seed), so adding a stratum never changes another stratum's list;
* within a stratum, after any number of allocations, the counts of any two arms differ by at most
  ``max(block_sizes) // len(arms)`` (and by 0 at the end of every block).

Allocation here is equal between arms (1:1 for two arms); block sizes must be multiples of the
number of arms.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from cordtrack.clinical.numbers import whole_number

__all__ = [
    "Allocation",
    "RandomisationDesign",
    "allocation_list",
    "design_problems",
    "max_imbalance",
    "strata",
    "stratum_label",
]

#: The separator between factor and level in a stratum label, and between factors.
_PAIR: Final = "="
_JOIN: Final = "|"


@dataclass(frozen=True, slots=True)
class Allocation:
    """One row of the list: the ``sequence``-th allocation (1-based) of ``stratum``."""

    stratum: str
    sequence: int
    block: int
    block_size: int
    arm: str


@dataclass(frozen=True, slots=True)
class RandomisationDesign:
    """What a list is generated from; construction checks every field and names the bad one."""

    arms: tuple[str, ...]
    factors: tuple[tuple[str, tuple[str, ...]], ...]
    block_sizes: tuple[int, ...]
    seed: int
    per_stratum: int

    def __post_init__(self) -> None:
        problems = design_problems(
            arms=self.arms,
            factors=dict(self.factors),
            block_sizes=self.block_sizes,
            seed=self.seed,
            per_stratum=self.per_stratum,
        )
        if problems:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))

    @classmethod
    def of(
        cls,
        arms: Sequence[str],
        factors: Mapping[str, Sequence[str]],
        block_sizes: Sequence[int],
        seed: int,
        per_stratum: int,
    ) -> RandomisationDesign:
        return cls(
            tuple(arms),
            tuple((k, tuple(v)) for k, v in factors.items()),
            tuple(block_sizes),
            seed,
            per_stratum,
        )


def design_problems(
    *,
    arms: object,
    factors: object,
    block_sizes: object,
    seed: object,
    per_stratum: object,
) -> dict[str, str]:
    """Every problem with a design, by field name (empty when the design is valid)."""
    errs: dict[str, str] = {}
    arm_list = list(arms) if isinstance(arms, list | tuple) else None
    if arm_list is None or len(arm_list) < 2:
        errs["arms"] = "needs at least two arms"
    elif not all(isinstance(a, str) and a.strip() for a in arm_list):
        errs["arms"] = "every arm must be a non-empty name"
    elif len(set(arm_list)) != len(arm_list):
        errs["arms"] = "arm names must be distinct"
    if not isinstance(factors, Mapping):
        errs["factors"] = "must map each stratification factor to its levels"
    else:
        for name, levels in factors.items():
            if not isinstance(name, str) or not name or _PAIR in name or _JOIN in name:
                errs["factors"] = f"factor name {name!r} must be non-empty without '=' or '|'"
            elif (
                not isinstance(levels, list | tuple)
                or not levels
                or not all(isinstance(v, str) and v and _JOIN not in v for v in levels)
                or len(set(levels)) != len(levels)
            ):
                errs["factors"] = f"factor {name!r} needs a list of distinct non-empty levels"
    sizes = list(block_sizes) if isinstance(block_sizes, list | tuple) else None
    if not sizes or not all(whole_number(s) is not None for s in sizes):
        errs["block_sizes"] = "needs a non-empty list of whole numbers"
    elif arm_list and "arms" not in errs:
        bad = [s for s in sizes if s <= 0 or s % len(arm_list)]
        if bad:
            errs["block_sizes"] = (
                f"{bad} are not positive multiples of the number of arms ({len(arm_list)})"
            )
    if (n := whole_number(seed)) is None or n < 0:
        errs["seed"] = "must be a non-negative whole number"
    if (n := whole_number(per_stratum)) is None or n < 1:
        errs["per_stratum"] = "must be a whole number of at least 1"
    return errs


def stratum_label(levels: Mapping[str, str]) -> str:
    """``{"ais": "A", "level": "cervical"}`` -> ``"ais=A|level=cervical"`` (factor order kept)."""
    return _JOIN.join(f"{k}{_PAIR}{v}" for k, v in levels.items())


def strata(factors: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Every stratum label: the product of the factors' levels (one ``"all"`` without factors)."""
    if not factors:
        return ("all",)
    names = list(factors)
    return tuple(
        stratum_label(dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*(factors[n] for n in names))
    )


def _rng(seed: int, stratum: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{stratum}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _stratum_list(design: RandomisationDesign, stratum: str) -> tuple[Allocation, ...]:
    rng = _rng(design.seed, stratum)
    rows: list[Allocation] = []
    block = 0
    while len(rows) < design.per_stratum:
        block += 1
        size = rng.choice(design.block_sizes)
        content = [arm for arm in design.arms for _ in range(size // len(design.arms))]
        rng.shuffle(content)
        # The last block is kept whole, so a stratum's list may run past per_stratum.
        start = len(rows)
        rows.extend(
            Allocation(stratum, start + i + 1, block, size, arm) for i, arm in enumerate(content)
        )
    return tuple(rows)


def allocation_list(design: RandomisationDesign) -> dict[str, tuple[Allocation, ...]]:
    """The list for every stratum: at least ``per_stratum`` rows each, whole blocks only."""
    return {s: _stratum_list(design, s) for s in strata(dict(design.factors))}


def max_imbalance(arms: Sequence[str], given: Sequence[str]) -> int:
    """The largest difference between two arms' counts among the allocations ``given``."""
    counts = [sum(1 for g in given if g == a) for a in arms]
    return max(counts) - min(counts)
