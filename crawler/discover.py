"""Read an outlet's entry points: links (with what they say about dates) from feeds, sitemaps and listings.

Pure functions over bytes, shared by the spider and by `pkus sources check`, so the
check sees exactly what a crawl would see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser
from lxml import etree
from parsel import Selector
from scrapy.utils.gz import gunzip

from .encoding import decode_page

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass
class Links:
    """What one entry point listed: article links with hints, or (sitemap index) child sitemaps."""

    kind: str  # feed | urlset | sitemapindex | listing
    links: list[tuple[str, dict]] = field(default_factory=list)
    error: str | None = None
    fallback: bool = False  # a listing whose selector matched nothing: these are all its links


def feed_links(body: bytes, base_url: str) -> Links:
    feed = feedparser.parse(body)
    if feed.bozo and not feed.entries:
        return Links("feed", error=f"not a feed: {feed.get('bozo_exception')}")
    return Links("feed", [
        # feedparser answers `updated` with the pubDate when an item has none: ask only for a real one
        (urljoin(base_url, e["link"]), {"from": "feed", "title": e.get("title"), "published": e.get("published"),
                                        "modified": e["updated"] if "updated" in e.keys() else None})
        for e in feed.entries if e.get("link")
    ])


def sitemap_links(body: bytes, base_url: str, max_size: int = 0) -> Links:
    """Entries of a sitemap, a sitemap index or a Google News sitemap (whose news: fields Scrapy drops).

    A ``.xml.gz`` body is inflated up to ``max_size`` bytes (0: no cap), so a gzip bomb stops there.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError:  # Scrapy's "decompressed size exceeded" error is a ValueError
            return Links("urlset", error=f"too large: sitemap over {max_size / 2**20:g} MiB once decompressed")
        except OSError as exc:
            return Links("urlset", error=f"bad gzip: {exc}")
    parser = etree.XMLParser(recover=True, resolve_entities=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return Links("urlset", error=f"bad sitemap XML: {exc}")
    if root is None:
        return Links("urlset", error="empty sitemap")
    # broken XML: follow what the parser could recover, and still record that it is broken
    broken = next((f"bad sitemap XML: {e.message.strip()} (line {e.line})" for e in parser.error_log
                   if e.level >= etree.ErrorLevels.ERROR), None)
    if root.tag == f"{SM}sitemapindex":
        return Links("sitemapindex", [
            (urljoin(base_url, loc), {"from": "sitemap", "modified": sm.findtext(f"{SM}lastmod")})
            for sm in root.iter(f"{SM}sitemap") if (loc := (sm.findtext(f"{SM}loc") or "").strip())
        ], error=broken)
    if root.tag != f"{SM}urlset":
        return Links("urlset", error=f"not a sitemap: root element {root.tag}")
    links = []
    for url in root.iter(f"{SM}url"):
        loc = (url.findtext(f"{SM}loc") or "").strip()
        if not loc:
            continue
        hints = {"from": "sitemap", "modified": url.findtext(f"{SM}lastmod")}
        news = url.find(f"{NEWS}news")
        if news is not None:
            hints["published"] = news.findtext(f"{NEWS}publication_date")
            hints["title"] = (news.findtext(f"{NEWS}title") or "").strip() or None
        links.append((urljoin(base_url, loc), hints))
    return Links("urlset", links, error=broken)


def listing_links(html: str | bytes, base_url: str, css: str = "", next_css: str = "") -> tuple[Links, str | None]:
    """Article links on a listing page (``css`` narrows them) and the URL of the next (older) page.

    A selector that matches nothing no longer fits the outlet's layout: then every link is
    returned, and the outlet's article URL patterns pick the articles out as they always do.
    """
    sel = Selector(text=decode_page(html))
    hrefs = sel.css(f"{css}::attr(href)").getall() if css else []
    fallback = bool(css) and not hrefs
    if not hrefs:
        hrefs = sel.css("a::attr(href)").getall()
    next_href = sel.css(next_css).attrib.get("href") if next_css else None
    return (Links("listing", [(urljoin(base_url, h), {"from": "listing"}) for h in hrefs], fallback=fallback),
            urljoin(base_url, next_href) if next_href else None)
