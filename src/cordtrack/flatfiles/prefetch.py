"""Reading ahead: the next blocks are read and coded in a thread while this one is classified.

Most of the work on both sides is NumPy array operations, which release the GIL, so on a machine
with two cores or more the reading of block k+1 overlaps the classification of block k. At most
:data:`AHEAD` blocks wait, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Final, TypeVar

AHEAD: Final = 2
_T = TypeVar("_T")
_DONE: Final = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(items: Iterator[_T], ahead: int = AHEAD) -> Generator[_T, None, None]:
    """``items``, produced in a background thread up to ``ahead`` items in advance; an exception
    raised there is raised here, at the item where it happened."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        waiting.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            waiting.put(_Failed(error))

    thread = threading.Thread(target=produce, name="cordtrack-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
