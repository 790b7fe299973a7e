"""The scalar searches as automata over *sets* of search states, run on columns of exams.

Every search of the scalar engine walks the segments keeping a small set of search states (star
flags, a few booleans), and at each segment turns each state and each possible answer of the
segment's values into next states and found values ``(value, star)``. The next set and the found
values depend only on the current set and on the segment's values, so the search is a
deterministic automaton whose states are the reachable *sets* of search states. This module builds
that automaton once, by running a step function written exactly like the scalar loop body on every
(state, input class) pair, and then runs N exams at once: per segment one table lookup gives every
exam's next set id and another the values found there, as bitmasks.

Found values are accumulated as ``uint64``: bit ``b`` when value ``b`` was reached at all and bit
``32 + b`` when it was reached along a path without a judgement. The scalar
:class:`~cordtrack.isncsci.possible.Collector` stars a value only when every path to it is
starred, so ``starred = reached & ~reached_unstarred`` (:func:`split`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..possible import Emission

Step = Callable[[Any, Any], tuple[Iterable[Hashable], Iterable[Emission]]]
FinalValues = Callable[[Any], Iterable[tuple[int, bool]]]
#: One segment of a walk: its kind, and per output the bit of offset 0 and of offset 1.
Position = tuple[str, tuple[tuple[int, int], ...]]

U64 = NDArray[np.uint64]
IntArray = NDArray[np.intp]
#: State set ids: uint8 (intp for an automaton of 256 sets or more).
SetIds = NDArray[np.integer[Any]]


@dataclass(frozen=True)
class Kind:
    """A kind of segment: the step applied there, and the input classes (index = input code)."""

    step: Step
    inputs: tuple[object, ...]


class Automaton:
    """A search over sets of states, tabulated for vectorised runs.

    Parameters
    ----------
    kinds : mapping of str to Kind
        The kinds of segment the walk meets.
    initial : iterable of frozenset
        The state sets a walk may start from (:meth:`set_id` gives their ids).
    n_outputs : int
        How many results the search emits values into.
    final : callable
        Values found from each state still walking after the last segment: ``(output, star)``
        pairs, the value being the position's final bit.
    """

    def __init__(
        self,
        kinds: Mapping[str, Kind],
        initial: Iterable[frozenset[Hashable]],
        n_outputs: int,
        final: FinalValues,
    ) -> None:
        self.n_outputs = n_outputs
        self._ids: dict[frozenset[Hashable], int] = {frozenset(): 0}
        sets: list[frozenset[Hashable]] = [frozenset()]
        single: dict[tuple[str, Hashable, int], tuple[frozenset[Hashable], frozenset[Emission]]]
        single = {}
        transitions: dict[tuple[str, int, int], tuple[int, frozenset[Emission]]] = {}
        queue = [self._add(s, sets) for s in initial]
        seen = set(queue)
        while queue:
            sid = queue.pop()
            for name, kind in kinds.items():
                for x, value in enumerate(kind.inputs):
                    states: set[Hashable] = set()
                    found: set[Emission] = set()
                    for state in sets[sid]:
                        key = (name, state, x)
                        if key not in single:
                            nxt, em = kind.step(state, value)
                            single[key] = (frozenset(nxt), frozenset(em))
                        states |= single[key][0]
                        found |= single[key][1]
                    nid = self._add(frozenset(states), sets)  # the next set of this input
                    if nid not in seen:
                        seen.add(nid)
                        queue.append(nid)
                    transitions[name, sid, x] = (nid, frozenset(found))
        self.n_sets = n = len(sets)
        #: The state sets, by id.
        self.sets: tuple[frozenset[Hashable], ...] = tuple(sets)
        self._next: dict[str, IntArray] = {}
        self._rel: dict[str, list[NDArray[np.uint8]]] = {}
        for name, kind in kinds.items():
            nxt = np.zeros(len(kind.inputs) * n, dtype=np.intp)
            rel = [np.zeros(len(kind.inputs) * n, dtype=np.uint8) for _ in range(n_outputs)]
            for (k, sid, x), (nid, emitted) in transitions.items():
                if k == name:
                    nxt[x * n + sid] = nid
                    for output, offset, star in emitted:
                        rel[output][x * n + sid] |= (1 << offset) | (0 if star else 4 << offset)
            self._next[name], self._rel[name] = nxt, rel
        self._final = [np.zeros(n, dtype=np.uint8) for _ in range(n_outputs)]
        for sid, members in enumerate(sets):
            for state in members:
                for output, star in final(state):
                    self._final[output][sid] |= 1 | (0 if star else 4)

    def _add(self, states: frozenset[Hashable], sets: list[frozenset[Hashable]]) -> int:
        if states not in self._ids:
            self._ids[states] = len(sets)
            sets.append(states)
        return self._ids[states]

    def set_id(self, states: frozenset[Hashable]) -> int:
        """The id of a state set (0 is the empty set: the walk has stopped)."""
        return self._ids[states]

    def program(self, positions: Sequence[Position], final_bits: Sequence[int]) -> Program:
        """Tables for one walk: the positions in walk order, and each output's final bit.

        Consecutive positions are fused into one step while the fused table stays small (at most
        :data:`FUSED_ENTRIES` entries): its input is the tuple of the positions' inputs, its
        next set and found values those of the positions in turn. Fewer, larger lookups run faster.
        """
        steps: list[_Step] = []
        for kind, bits in positions:
            emissions = [
                _absolute(rel, b0, b1) for rel, (b0, b1) in zip(self._rel[kind], bits, strict=True)
            ]
            step = _Step((len(self._next[kind]) // self.n_sets,), self._next[kind], emissions)
            if steps and steps[-1].size * step.size * self.n_sets <= FUSED_ENTRIES:
                steps[-1] = _fuse(steps[-1], step, self.n_sets)
            else:
                steps.append(step)
        finals = [_absolute(f, b, b) for f, b in zip(self._final, final_bits, strict=True)]
        return Program(self.n_sets, steps, finals)


#: Gather the walking exams when at most this share of those carried still walk.
COMPACT: Final = 0.7
#: Largest table of a fused step (input combinations times state sets): two key muscles of the
#: motor level search fit, and the step's flat index still fits in uint16.
FUSED_ENTRIES: Final = 1 << 16


@dataclass(frozen=True)
class _Step:
    """One step of a walk: the input counts of the positions it covers, and its tables indexed by
    ``input * n_sets + set id`` (the input combining the positions' inputs, first one major)."""

    inputs: tuple[int, ...]
    next: IntArray
    emissions: list[U64]

    @property
    def size(self) -> int:
        return int(np.prod(self.inputs))


def _fuse(a: _Step, b: _Step, n: int) -> _Step:
    xa, xb, sid = np.indices((a.size, b.size, n)).reshape(3, -1)
    first = xa * n + sid
    second = xb * n + a.next[first]
    return _Step(
        (*a.inputs, *b.inputs),
        b.next[second],
        [ea[first] | eb[second] for ea, eb in zip(a.emissions, b.emissions, strict=True)],
    )


def _absolute(rel: NDArray[np.uint8], b0: int, b1: int) -> U64:
    r = rel.astype(np.uint64)
    one = np.uint64(1)
    reach = ((r & one) << np.uint64(b0)) | (((r >> one) & one) << np.uint64(b1))
    unstarred = (((r >> np.uint64(2)) & one) << np.uint64(b0)) | (
        ((r >> np.uint64(3)) & one) << np.uint64(b1)
    )
    out: U64 = reach | (unstarred << np.uint64(32))
    return out


@dataclass(frozen=True)
class Program:
    """An automaton's tables laid out for one walk (see :meth:`Automaton.program`)."""

    n_sets: int
    steps: list[_Step]
    finals: list[U64]
    _compiled: list[_Compiled] = field(init=False, repr=False)
    _final: U64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Set ids fit in a byte: the next-set tables take a quarter of the cache as uint8.
        small = np.uint8 if self.n_sets < 256 else np.intp
        compiled, first = [], 0
        for s in self.steps:
            # A flat index below 2^16 is computed in uint16, a quarter of the memory traffic of
            # intp (fused tables have at most FUSED_ENTRIES entries); take() then needs intp.
            narrow = small is np.uint8 and s.size * self.n_sets <= 1 << 16
            # The outputs' emission tables side by side: one take() finds the values of all.
            emissions = np.stack(s.emissions, axis=1) if any(e.any() for e in s.emissions) else None
            code = np.uint16 if narrow else np.intp
            last = first + len(s.inputs)
            table = s.next.astype(small)
            compiled.append(
                _Compiled(first, last, s.inputs[1:], self.n_sets, table, emissions, code)
            )
            first = last
        object.__setattr__(self, "_compiled", compiled)
        object.__setattr__(self, "_final", np.stack(self.finals, axis=1))

    def start(self, set_id: int, n: int) -> SetIds:
        """N exams starting from the set ``set_id``, as :meth:`run` reads set ids."""
        return np.full(n, set_id, dtype=self._compiled[0].table.dtype)

    def run(self, inputs: Inputs, start: SetIds) -> list[U64]:
        """Walk N exams at once.

        Parameters
        ----------
        inputs : ndarray of uint8 or uint16, shape (positions, N), or a sequence of such rows
            Per position, every exam's input class code. A sequence lets a caller pass rows of
            several arrays without copying them into one.
        start : ndarray of uint8, shape (N,)
            Every exam's initial state set id (0: no walk); see :meth:`start`.

        Returns
        -------
        list of ndarray of uint64, shape (N,)
            Per output: reached bits, and reached-unstarred bits shifted by 32.
        """
        acc = np.zeros((start.size, len(self.finals)), dtype=np.uint64)  # per exam and output
        stored = _by_row(acc)
        # Only the exams still walking are carried on: when enough walks have stopped (set id 0:
        # nothing more to find), what they found is stored and the walking rows are gathered.
        rows: IntArray | None = None  # the exams carried, None for all of them in order
        sid = start
        found = acc
        for step in self._compiled:
            if np.count_nonzero(sid) <= COMPACT * sid.size:
                walking = np.flatnonzero(sid != 0)  # several times faster than on integers
                if rows is not None:
                    stored[rows] = _by_row(found)
                rows = walking if rows is None else rows.take(walking)
                sid = sid.take(walking)
                found = found.take(walking, axis=0)
            # Only the carried exams' inputs are read: most walks stop early, and the inputs of
            # the positions they never reach are never combined.
            block = inputs[step.first : step.last]
            if rows is not None:
                block = (
                    block.take(rows, axis=1)
                    if isinstance(block, np.ndarray)
                    else [row.take(rows) for row in block]
                )
            sid = step.advance(block, sid, found)
        found |= self._final.take(sid, axis=0)
        if rows is not None:
            stored[rows] = _by_row(found)
        return [acc[:, output] for output in range(acc.shape[1])]


Row = NDArray[np.uint8] | NDArray[np.uint16]
Inputs = Row | Sequence[Row]


def _by_row(a: U64) -> NDArray[np.void]:
    """A C-contiguous (N, k) array as N opaque rows: storing rows at fancy indices is several times
    faster so than on the 2-d array."""
    return a.view(np.dtype((np.void, a.itemsize * a.shape[1]))).reshape(a.shape[0])


@dataclass(frozen=True)
class _Compiled:
    """A step as :meth:`Program.run` applies it: its positions ``first:last``, the input counts
    of all of them but the first, its tables (the emission tables side by side, shape (entries,
    outputs), None where nothing is found) and the integer type of its flat index."""

    first: int
    last: int
    counts: tuple[int, ...]
    n_sets: int
    table: NDArray[Any]  # uint8 set ids (intp from 256 sets)
    emissions: U64 | None
    code: type[np.uint16] | type[np.intp]

    def advance(self, inputs: Inputs, sid: SetIds, found: U64) -> SetIds:
        # The flat index ((x0 * c1 + x1) * c2 + ...) * n_sets + sid by Horner's scheme: in place
        # in one array, without a product array per position.
        code: NDArray[np.integer[Any]] = inputs[0].astype(self.code)
        rest: Iterable[Row] = inputs[1:]  # rows of an array, or of a sequence
        for x, count in zip(rest, self.counts, strict=True):
            code *= count
            code += x
        code *= self.n_sets
        code += sid
        flat: IntArray = code.astype(np.intp, copy=False)  # take() is fastest with intp indices
        if self.emissions is not None:
            found |= self.emissions.take(flat, axis=0)
        out: SetIds = self.table.take(flat)
        return out


def split(acc: U64) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """(reached, starred) bitmasks of an accumulator, by the Collector rule."""
    reach = acc.astype(np.uint32)  # the low half: unsigned casts keep the low bits
    starred = (acc >> np.uint64(32)).astype(np.uint32)
    starred ^= reach  # reached and not reached unstarred, in place: reach & ~unstarred
    starred &= reach
    return reach, starred
