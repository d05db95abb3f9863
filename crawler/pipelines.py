"""Thin Scrapy glue: extract -> classify -> archive, one pipeline per concern.

Each pipeline counts what it did in the crawl stats (``pkus/...``). Failures
never vanish into the log: they become FetchFailure items that the archive
pipeline writes to ``failures`` and ``urls`` so a later run retries them.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from scrapy import signals

from .archive import Archive
from .encoding import decode_page
from .extract import ExtractionError, extract_article
from .items import ArticlePage, EntryPoint, FetchFailure
from .outlets import load_sources
from .spiders.news import newest
from .topics import classify, load_entities


def fetch_time() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Stage:
    """A pipeline that needs the crawler (its spider, settings and stats)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class ExtractPipeline(Stage):
    """HTML -> article fields (crawler.extract); a page with no article becomes a failure."""

    def process_item(self, item):
        if not isinstance(item, ArticlePage):
            return item
        spider = self.crawler.spider
        try:
            item.article = extract_article(decode_page(item.html, item.content_type), item.url, spider.source, item.hints)
        except ExtractionError as exc:
            self.crawler.stats.inc_value("pkus/extract/failed")
            return FetchFailure(item.url, item.source, "extract", str(exc), item.http_status)
        self.crawler.stats.inc_value("pkus/extract/ok")
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


class ClassifyPipeline(Stage):
    """Score relevance to Pakistan–US economic relations and tag sectors (crawler.topics)."""

    def process_item(self, item):
        if not isinstance(item, ArticlePage) or item.article is None:
            return item
        verdict = classify(item.article["title"], item.article["body"])
        item.verdict = verdict
        item.article.update(verdict.fields())
        self.crawler.stats.inc_value("pkus/classify/" + ("relevant" if verdict.relevant else "irrelevant"))
        return item


class ArchivePipeline(Stage):
    """The only writer: articles, pages, URL state, failures and the crawl_runs row."""

    def __init__(self, crawler):
        super().__init__(crawler)
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
        spider = self.crawler.spider
        self.archive = Archive(self.crawler.settings.get("PKUS_DB"))
        self.archive.sync_sources(load_sources().values())
        self.archive.sync_entities(load_entities())
        self.retry_base = self.crawler.settings.getfloat("PKUS_RETRY_BASE_MINUTES")
        self.archive.mark_killed_runs()
        self.run_id = self.archive.start_run(spider.name, os.getpid(), {
            "base": spider.base, "since": spider.since.isoformat() if spider.since else None})

    def spider_closed(self, spider, reason: str):
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
        self.archive.close()

    def process_item(self, item):
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
        return item

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
