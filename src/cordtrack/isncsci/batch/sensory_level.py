"""Sensory levels of N exams (ISNCSCI 2019, "Sensory level"; scalar: :mod:`..sensory_level`).

The scalar walk keeps the star flags of the searches still moving down; here the scalar search's
own step (:func:`..sensory_level.dermatome_step`) is tabulated as an :class:`~.automaton.Automaton`
and run on all exams at once, one dermatome (column) at a time.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..sensory_level import START, dermatome_step
from .automaton import Automaton, Kind, Program, split
from .codes import DERMATOME_CLASSES, INT_BIT, N_SENSORY
from .tables import cached

_START = frozenset({START})


def _build() -> tuple[Automaton, Program]:
    automaton = Automaton(
        {"dermatome": Kind(dermatome_step, DERMATOME_CLASSES)},
        [_START],
        1,
        lambda flag: [(0, flag)],
    )
    return automaton, automaton.program(
        [("dermatome", ((i, i),)) for i in range(N_SENSORY)], [INT_BIT]
    )


_AUTOMATON, _PROGRAM = cached("sensory_level", _build)


def sensory_levels(
    dermatome: NDArray[np.uint8],
) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """The possible sensory levels of one side of N exams.

    Parameters
    ----------
    dermatome : ndarray of uint8, shape (28, N)
        Class of each dermatome's "is it normal?" answers (:data:`.codes.DERMATOME`).

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over C1..S3 (bits 0..28) and INT (bit 29).
    """
    start = _PROGRAM.start(_AUTOMATON.set_id(_START), dermatome.shape[1])
    (acc,) = _PROGRAM.run(dermatome, start)
    return split(acc)
