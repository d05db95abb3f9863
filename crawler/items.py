"""What the spider hands to the pipelines: fetched pages, entry points and failures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticlePage:
    """A fetched article page, before extraction."""

    url: str  # canonical URL (live origin, tracking parameters stripped)
    source: str
    html: bytes
    http_status: int
    content_type: str
    hints: dict = field(default_factory=dict)  # what feeds/sitemaps said: published, modified, title, from
    etag: str | None = None
    last_modified: str | None = None
    requested_url: str | None = None  # set when the page names another URL as its canonical one
    article: dict | None = None  # filled by ExtractPipeline
    verdict: object | None = None  # filled by ClassifyPipeline


@dataclass
class EntryPoint:
    """A feed, sitemap or listing page that was fetched (or answered 304)."""

    url: str
    source: str
    kind: str  # feed | sitemap | listing
    http_status: int
    etag: str | None = None
    last_modified: str | None = None
    found: int = 0  # article links it listed
    new: int = 0  # of which not yet in the archive


@dataclass
class FetchFailure:
    """A URL that could not be fetched or extracted; recorded so a later run retries it."""

    url: str
    source: str
    stage: str  # fetch | extract | archive
    reason: str
    http_status: int | None = None
    kind: str = "article"
    state: str = "failed"  # failed (retry later) or disallowed (robots.txt: never)
