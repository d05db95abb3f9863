"""Thin Scrapy glue: extract -> classify -> archive, one pipeline per concern.

Each pipeline counts what it did in the crawl stats (``pkus/...``). Failures
never vanish into the log: they become FetchFailure items that the archive
pipeline writes to ``failures`` and ``urls`` so a later run retries them.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task
from twisted.python.failure import Failure

from .archive import Archive
from .items import ArticlePage, EntryPoint, FetchFailure
from .outlets import load_sources
from .spiders.news import newest
from .topics import load_entities
from .workers import SharedPool, as_deferred, classify_text, crawl_worker, default_workers, extract_page

CRAWL_POOL = SharedPool(crawl_worker)


def fetch_time() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Stage:
    """A pipeline that needs the crawler (its spider, settings and stats)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class PoolStage(Stage):
    """A stage whose CPU work runs in the crawl's worker processes (crawler.workers), off Scrapy's
    reactor thread, so the engine goes on fetching meanwhile (process_item is a coroutine).
    ``PKUS_CRAWL_WORKERS`` processes (default one per CPU), shared by every crawler in the process;
    0 does the work in the crawl process itself."""

    def open_spider(self):
        workers = self.crawler.settings.get("PKUS_CRAWL_WORKERS")
        self.workers = default_workers() if workers in (None, "") else int(workers)
        if self.workers:
            CRAWL_POOL.acquire(self.workers)

    def close_spider(self):
        if self.workers:
            CRAWL_POOL.release()

    async def run(self, fn, *args):
        """``fn(*args)`` in a worker (the engine goes on fetching meanwhile); a worker's crash or a
        bug comes back as the exception, so the page becomes a failure rather than vanishing."""
        try:
            if not self.workers:
                return fn(*args)
            return await maybe_deferred_to_future(as_deferred(CRAWL_POOL.submit(fn, *args)))
        except Exception as exc:  # noqa: BLE001 - see above
            return exc


class ExtractPipeline(PoolStage):
    """HTML -> article fields (crawler.extract); a page with no article becomes a failure."""

    async def process_item(self, item):
        if not isinstance(item, ArticlePage):
            return item
        page = (item.html, item.content_type, item.url, self.crawler.spider.source, item.hints)
        return self.extracted(item, await self.run(extract_page, page))

    def extracted(self, item: ArticlePage, result):
        if isinstance(result, Exception):
            result = None, f"{type(result).__name__}: {result}"
        item.article, error = result
        if item.article is None:
            self.crawler.stats.inc_value("pkus/extract/failed")
            return FetchFailure(item.url, item.source, "extract", error, item.http_status)
        self.crawler.stats.inc_value("pkus/extract/ok")
        spider = self.crawler.spider
        if item.article.get("image"):  # as the live site serves it, not the copy we fetched from
            item.article["image"] = spider.live(urljoin(spider.fetchable(item.url), item.article["image"]))
        link = item.article.pop("canonical_link", None)
        canonical = spider.canonical(urljoin(spider.fetchable(item.url), link)) if link else item.url
        if canonical != item.url and spider.is_article(canonical):
            # the page says its real address is another one (a short or alternate URL): key it there
            self.crawler.stats.inc_value("pkus/extract/canonicalised")
            item.requested_url, item.url = item.url, canonical
            item.article["url"] = canonical
        return item


class ClassifyPipeline(PoolStage):
    """Score relevance to Pakistan–US economic relations and tag sectors (crawler.topics)."""

    async def process_item(self, item):
        if not isinstance(item, ArticlePage) or item.article is None:
            return item
        return self.classified(item, await self.run(classify_text, item.article["title"], item.article["body"]))

    def classified(self, item: ArticlePage, verdict):
        if isinstance(verdict, Exception):
            self.crawler.stats.inc_value("pkus/classify/failed")
            return FetchFailure(item.url, item.source, "classify", f"{type(verdict).__name__}: {verdict}",
                                item.http_status)
        item.verdict = verdict
        item.article.update(verdict.fields())
        self.crawler.stats.inc_value("pkus/classify/" + ("relevant" if verdict.relevant else "irrelevant"))
        return item


class BatchWriter:
    """The archive connection and its open batch, shared by every crawler of the process that
    writes the same archive (``pkus crawl --all`` runs them all on one reactor thread: two
    connections would wait on each other's write lock there, a deadlock).

    Writes go in batches, one transaction per ``size`` writes or ``seconds``, whichever comes
    first (each write a savepoint inside it, so a failed one rolls back alone): a killed crawl
    loses at most the open batch, whose URLs the next run fetches again.
    """

    open_writers: dict[str, "BatchWriter"] = {}

    def __init__(self, path: str, size: int, seconds: float):
        self.path, self.size, self.seconds = path, max(1, size), seconds
        self.archive = Archive(path)
        self.users = 0
        self.written, self.started = 0, 0.0

    @classmethod
    def acquire(cls, path: str, size: int, seconds: float) -> "BatchWriter":
        writer = cls.open_writers.get(path)
        if writer is None:
            writer = cls.open_writers[path] = cls(path, size, seconds)
        writer.users += 1
        return writer

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.commit()
            self.archive.close()
            del self.open_writers[self.path]

    def write(self, fn, *args) -> None:
        if not self.archive.in_batch:
            self.archive.begin()
            self.started = time.monotonic()
        fn(*args)
        self.written += 1
        if self.written >= self.size or self.due():
            self.commit()

    def due(self) -> bool:
        return self.archive.in_batch and time.monotonic() - self.started >= self.seconds

    def commit(self) -> None:
        self.archive.commit()
        self.written = 0


class ArchivePipeline(Stage):
    """The only writer: articles, pages, URL state, failures and the crawl_runs row, in batches
    (``PKUS_WRITE_BATCH`` items or ``PKUS_WRITE_BATCH_SECONDS``, see BatchWriter); a crawl that
    stops (Ctrl-C, SIGTERM, the time limit) commits what it holds."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.flusher = None
        self.counts = {"articles_new": 0, "articles_updated": 0, "irrelevant": 0, "failures": 0}
        self.validators: dict[str, dict] = {}  # entry point URL -> its ETag, Last-Modified and lastmod
        self.entry_failures = 0

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # Why a signal: the close reason (finished, shutdown, closespider_timeout) is known only
        # here; Scrapy calls the pipelines' close_spider before it, with no reason.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider, settings = self.crawler.spider, self.crawler.settings
        self.writer = BatchWriter.acquire(str(settings.get("PKUS_DB")), settings.getint("PKUS_WRITE_BATCH"),
                                          settings.getfloat("PKUS_WRITE_BATCH_SECONDS"))
        self.archive = self.writer.archive
        self.archive.sync_sources(load_sources().values())
        self.archive.sync_entities(load_entities())
        self.retry_base = settings.getfloat("PKUS_RETRY_BASE_MINUTES")
        self.archive.mark_killed_runs()
        self.writer.commit()  # the run's row must be there even if we are killed at once
        self.run_id = self.archive.start_run(spider.name, os.getpid(), {
            "base": spider.base, "since": spider.since.isoformat() if spider.since else None})
        # a batch must not wait for the next item to be committed (a slow outlet, a stall)
        self.flusher = task.LoopingCall(self.commit_due)
        self.flusher.start(max(self.writer.seconds / 2, 0.1), now=False)

    def commit_due(self) -> None:
        if self.writer.due():
            try:
                self.writer.commit()
            except Exception:  # noqa: BLE001 - disk full, a lost file: let ArchiveWatch stop the crawl
                self.crawler.signals.send_catch_log(signals.item_error, item=None, response=None,
                                                    spider=self.crawler.spider, failure=Failure())

    def spider_closed(self, spider, reason: str):
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.writer.commit()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float, str)) and not k.startswith("log_count/DEBUG")}
        requests = self.crawler.stats.get_value("downloader/request_count", 0)
        status = reason
        if requests and not self.crawler.stats.get_value("downloader/response_count", 0):
            status = "failed"  # nothing answered: the outlet is down or blocking us
        if status == "finished" and not self.entry_failures:
            # Only now has every link the entry points listed been handled (archived, skipped or
            # noted as failed), so only now may the next run trust a 304 or an unchanged sitemap
            # index. A run killed or stopped half-way leaves them, and the next run reads them again.
            self.archive.save_validators(self.validators)
        self.archive.finish_run(self.run_id, status, {**self.counts, "requests": requests}, stats)
        self.writer.release()

    def process_item(self, item):
        self.writer.write(self.write, item)
        return item

    def write(self, item) -> None:
        if isinstance(item, EntryPoint):
            fields = {"http_status": item.http_status, "last_fetched": fetch_time()}
            if item.http_status != 304:
                self.validators[item.url] = {"etag": item.etag, "last_modified": item.last_modified,
                                             "lastmod": item.lastmod}
            self.archive.remember(item.url, item.source, item.kind, "fetched", **fields)
        elif isinstance(item, FetchFailure):
            self.record_failure(item)
        elif isinstance(item, ArticlePage):
            try:
                self.save(item)
            except Exception as exc:  # noqa: BLE001 - the transaction rolled back; note it, retry next run
                self.record_failure(FetchFailure(item.url, item.source, "archive", f"{type(exc).__name__}: {exc}",
                                                 item.http_status))

    def record_failure(self, item: FetchFailure) -> None:
        self.counts["failures"] += 1
        self.entry_failures += item.kind != "article"
        self.crawler.stats.inc_value(f"pkus/failures/{item.stage}")
        tries = ((self.archive.url_state(item.url) or {}).get("tries") or 0) + 1
        next_try = datetime.now(timezone.utc) + timedelta(minutes=self.retry_base * 2 ** (tries - 1))
        self.archive.record_failure(item.url, item.source, item.stage, item.reason, self.run_id,
                                    item.http_status, kind=item.kind, state=item.state,
                                    next_try=next_try.replace(microsecond=0).isoformat())

    def save(self, item: ArticlePage) -> None:
        stats = self.crawler.stats
        article = item.article
        page = {"html": item.html, "http_status": item.http_status, "content_type": item.content_type}
        fetch = {"http_status": item.http_status, "etag": item.etag, "last_modified": item.last_modified,
                 "lastmod": newest(article.get("modified"), article.get("published"),
                                   item.hints.get("modified"), item.hints.get("published"))}
        if item.requested_url:
            self.archive.remember(item.requested_url, item.source, "article", "redirected",
                                  redirected_to=item.url, last_fetched=fetch_time())
        if item.verdict.relevant:
            outcome = self.archive.save_article(article, page, fetch)
            if outcome != "unchanged":
                self.counts[f"articles_{outcome}"] += 1
            stats.inc_value(f"pkus/archive/{outcome}")
        else:
            self.archive.save_irrelevant(item.url, item.source, item.verdict.score, page, fetch, item.verdict.evidence)
            self.counts["irrelevant"] += 1
            stats.inc_value("pkus/archive/irrelevant")
