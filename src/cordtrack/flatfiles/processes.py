"""Flat exam files classified on several cores: forked worker processes read, classify and write
alternate blocks of a file; the command writes their output in file order.

A reading thread slows the classification beside it: decoding JSON holds the GIL (``msgspec``
decodes a 2.6 kB exam line in about 15 us), and the CSV reader's many NumPy calls take it at every
call, so each NumPy call of the classifying thread waits for it (measured: classifying and
writing 10^5 exams took 3.0 s beside a JSON Lines reading thread, 0.96 s beside a CSV one,
against about 0.6 s alone). Processes have a GIL each; and since a block's output depends on
nothing but the block, each worker takes its blocks the whole way, to output bytes.

Worker ``k`` of ``W`` maps the file, finds the block boundaries (every ``rows`` lines, with
``mmap.find``: a block it skips is never copied), and reads, classifies and renders blocks ``k``,
``k + W``, ``k + 2W``..., each block's output sent through its own pipe. The command takes block
``i`` from worker ``i mod W``, so the output arrives in file order without a reordering buffer,
and a worker waits (its pipe is full) while the command is behind: memory stays flat.

Only for a regular file (standard input cannot be mapped or read twice), on Linux (see
``_FORK_SAFE``), and for CSV only when no line holds a quote character or a lone carriage return
(then a line is a row, as :func:`.csv_file.regular` asks of a block); otherwise, or with
``CORDTRACK_WORKERS=0``, the command reads in a thread (:mod:`.prefetch`) and classifies itself.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import multiprocessing
import os
import sys
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO, Final, TypeVar

from .block import Block
from .csv_file import header_of, regular_block
from .json_lines import jsonl_blocks

_T = TypeVar("_T")
JSONL: Final = "jsonl"
CSV: Final = "csv"

#: Most worker processes: one per CPU, up to this. Measured here (2 CPUs, two workers, five
#: interleaved runs each) against workers that only read and validate, the command classifying
#: and writing: 10^5 CSV exams 1.12-1.35 s against 1.36-1.46 s, 10^5 JSON lines 2.45-2.74 s
#: against 2.64-2.78 s, 10^4 CSV 0.43-0.57 s against 0.53-0.66 s, 10^4 JSON lines 0.57-0.71 s
#: against 0.70-0.90 s. A reading thread (before): 1.1-1.5 s and 2.7-4.3 s on 10^5 exams.
MAX_WORKERS: Final = 4
#: Rows of a block: a worker's first block is written after it is classified whole, so smaller
#: blocks start the output sooner on small files (10^4 JSON lines, processes that only read:
#: 0.66-0.86 s against 0.70-0.92 s in blocks of 8,192; with workers, 10^5 exams in blocks of
#: 2,048, 4,096 and 8,192 took the same within the noise), while the classification's fixed
#: cost per call stays small.
BLOCK_ROWS: Final = 4096


class _End:
    """A worker has sent its last block."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


#: Forking is safe where the C libraries loaded before the fork (NumPy's BLAS) expect it: on
#: Linux. macOS forbids some system frameworks in a forked child (Python itself starts its
#: processes by spawning there), and Windows has no fork.
_FORK_SAFE: Final = sys.platform.startswith("linux") and hasattr(os, "fork")


def available(source: Path, kind: str) -> bool:
    """Whether ``source`` (``kind`` JSONL or CSV) can be read by worker processes here."""
    if not _FORK_SAFE or not source.is_file() or source.stat().st_size == 0:
        return False
    if kind == JSONL:
        return True
    with source.open("rb") as stream:
        if not header_of(stream.readline().rstrip(b"\r\n")):
            return False
        stream.seek(0)
        return _rows_are_lines(stream)


def _rows_are_lines(stream: BinaryIO) -> bool:
    """:func:`.csv_file.regular` of a whole file (no quote character, every carriage return
    ending a line; a change to that rule belongs in both), read a slice at a time: not mapped,
    which would count the whole file in this process's memory, and not whole, which would hold
    it."""
    returns = ends = 0
    carry = b""
    while piece := stream.read(_SLICE):
        if b'"' in piece:
            return False
        piece = carry + piece
        returns += piece.count(b"\r", len(carry))
        ends += piece.count(b"\r\n")  # a CRLF across the cut: counted once, with this slice
        carry = piece[-1:]
    return returns == ends


_SLICE: Final = 1 << 22


def processed(
    source: Path, kind: str, workers: int, rows: int, work: Callable[[Block], _T]
) -> Generator[_T, None, None]:
    """``work`` of each block of a file :func:`available` for ``kind``, done in ``workers``
    forked processes, in file order; an exception raised in a worker is raised here."""
    context = multiprocessing.get_context("fork")
    # A child flushes the standard streams as it ends: what waits in their buffers would be
    # written twice.
    sys.stdout.flush()
    sys.stderr.flush()
    pipes: list[Connection] = []
    children = []
    for k in range(workers):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=_work,
            args=(source, kind, rows, k, workers, work, send),
            name=f"cordtrack-worker-{k}",
        )
        child.daemon = True
        child.start()
        send.close()
        pipes.append(receive)
        children.append(child)
    try:
        for index in itertools.count():
            k = index % workers
            try:
                item = pipes[k].recv()
            except EOFError:  # the worker ended without a word (killed, out of memory)
                children[k].join()
                raise RuntimeError(
                    f"worker process {k} stopped (exit code {children[k].exitcode})"
                ) from None
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        for pipe in pipes:
            pipe.close()
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _work(
    source: Path,
    kind: str,
    rows: int,
    k: int,
    workers: int,
    work: Callable[[Block], object],
    send: Connection,
) -> None:
    try:
        header = None
        if kind == CSV:
            with source.open("rb") as stream:
                header = header_of(stream.readline())
        for number, lines in own_blocks(source, rows, k, workers, skip=header is not None):
            if header is None:
                block = next(jsonl_blocks(lines, len(lines), first=number))
            else:
                block = regular_block(lines, b"".join(lines), header, number - 1)
            send.send(work(block))
        send.send(_End())
    except BaseException as error:  # handed to the command, raised there
        with contextlib.suppress(OSError, ValueError):  # unless the command has gone
            try:
                send.send(_Failed(error))
            except Exception:  # an exception that cannot be pickled: its message can
                send.send(_Failed(RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        send.close()


_DROP: Final = getattr(mmap, "MADV_DONTNEED", None)


def _mapped(stream: BinaryIO) -> mmap.mmap:
    return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)


def own_blocks(
    source: Path, rows: int, k: int, workers: int, *, skip: bool = False
) -> Iterator[tuple[int, list[bytes]]]:
    """Blocks ``k``, ``k + workers``... of ``rows`` lines of a file (after its first line if
    ``skip``): each block's first line number and its lines (each with its ``\\n``, as iterating
    the file gives them)."""
    with source.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size == 0:
            return
        with _mapped(stream) as data:
            start, number, index = 0, 1, 0
            if skip:
                first = data.find(b"\n")
                start, number = (size, 2) if first < 0 else (first + 1, 2)
            released = 0  # pages before this offset are dropped from this process's memory
            while start < size:
                end, count = start, 0
                while count < rows:
                    at = data.find(b"\n", end)
                    end = size if at < 0 else at + 1
                    count += 1
                    if at < 0 or end == size:
                        break
                if index % workers == k:
                    lines = data[start:end].split(b"\n")
                    last = lines.pop()  # after the last newline: b"", or a line without one
                    lines = [line + b"\n" for line in lines]
                    if last:
                        lines.append(last)
                    yield number, lines
                start, number, index = end, number + count, index + 1
                # The pages read stay mapped, and in this process's resident memory, until
                # dropped: without this a worker's memory grows to the file's size.
                done = start - start % mmap.PAGESIZE
                if done > released and _DROP is not None:
                    data.madvise(_DROP, released, done - released)
                    released = done
