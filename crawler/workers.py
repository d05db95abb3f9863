"""Worker processes for CPU work (scoring imported records, extracting crawled pages).

The pool is started with ``spawn`` (no copy of the parent's threads, sockets or SQLite
connections), and every worker watches the process that started it: if that process dies
(SIGKILL included), the worker exits instead of lingering as an orphan.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # re-parented: whoever started us is gone
            os._exit(1)


def _start_worker(parent: int, initializer: Callable | None, initargs: tuple) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()
    if initializer is not None:
        initializer(*initargs)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def process_pool(workers: int, initializer: Callable | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))


def ordered(pool: ProcessPoolExecutor, fn: Callable, pieces: Iterable, ahead: int) -> Iterator:
    """``fn(piece)`` for each piece, computed in the pool, yielded in input order, with at most
    ``ahead`` pieces in flight (so memory stays flat however long the input is)."""
    pending = deque()
    for piece in pieces:
        pending.append(pool.submit(fn, piece))
        if len(pending) > ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
