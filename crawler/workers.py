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


class SharedPool:
    """One pool for every crawler in a process (``pkus crawl --all`` runs all outlets in one):
    started by the first stage that opens, shut down when the last one closes, and started
    again if a worker dies (a crash in a parser must not stop the crawl)."""

    def __init__(self, initializer: Callable | None = None, initargs: tuple = ()):
        self.initializer, self.initargs = initializer, initargs
        self.pool: ProcessPoolExecutor | None = None
        self.users = 0
        self.workers = 0
        self.lock = threading.Lock()

    def acquire(self, workers: int) -> None:
        with self.lock:
            self.users += 1
            if self.pool is None:
                self.workers = workers
                self._start()

    def _start(self) -> None:
        self.pool = process_pool(self.workers, self.initializer, self.initargs)
        for _ in range(self.workers):  # spawn them now: their start-up overlaps the crawl's discovery
            self.pool.submit(int)

    def submit(self, fn: Callable, *args):
        from concurrent.futures.process import BrokenProcessPool

        with self.lock:
            try:
                return self.pool.submit(fn, *args)
            except BrokenProcessPool:  # a worker died; the pages it held fail, the rest go on
                self.pool.shutdown(wait=False, cancel_futures=True)
                self._start()
                return self.pool.submit(fn, *args)

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None


def as_deferred(future):
    """A Twisted Deferred that fires (on the reactor thread) with a concurrent.futures result:
    what a Scrapy pipeline returns so the engine goes on fetching while the pool works."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    deferred = Deferred()

    def settle(done) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(Failure(error))
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(settle, done))
    return deferred


# -- the crawl's CPU work (crawler.pipelines), run in the pool ----------------------------------

def crawl_worker() -> None:
    """A crawl worker leaves Ctrl-C to the crawl, which finishes its items and then shuts the pool
    (a worker interrupted mid-page would only fail that page); and it loads the parsers and the
    relevance model now, not on its first page."""
    import signal

    from . import extract  # noqa: F401
    from .topics import default_model

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    default_model()


def extract_page(page: tuple) -> tuple[dict | None, str | None]:
    """(html, content_type, url, source, hints) -> (article fields, None), or (None, why not)."""
    from .encoding import decode_page
    from .extract import ExtractionError, extract_article

    html, content_type, url, source, hints = page
    try:
        return extract_article(decode_page(html, content_type), url, source, hints), None
    except ExtractionError as exc:
        return None, str(exc)


def classify_text(title: str, body: str):
    from .topics import classify

    return classify(title, body)


def analyse_page(page: tuple) -> tuple:
    """Extraction and classification of one page, as the crawl does them (bench/crawl_scale.py)."""
    article, error = extract_page(page)
    return (article, classify_text(article["title"], article["body"]) if article else error)
