"""What a running crawl tells the person (or cron) who started it.

Each outlet's summary line is printed the moment that outlet finishes, not when the last one
does. On a terminal, a live table (rich) shows per outlet the requests made, new articles and
failures so far; under cron (no terminal) nothing but the summary lines and real errors.
:class:`ArchiveWatch` stops a crawl at the first write the archive refuses (disk full,
read-only, corrupt) instead of logging one traceback per item.
"""

from __future__ import annotations

import logging
from typing import Callable

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from .cli_errors import archive_problem

REFRESH_SECONDS = 0.5


def counts(stats) -> dict:
    """Requests, new articles and failures so far, from one crawler's stats."""
    values = stats.get_stats()
    failures = sum(v for k, v in values.items() if k.startswith("pkus/failures/") and isinstance(v, int))
    return {"requests": values.get("downloader/request_count", 0), "new": values.get("pkus/archive/new", 0),
            "failures": failures}


class LiveProgress:
    """A rich progress display with one row per outlet, refreshed from the crawlers' stats."""

    def __init__(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description:<18}"),
            TextColumn("{task.fields[requests]:>5} requests  {task.fields[new]:>4} new  {task.fields[failures]:>4} failures"),
            TimeElapsedColumn(), transient=True)
        self.tasks: dict = {}
        self.loop = None

    def start(self, crawlers: dict) -> None:
        from twisted.internet import reactor, task

        for name in crawlers:
            self.tasks[name] = self.progress.add_task(name, total=None, requests=0, new=0, failures=0)
        self.crawlers = crawlers
        self.progress.start()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.clock = reactor
        self.loop.start(REFRESH_SECONDS, now=False)

    def refresh(self) -> None:
        for name, crawler in self.crawlers.items():
            if crawler.stats is not None and self.tasks.get(name) is not None:
                self.progress.update(self.tasks[name], **counts(crawler.stats))

    def finished(self, name: str, line: str) -> None:
        self.refresh()
        task_id = self.tasks.pop(name, None)
        if task_id is not None:
            self.progress.remove_task(task_id)
        self.progress.console.print(line, markup=False, highlight=False)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.progress.stop()


class _ArchiveErrors(logging.Filter):
    """Drop the tracebacks of archive writes that failed for good (disk full, read-only, corrupt):
    ArchiveWatch stops the crawl at the first one and the user gets one line for them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return exc is None or archive_problem(exc) is None


class ArchiveWatch:
    """Stop the crawl at the first archive write that fails for a reason no retry can fix."""

    LOGGERS = ("scrapy.core.scraper", "scrapy.utils.signal", "scrapy.core.engine", "scrapy.crawler", "twisted")

    def __init__(self):
        self.problem: str | None = None
        self.filter = _ArchiveErrors()
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self.filter)

    def attach(self, crawler) -> None:
        crawler.signals.connect(lambda **kw: self.item_error(crawler, kw["failure"]),
                                signal=signals.item_error, weak=False)

    def item_error(self, crawler, failure) -> None:
        problem = archive_problem(failure.value)
        if problem is None:
            return
        self.problem = self.problem or problem
        if crawler.engine is not None and crawler.engine.running and crawler.engine.spider is not None:
            deferred_from_coro(crawler.engine.close_spider_async(reason="archive_error"))


def when_finished(crawler, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the crawler's engine has stopped (its crawl_runs row is written by then)."""
    crawler.signals.connect(lambda: callback(), signal=signals.engine_stopped, weak=False)
