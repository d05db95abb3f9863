"""Run crawls in this process, one writer at a time, and report what each did.

``pkus crawl``, ``pkus demo`` and the scheduler's child processes all come here.
A lock file beside the archive keeps two crawls from writing at once: a second
crawl started while one runs (cron firing again, a manual run during a scheduled
one) exits at once and says who holds the lock.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .archive import connect
from .stories import update_stories


class ArchiveBusy(Exception):
    """Another crawl holds the writer lock of this archive."""


@contextmanager
def writer_lock(db_path: str | Path, what: str = "crawl") -> Iterator[None]:
    """Hold ``<db>.lock`` (flock: the kernel frees it even if we are killed)."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ArchiveBusy(f"another {what} is writing {db_path} (pid {holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class RunSummary:
    spider: str
    status: str
    requests: int
    articles_new: int
    articles_updated: int
    irrelevant: int
    failures: int
    error: str | None = None  # why a run that did not finish failed (its first failure)

    @property
    def ok(self) -> bool:
        return self.status == "finished"

    def line(self) -> str:
        line = (f"{self.spider}: {self.status}, {self.requests} requests, {self.articles_new} new, "
                f"{self.articles_updated} updated, {self.irrelevant} irrelevant, {self.failures} failures")
        return line + (f" ({self.error})" if self.error and not self.ok else "")


def project_settings(db_path: str | Path, sites: dict[str, str] | None = None, log_level: str = "WARNING",
                     extra: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("PKUS_DB", str(db_path), priority="cmdline")
    settings.set("PKUS_SITES", dict(sites or {}), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for key, value in (extra or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawls(spiders: list[str], db_path: str | Path, since: str | None = None,
               sites: dict[str, str] | None = None, log_level: str = "WARNING",
               extra_settings: dict | None = None, report: Callable[[RunSummary], None] | None = None,
               live: bool = False) -> list[RunSummary]:
    """Crawl ``spiders`` together (each outlet throttled on its own) and return their summaries.

    ``report`` gets each outlet's summary as soon as that outlet finishes; ``live`` shows
    progress on the terminal meanwhile (crawler.progress).
    """
    from scrapy.crawler import CrawlerProcess

    from .cli_errors import ArchiveUnusable
    from .progress import ArchiveWatch, LiveProgress, when_finished

    db_path = Path(db_path)
    connect(db_path).conn.close()  # create and migrate before the spiders' readers look at it
    with writer_lock(db_path):
        before = _last_run_id(db_path)
        process = CrawlerProcess(project_settings(db_path, sites, log_level, extra_settings))
        watch, progress = ArchiveWatch(), LiveProgress() if live else None
        crawlers = {}
        for name in spiders:
            crawler = crawlers[name] = process.create_crawler(name)
            watch.attach(crawler)
            when_finished(crawler, lambda name=name: _finished(db_path, before, name, watch, progress, report))
            process.crawl(crawler, since=since)
        if progress:
            progress.start(crawlers)
        try:
            process.start()
        finally:
            if progress:
                progress.stop()
        if watch.problem:
            raise ArchiveUnusable(watch.problem)
        update_stories(db_path)  # group the new articles with earlier coverage of the same events
        return _summaries_since(db_path, before)


def _finished(db_path, before, name, watch, progress, report) -> None:
    if report is None or watch.problem:
        return
    for summary in _summaries_since(db_path, before, name):
        if progress:
            progress.finished(name, summary.line())
        else:
            report(summary)


def _last_run_id(db_path: Path) -> int:
    db = connect(db_path)
    try:
        return db.execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0]
    finally:
        db.conn.close()


def _summaries_since(db_path: Path, run_id: int, spider: str | None = None) -> list[RunSummary]:
    db = connect(db_path)
    try:
        rows = db.query("select id, spider, status, requests, articles_new, articles_updated, irrelevant, failures, "
                        "coalesce(json_extract(stats, '$.\"pkus/unreachable\"'), "
                        "(select reason from failures where run_id = crawl_runs.id order by id limit 1)) as error "
                        "from crawl_runs where id > ? and spider = coalesce(?, spider) order by spider",
                        [run_id, spider])
        summaries = []
        for row in rows:
            row.pop("id")
            counts = {k: v or 0 for k, v in row.items() if k not in ("spider", "status", "error")}
            summaries.append(RunSummary(row["spider"], row["status"] or "killed", error=row["error"], **counts))
        return summaries
    finally:
        db.conn.close()
