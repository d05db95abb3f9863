"""The one generic news spider; every outlet is a subclass made from its source file.

Discovery reads the outlet's feeds, sitemaps (including Google News sitemaps,
whose ``news:publication_date`` and ``news:title`` Scrapy's SitemapSpider drops)
and listing pages. Every article link is canonicalised (tracking parameters
stripped, the local copy's address mapped back to the live origin) and looked up
in the archive: a URL already archived or known to be irrelevant is fetched
again only when a feed or sitemap says it changed since. The spider only yields
requests and items; the pipelines extract, classify and write.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from w3lib.url import canonicalize_url, url_query_cleaner

from ..archive import connect_readonly
from ..discover import Links, feed_links, listing_links, sitemap_links
from ..encoding import decode_page
from ..extract import parse_date
from ..items import ArticlePage, EntryPoint, FetchFailure
from ..netsafety import describe_failure
from ..outlets import Source
from ..pagecheck import not_an_article

TRACKING_PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
                   "fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "ref", "ref_src", "amp", "s_cid", "cmpid"]
ENTRY_RANK = {"sitemap": 0, "feed": 1, "listing": 2}  # whose date wins when two entry points list a link
# "Have we got this?": one lookup on the primary key of `urls`, never a scan or an in-memory set.
KNOWN_SQL = "select state, lastmod, tries, next_try, etag, last_modified from urls where url = ?"
# Articles whose fetch or extraction failed and whose back-off is over (the (state, next_try) index).
RETRY_SQL = ("select url from urls where state in ('failed', 'blocked') and kind = 'article' and source = ? and tries < ? "
             "and (next_try is null or next_try <= ?)")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def content_type(response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


def newest(*values: str | None) -> str | None:
    """The latest of several date strings, as ISO UTC (unparseable ones ignored)."""
    parsed = [d for d in (parse_date(v) for v in values if v) if d]
    return max(parsed).replace(microsecond=0).isoformat() if parsed else None


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def same_site(url: str, site: str) -> str:
    """``url`` on ``site``'s origin when it is the same site by another name (www. or not, http or https)."""
    parts, home = urlsplit(url), urlsplit(site)
    if parts.scheme in ("http", "https") and (parts.scheme, parts.netloc) != (home.scheme, home.netloc) \
            and parts.netloc.removeprefix("www.") == home.netloc.removeprefix("www."):
        return site + url[len(f"{parts.scheme}://{parts.netloc}"):]
    return url


class NewsSpider(scrapy.Spider):
    """Crawl one outlet described by ``source``. Subclasses set ``name`` and ``source``."""

    source: Source

    @classmethod
    def site_base(cls, settings) -> str:
        """Where to fetch from: the live origin, or a local copy given in PKUS_SITES."""
        return (settings.getdict("PKUS_SITES").get(cls.name) or cls.source.site).rstrip("/")

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if is_loopback(cls.site_base(settings)):
            # a local copy: no need to be gentle, and AutoThrottle would only slow tests down
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        else:
            settings.set("DOWNLOAD_DELAY", cls.source.download_delay, priority="spider")
        limits = {"DOWNLOAD_MAXSIZE": int(cls.source.max_size * 1024 * 1024), "DOWNLOAD_TIMEOUT": cls.source.download_timeout,
                  "PKUS_RETRY_AFTER_MAX": cls.source.retry_after_max}
        for key, value in limits.items():
            if value:  # 0: the project's default
                settings.set(key, value, priority="spider")

    def __init__(self, *args, since: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.since = parse_date(since) if since else None
        if since and self.since is None:
            raise ValueError(f"--since: not a date: {since!r}")
        self.hints: dict[str, dict] = {}  # canonical URL -> what discovery said about it (this run only)
        self.pending: list[scrapy.Request] = []  # article requests held back until discovery is done
        self._reader = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base = cls.site_base(crawler.settings)
        spider.db_path = crawler.settings.get("PKUS_DB")
        spider.max_tries = crawler.settings.getint("PKUS_MAX_TRIES")
        spider.backfill_pages = crawler.settings.getint("PKUS_BACKFILL_MAX_PAGES")
        crawler.signals.connect(spider.release_articles, signal=signals.spider_idle)
        return spider

    def release_articles(self):
        """Fetch articles only once every entry point has been read, so each carries all the dates
        the feeds and sitemaps gave it (a sitemap's lastmod may be the only modified date there is)."""
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        for request in batch:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- URLs --------------------------------------------------------------------------------
    def live(self, url: str) -> str:
        """A URL on the address we fetch from (a local copy's) mapped back to the live origin."""
        if url.startswith(self.base):
            return self.source.site + url[len(self.base):]
        return url

    def canonical(self, url: str) -> str:
        """The key an article is archived under: live origin, no tracking parameters, no fragment."""
        url = url_query_cleaner(same_site(self.live(url), self.source.site), TRACKING_PARAMS, remove=True,
                                keep_fragments=False)
        return canonicalize_url(url)

    def fetchable(self, canonical_url: str) -> str:
        if canonical_url.startswith(self.source.site):
            return self.base + canonical_url[len(self.source.site):]
        return canonical_url

    def is_article(self, canonical_url: str) -> bool:
        parts = urlsplit(canonical_url)
        if f"{parts.scheme}://{parts.netloc}" != self.source.site:
            return False  # another site (or a CDN): not this outlet's article
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.source.is_article_path(path)

    @property
    def reader(self):
        if self._reader is None:
            self._reader = connect_readonly(self.db_path)
        return self._reader

    def known(self, url: str) -> dict | None:
        rows = list(self.reader.query(KNOWN_SQL, [url]))
        return rows[0] if rows else None

    def conditional(self, url: str) -> dict:
        """Headers that let an unchanged feed or sitemap answer with a bare 304."""
        if self.since:
            return {}  # a back-fill reads every entry point, however recently a routine run saw it
        row = self.known(self.canonical(url))
        headers = {}
        if row and row.get("etag"):
            headers["If-None-Match"] = row["etag"]
        if row and row.get("last_modified"):
            headers["If-Modified-Since"] = row["last_modified"]
        return headers

    # -- discovery -----------------------------------------------------------------------------
    async def start(self):
        entry = [(p, "feed", self.parse_feed) for p in self.source.feeds] \
            + [(p, "sitemap", self.parse_sitemap) for p in self.source.sitemaps] \
            + [(p, "listing", self.parse_listing) for p in self.source.listings]
        for path, kind, callback in entry:
            yield self.entry_request(urljoin(self.base + "/", path), kind, callback)
        # failed articles whose back-off is over, whether or not an entry point still lists them
        for row in self.reader.query(RETRY_SQL, [self.name, self.max_tries, now_utc()]):
            self.crawler.stats.inc_value("pkus/retry")
            self.hints[row["url"]] = {}
            self.pending.append(self.article_request(row["url"]))

    def entry_request(self, url: str, kind: str, callback, **meta) -> scrapy.Request:
        if kind == "sitemap":  # sitemaps may be bigger than any page (50 MiB by the protocol)
            meta["download_maxsize"] = max(self.crawler.settings.getint("PKUS_SITEMAP_MAXSIZE"),
                                           self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        return scrapy.Request(url, callback=callback, errback=self.on_error, headers=self.conditional(url),
                              meta={"kind": kind, "handle_httpstatus_list": [304], **meta},
                              dont_filter=kind != "listing")

    def entry_point(self, response, kind: str, found: int = 0, new: int = 0, lastmod: str | None = None) -> EntryPoint:
        self.crawler.stats.inc_value(f"pkus/{kind}/{'not_modified' if response.status == 304 else 'fetched'}")
        return EntryPoint(url=self.canonical(response.url), source=self.name, kind=kind,
                          http_status=response.status,
                          etag=response.headers.get("ETag", b"").decode() or None,
                          last_modified=response.headers.get("Last-Modified", b"").decode() or None,
                          found=found, new=new, lastmod=lastmod)

    def parse_feed(self, response):
        if response.status == 304:
            yield self.entry_point(response, "feed")
            return
        yield from self.follow(response, "feed", feed_links(response.body, response.url))

    def parse_sitemap(self, response):
        if response.status == 304:
            yield self.entry_point(response, "sitemap")
            return
        found = sitemap_links(response.body, response.url, response.meta.get("download_maxsize", 0))
        if found.kind != "sitemapindex":
            yield from self.follow(response, "sitemap", found)
            return
        if found.error:
            yield FetchFailure(self.canonical(response.url), self.name, "fetch", found.error, response.status, kind="sitemap")
        # the newest child date at our last complete reading of this index: children changed
        # after it list articles published or updated since (a correction is only there)
        seen = (self.known(self.canonical(response.url)) or {}).get("lastmod")
        children, dates = [], []
        for loc, hints in found.links:
            lastmod = newest(hints.get("modified"))
            dates.append(lastmod)
            if self.since:  # back-fill: every child sitemap that changed since that date
                if lastmod and parse_date(lastmod) < self.since:
                    continue
            elif self.source.sitemap_follow and not any(re.search(p, loc) for p in self.source.sitemap_follow) \
                    and not (seen and lastmod and lastmod > seen):
                continue  # routine runs read the sitemaps that list fresh news, and those changed since
            children.append(self.entry_request(loc, "sitemap", self.parse_sitemap))
        yield self.entry_point(response, "sitemap", len(children), len(children), lastmod=newest(*dates))
        yield from children

    def parse_listing(self, response):
        if response.status == 304:
            yield self.entry_point(response, "listing")
            return
        found, next_url = listing_links(decode_page(response.body, content_type(response)), response.url,
                                        self.source.listing_links, self.source.next_page)
        listed = list(self.follow(response, "listing", found))
        yield from listed
        page = response.meta.get("page", 1)
        limit = self.backfill_pages if self.since else self.source.max_pages
        # page back only while pages still hold something new (or while back-filling)
        entry = next((i for i in listed if isinstance(i, EntryPoint)), None)
        if next_url and entry and page < limit and (entry.new or self.since):
            yield self.entry_request(next_url, "listing", self.parse_listing, page=page + 1)

    def consider(self, url: str, hints: dict) -> tuple[str, scrapy.Request | None]:
        """Decide about a discovered link: ("new", request) for an article to fetch, ("queued", None)
        when this run already fetches it, ("known", None) when the archive has it (or should skip it),
        ("other", None) when it is not an article of this outlet."""
        canonical = self.canonical(url)
        if not self.is_article(canonical):
            return "other", None
        hints = {k: v for k, v in hints.items() if v}
        for key in ("published", "modified"):  # each date remembers which entry point gave it
            if key in hints:
                hints[f"{key}_from"] = hints["from"]
        stats = self.crawler.stats
        if canonical in self.hints:  # already queued this run: add what this entry point knows
            known = self.hints[canonical]
            # sitemaps before feeds before listings, whichever answered first: the archive must
            # not depend on network timing (on a loaded machine or a Scrapyd node the order varies)
            if ENTRY_RANK.get(hints.get("from"), 9) < ENTRY_RANK.get(known.get("from"), 9):
                known, hints = hints, known
            merged = {**hints, **known}
            if hints.get("modified") and newest(known.get("modified"), hints["modified"]) != newest(known.get("modified")):
                merged.update(modified=hints["modified"], modified_from=hints["from"])  # the newest date wins
            self.hints[canonical] = merged
            return "queued", None
        latest = parse_date(newest(hints.get("modified"), hints.get("published")))
        if self.since and latest and latest < self.since:  # not even its last change is that recent
            stats.inc_value("pkus/skipped/older_than_since")
            return "known", None
        row = self.known(canonical)
        if row and row["state"] in ("archived", "irrelevant", "disallowed", "redirected", "refused"):
            changed = newest(hints.get("modified"), hints.get("published"))
            if row["state"] in ("disallowed", "redirected", "refused") or not changed or not row["lastmod"] or changed <= newest(row["lastmod"]):
                stats.inc_value("pkus/skipped/known")
                return "known", None
            stats.inc_value("pkus/refetch/modified")
        elif row and row["state"] in ("failed", "blocked"):
            if (row["tries"] or 0) >= self.max_tries:
                stats.inc_value("pkus/skipped/gave_up")
                return "known", None
            if row["next_try"] and newest(row["next_try"]) > now_utc():
                stats.inc_value("pkus/skipped/backing_off")
                return "known", None
            stats.inc_value("pkus/retry")
        self.hints[canonical] = hints
        return "new", self.article_request(canonical)

    def article_request(self, canonical: str) -> scrapy.Request:
        return scrapy.Request(self.fetchable(canonical), callback=self.parse_article, errback=self.on_error,
                              meta={"canonical": canonical, "kind": "article"})

    def follow(self, response, kind: str, found: Links):
        """Consider every link an entry point listed; yield the entry point's record, queue the new articles."""
        if found.error:
            yield FetchFailure(self.canonical(response.url), self.name, "fetch", found.error, response.status, kind=kind)
            if not found.links:
                return  # else follow what could be read of it (a sitemap with broken XML)
        decisions = [self.consider(url, hints) for url, hints in found.links]
        articles = [d for d in decisions if d[0] != "other"]
        fresh = [d for d in articles if d[0] in ("new", "queued")]
        yield self.entry_point(response, kind, len(articles), len(fresh))
        self.pending.extend(request for _, request in fresh if request is not None)

    # -- articles --------------------------------------------------------------------------------
    def parse_article(self, response):
        canonical = response.meta["canonical"]
        landed = self.canonical(response.url)
        if landed != canonical and not self.is_article(landed):
            # an article URL redirected to the home page or a section: the story is gone, not moved here
            yield FetchFailure(canonical, self.name, "page", f"redirected to a page that is not an article: {landed}",
                               response.status)
            return
        problem = not_an_article(response.body, content_type(response), response)
        if problem:  # a soft 404, a PDF, an empty page, a bot challenge: say so, never extract it
            self.crawler.stats.inc_value("pkus/not_an_article")
            yield FetchFailure(canonical, self.name, "page", problem[0], response.status, state=problem[1])
            return
        yield ArticlePage(
            url=canonical, source=self.name, html=response.body, http_status=response.status,
            content_type=content_type(response),
            # popped: discovery is over once articles are fetched, and a crawl's memory must not
            # grow with every page it has handled
            hints=self.hints.pop(canonical, {}),
            etag=response.headers.get("ETag", b"").decode() or None,
            last_modified=response.headers.get("Last-Modified", b"").decode() or None,
        )

    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("kind", "article")
        url = request.meta.get("canonical") or self.canonical(request.url)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason, state = describe_failure(failure)
        yield FetchFailure(url, self.name, "fetch", reason, status, kind=kind, state=state)

    def closed(self, reason):
        if self._reader is not None:
            self._reader.conn.close()
