"""Reading ahead in a thread: same items, same order, errors where they happened, bounded."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest

from cordtrack.flatfiles.prefetch import prefetched


def test_items_come_in_order() -> None:
    assert list(prefetched(iter(range(100)))) == list(range(100))


def test_an_error_in_the_reader_is_raised_after_the_items_before_it() -> None:
    def raising() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("row 3 unreadable")

    items = prefetched(raising())
    got = [next(items), next(items)]
    with pytest.raises(ValueError, match="row 3 unreadable"):
        next(items)
    assert got == [1, 2]


def test_stopping_early_stops_the_reader_and_reads_at_most_a_few_ahead() -> None:
    produced = itertools.count()
    source = (next(produced) for _ in itertools.count())  # endless

    items = prefetched(source, ahead=2)
    assert next(items) == 0
    items.close()

    assert next(produced) <= 6  # 1 taken, 2 waiting, 1 being put, then the thread stopped
    assert not [t for t in threading.enumerate() if t.name == "cordtrack-read-ahead"]
