"""Node mode: a crawl on a Scrapyd node writes no archive, it exports what it found.

With ``PKUS_NODE`` set (Scrapyd jobs get it from ``pkus nodes crawl``; by hand,
``scrapy crawl dawn -s PKUS_NODE=1 -s PKUS_DB=snapshot.db -o dawn.jl``), the
:class:`NodeMode` add-on swaps the archive pipeline for :class:`ExportPipeline`:
the spider still reads "have we got this?" from ``PKUS_DB`` (a read-only
snapshot the writer publishes, see crawler.snapshot), fetches, extracts and
classifies as usual, and every outcome becomes one JSON object that Scrapy's
feed exports write (``FEEDS``: a shared directory, or any feed storage Scrapy
supports). ``pkus ingest`` on the writer replays them into archive.db.

An export is JSON Lines, one record per line, each with a ``type``:

- ``article``: a relevant article, in the archive's column names (``url``, ``source``,
  ``title``, ``body``, ``published``..., ``relevance``, ``sectors``, ``entities`` as
  name -> mentions), plus ``page`` (the fetched HTML, zlib + base64) and ``fetch`` (HTTP
  status, ETag, Last-Modified, newest known date), ``requested_url`` when the page named
  another URL as its canonical one, and ``at`` (fetch time).
- ``irrelevant``: a page under the threshold: ``url``, ``source``, ``relevance``,
  ``relevance_evidence``, ``page``, ``fetch``.
- ``entry``: a feed, sitemap or listing page read (or answered 304), with its validators.
- ``failure``: a fetch or extraction that failed (URL, stage, reason, HTTP status).
- ``end``: the last line, written as the spider closes: status (``finished``, ``shutdown``,
  ``closespider_timeout``, ``failed``), start and end time, Scrapy's stats, the Scrapyd job and
  host. An export without it was cut short (the node was killed, or it is still crawling).

Each line stands alone, so a cut-short export is still good up to its last complete line.
"""

from __future__ import annotations

import base64
import os
import socket
import zlib
from dataclasses import asdict
from pathlib import Path

from scrapy import signals

from .items import ArticlePage, EntryPoint, FetchFailure
from .pipelines import ArchivePipeline, Stage, fetch_time
from .spiders.news import newest

# The end record must reach the feed before FeedExporter (extension order 0) closes it on
# spider_closed; receivers are called in the order they connected, extensions in order.
RUN_RECORD_ORDER = -10


def encode_html(html: bytes) -> str:
    return base64.b64encode(zlib.compress(html, 6)).decode("ascii")


def decode_html(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def run_status(reason: str, stats: dict) -> str:
    """A run's status: Scrapy's close reason, or "failed" when nothing answered at all."""
    if stats.get("downloader/request_count") and not stats.get("downloader/response_count"):
        return "failed"  # the outlet is down or blocking us
    return reason


def plain_stats(stats: dict) -> dict:
    """Scrapy's stats as JSON-able numbers and strings (no datetimes, no debug counts)."""
    return {k: v for k, v in stats.items()
            if isinstance(v, (int, float, str)) and not k.startswith("log_count/DEBUG")}


class NodeModeError(RuntimeError):
    """A node crawl that could not export: it must not start (it would write the archive instead)."""


class NodeMode:
    """Scrapy add-on (``ADDONS`` in crawler/settings.py): does nothing unless ``PKUS_NODE`` is set."""

    def update_settings(self, settings) -> None:
        if not settings.getbool("PKUS_NODE"):
            return
        if not settings.getdict("FEEDS"):
            # not NotConfigured: that would only disable the add-on, and the crawl would write PKUS_DB
            raise NodeModeError("PKUS_NODE: a node crawl exports through FEEDS; none is set "
                                "(give -o FILE.jl, or run it as a Scrapyd job)")
        settings.replace_in_component_priority_dict("ITEM_PIPELINES", ArchivePipeline, ExportPipeline)
        settings.set_in_component_priority_dict("EXTENSIONS", RunRecord, RUN_RECORD_ORDER)


class ExportPipeline(Stage):
    """In place of the archive pipeline: each item becomes one export record for the feed."""

    def process_item(self, item):
        record = self.record(item)
        self.crawler.stats.inc_value(f"pkus/export/{record['type']}")
        return record

    def record(self, item) -> dict:
        if isinstance(item, EntryPoint):
            return {"type": "entry", **asdict(item), "at": fetch_time()}
        if isinstance(item, FetchFailure):
            return {"type": "failure", **asdict(item), "at": fetch_time()}
        if isinstance(item, ArticlePage):
            return self.page_record(item)
        raise TypeError(f"node export: unexpected item {type(item).__name__}")

    def page_record(self, item: ArticlePage) -> dict:
        article = item.article
        record = {
            "page": {"html": encode_html(item.html), "http_status": item.http_status,
                     "content_type": item.content_type},
            "fetch": {"http_status": item.http_status, "etag": item.etag, "last_modified": item.last_modified,
                      "lastmod": newest(article.get("modified"), article.get("published"),
                                        item.hints.get("modified"), item.hints.get("published"))},
            "requested_url": item.requested_url,
            "at": fetch_time(),
        }
        if item.verdict.relevant:
            return {"type": "article", **article, **record}
        return {"type": "irrelevant", "url": item.url, "source": item.source, "relevance": item.verdict.score,
                "relevance_evidence": item.verdict.evidence, **record}


class RunRecord:
    """Writes the export's last line, the ``end`` record, as the spider closes."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.started = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        self.started = fetch_time()

    def spider_closed(self, spider, reason: str) -> None:
        import crawler

        stats = plain_stats(self.crawler.stats.get_stats())
        record = {
            "type": "end", "spider": spider.name, "status": run_status(reason, stats),
            "started": self.started, "finished": fetch_time(), "stats": stats,
            "args": {"base": spider.base, "since": spider.since.isoformat() if spider.since else None},
            "job": getattr(spider, "_job", None), "host": socket.gethostname(), "pid": os.getpid(),
            "code": str(Path(crawler.__file__).parent),  # where the crawler ran from: a Scrapyd egg
        }
        # the item_scraped signal is how items reach the feed exporter
        self.crawler.signals.send_catch_log(signals.item_scraped, item=record, response=None, spider=spider)
