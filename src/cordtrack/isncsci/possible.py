"""Collecting the possible values of a result as the searches find them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from .result import Possible

K = TypeVar("K", bound=Hashable)
S = TypeVar("S", bound=Hashable)
V = TypeVar("V")

#: A value one step of a search finds: (output, offset, star). ``output`` says which of the
#: search's results it belongs to (the motor level search fills two), ``offset`` which value: 0
#: the level above the segment the step reads, 1 the segment itself; ``star`` whether it rests on
#: the examiner's judgement.
Emission = tuple[int, int, bool]
#: What one step of a search does from one state on one segment's input: the next states, and the
#: values found there. Every search is written as such a step, once: the scalar engine walks it
#: (:func:`advance`), the batch engine tabulates it over sets of states
#: (:class:`cordtrack.isncsci.batch.automaton.Automaton`).
Stepped = tuple[Iterable[S], Iterable[Emission]]


class Collector(Generic[K]):
    """The values a search has found possible so far, each with its star flag.

    A value found along several paths is starred only if every path to it rests on a starred value:
    one path that does not is enough to make it an unqualified possibility.
    """

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: dict[K, bool] = {}

    def add(self, value: K, starred: bool) -> None:
        previous = self.found.get(value)
        self.found[value] = starred if previous is None else (previous and starred)

    def __contains__(self, value: object) -> bool:
        return value in self.found

    def __bool__(self) -> bool:
        return bool(self.found)

    def possible(self: Collector[str], order: tuple[str, ...]) -> Possible:
        """The collected values in the domain's ``order``."""
        found = self.found
        if len(found) == 1:
            return Possible(tuple(found.items()))
        index = _INDEX.get(order) or _INDEX.setdefault(order, {v: i for i, v in enumerate(order)})
        return Possible(tuple((v, found[v]) for v in sorted(found, key=index.__getitem__)))


_INDEX: dict[tuple[str, ...], dict[str, int]] = {}


def advance(
    step: Callable[[S, V], Stepped[S]],
    states: frozenset[S],
    value: V,
    found: Sequence[Collector[str]],
    at: tuple[str, str],
) -> frozenset[S]:
    """One segment of a scalar search: ``step`` from every state on the segment's input
    ``value``; each value found goes to its output's collector, ``at`` naming the values of the
    offsets (the level above the segment, the segment). Returns the states still walking.

    What a set of states does on an input depends on nothing else, and both are drawn from small
    finite sets, so it is remembered (as the batch engine tabulates it): most segments of most
    exams cost a dictionary lookup."""
    key = (step, states, value)
    known = _MEMO.get(key)
    if known is None:
        known = _MEMO[key] = _transition(step, states, value)
    for output, offset, star in known[1]:
        found[output].add(at[offset], star)
    return known[0]


def _transition(
    step: Callable[[S, V], Stepped[S]], states: frozenset[S], value: V
) -> tuple[frozenset[S], tuple[Emission, ...]]:
    """The next states of a set of states, and the values found (each starred only if every
    path to it is, as :class:`Collector` merges them)."""
    moving: set[S] = set()
    stars: dict[tuple[int, int], bool] = {}
    for state in states:
        following, emitted = step(state, value)
        moving.update(following)
        for output, offset, star in emitted:
            stars[output, offset] = stars.get((output, offset), True) and star
    return frozenset(moving), tuple((o, off, star) for (o, off), star in stars.items())


_MEMO: dict[tuple[object, frozenset[Any], object], tuple[frozenset[Any], tuple[Emission, ...]]]
_MEMO = {}
