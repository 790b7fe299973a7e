"""Collecting the possible values of a result as the searches find them."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from .result import Possible

K = TypeVar("K", bound=Hashable)


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
