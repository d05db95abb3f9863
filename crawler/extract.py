"""HTML -> article fields: trafilatura for the text, the page's own metadata for the rest.

``extract_article(html, url, source, hints)`` is the one entry point; the
pipeline, ``pkus extract`` and ``pkus reextract`` all call it. trafilatura finds
the body; per-outlet rules from the source file (boilerplate selectors and
patterns, byline and date-line selectors) are applied first. Metadata comes from
JSON-LD, then meta tags, then the outlet's visible elements, then the URL, then
what the feed or sitemap said, then trafilatura. Dates keep their raw string and
where they came from beside the parsed UTC value, because trafilatura's own date
is day-precision only and outlets disagree about time zones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import dateparser
import lxml.html
import trafilatura
from lxml import etree

from .archive import content_hash
from .encoding import decode_page
from .outlets import Source

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "OpinionNewsArticle",
                 "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report", "LiveBlogPosting"}
_TIME_RE = re.compile(r"\d{1,2}[:.]\d{2}")
_BLOCKS = {"p", "head", "quote", "item"}


class ExtractionError(Exception):
    """The page has no article we can use (no body, no title)."""


@dataclass
class DateValue:
    value: datetime  # aware, UTC
    raw: str
    origin: str  # json-ld, meta, time, text, url, feed, sitemap, trafilatura
    precise: bool  # has a time of day, not just a date

    @property
    def iso(self) -> str:
        return self.value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_date(raw: str | None, tz: str = "UTC") -> datetime | None:
    """Any date string an outlet prints -> aware UTC datetime (naive values are in ``tz``)."""
    if not raw or not str(raw).strip():
        return None
    text = str(raw).strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        cleaned = re.sub(r"(?i)^(published|posted|updated|last updated|on)\s*:?\s*", "", text)
        dt = dateparser.parse(cleaned, settings={"TIMEZONE": tz, "RETURN_AS_TIMEZONE_AWARE": True,
                                                 "PREFER_DATES_FROM": "past"})
        if dt is None:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(tz))
    return dt.astimezone(timezone.utc)


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content() if hasattr(el, "text_content") else "".join(el.itertext())).strip()


def _select(tree, css: str) -> list:
    return tree.cssselect(css) if css else []


def _json_ld_article(tree) -> dict:
    """The first Article-like object in the page's JSON-LD (``@graph`` and lists included)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "", strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the meta tags are the next best thing
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                types = node.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & ARTICLE_TYPES:
                    return node
                stack.extend(node.get("@graph", []) if isinstance(node.get("@graph"), list) else [])
    return {}


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _meta_all(tree, name: str) -> list[str]:
    return [v.strip() for v in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content') if v.strip()]


def _names(value) -> list[str]:
    """Author names from a JSON-LD author value (string, object or list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["name"]] if isinstance(value.get("name"), str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _clean_byline(text: str) -> str:
    text = re.sub(r"(?i)^\s*(by|written by|reported by)\s*:?\s+", "", text)
    return re.sub(r"\s*[-|–]\s*$", "", text).strip()


def _strip_site_suffix(title: str, source: Source, site_name: str | None) -> str:
    for name in filter(None, (source.name, site_name)):
        title = re.sub(rf"\s*[-|–—:]\s*{re.escape(name)}\s*$", "", title)
    return title.strip()


def _date_candidates(tree, ld: dict, source: Source, url: str, which: str) -> list[DateValue]:
    tz = source.timezone
    found: list[tuple[str, str]] = []
    if which == "published":
        found += [("json-ld", ld.get("datePublished"))]
        found += [("meta", _meta(tree, "article:published_time", "og:published_time", "datePublished",
                                 "pubdate", "publish-date", "publication_date", "date"))]
        css = source.published
    else:
        found += [("json-ld", ld.get("dateModified"))]
        found += [("meta", _meta(tree, "article:modified_time", "og:updated_time", "dateModified",
                                 "last-modified"))]
        css = source.modified
    for el in _select(tree, css):
        found.append(("time", el.get("datetime")) if el.get("datetime") else ("text", _text(el)))
    if which == "published" and source.url_date:
        parts = urlsplit(url)  # matched against the path (+query), like the `articles` patterns
        m = re.search(source.url_date, parts.path + (f"?{parts.query}" if parts.query else ""))
        if m:
            g = m.groupdict()
            found.append(("url", f"{g.get('y')} {g.get('m') or g.get('mon')} {g.get('d')}"))
    out = []
    for origin, raw in found:
        if not raw:
            continue
        dt = parse_date(raw, tz)
        if dt is not None:
            precise = origin in ("json-ld", "meta", "time") and bool(_TIME_RE.search(str(raw)))
            out.append(DateValue(dt, str(raw), origin, precise or (origin == "text" and bool(_TIME_RE.search(raw)))))
    return out


def _hint(hints: dict, key: str, source: Source) -> DateValue | None:
    raw = hints.get(key)
    dt = parse_date(raw, source.timezone)
    origin = hints.get(f"{key}_from") or hints.get("from", "feed")
    return DateValue(dt, str(raw), origin, bool(_TIME_RE.search(str(raw)))) if dt else None


def _same_local_day(a: datetime, b: datetime, tz: str) -> bool:
    zone = ZoneInfo(tz)
    return a.astimezone(zone).date() == b.astimezone(zone).date()


def _pick_date(candidates: list[DateValue], hint: DateValue | None, tz: str) -> DateValue | None:
    """The page's own date wins; a feed/sitemap timestamp refines a day-only date on the same day."""
    if not candidates:
        return hint
    best = next((c for c in candidates if c.precise), candidates[0])
    if not best.precise and hint and hint.precise and _same_local_day(best.value, hint.value, tz):
        return hint
    return best


def _paragraphs(body) -> list[str]:
    out = []
    for el in body.iter():
        if el.tag in ("p", "head", "quote", "item", "cell") and not (set(a.tag for a in el.iterancestors()) & _BLOCKS):
            text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
            if text:
                out.append(text)
    return out


def _narrow(tree, source: Source):
    """A copy of the page without the outlet's boilerplate, its body reduced to the article container."""
    work = lxml.html.fromstring(etree.tostring(tree))
    for css in source.drop:
        for el in work.cssselect(css):
            el.drop_tree()
    if source.content:
        containers = work.cssselect(source.content)
        body = work.find("body")
        if containers and body is not None:
            keep = containers[0]
            for child in list(body):
                body.remove(child)
            article = etree.SubElement(body, "article")
            article.append(keep)
    return work


def extract_article(html: str | bytes, url: str, source: Source, hints: dict | None = None) -> dict:
    """Extract one article page. Raises :class:`ExtractionError` when there is no article in it."""
    hints = hints or {}
    if isinstance(html, bytes):
        html = decode_page(html)  # BOM, <meta charset>, else detected (crawler.encoding)
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    ld = _json_ld_article(tree)
    work = _narrow(tree, source)
    doc = trafilatura.bare_extraction(work, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, deduplicate=False, favor_precision=True)
    if doc is None or doc.body is None:
        raise ExtractionError("trafilatura found no article text")
    site_name = _meta(tree, "og:site_name")
    title = (ld.get("headline") if isinstance(ld.get("headline"), str) else None) \
        or _meta(tree, "og:title") or doc.title or ""
    title = _strip_site_suffix(re.sub(r"\s+", " ", title), source, site_name)
    if not title:
        raise ExtractionError("no title")

    drop_text = [re.compile(p) for p in source.drop_text]
    paragraphs = [p for p in _paragraphs(doc.body) if not any(r.search(p) for r in drop_text)]
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline, when trafilatura keeps it as the first block
    if not paragraphs:
        raise ExtractionError("no paragraphs left after removing boilerplate")

    authors = [_text(el) for el in _select(tree, source.author)]
    authors = [a for a in (_clean_byline(a) for a in authors) if a] or _names(ld.get("author")) \
        or [a for a in [_meta(tree, "author"), doc.author] if a][:1]
    author = ", ".join(dict.fromkeys(authors)) or None

    tags = [_text(el) for el in _select(tree, source.tags)]
    keywords = ld.get("keywords")
    if not tags and keywords:
        tags = keywords if isinstance(keywords, list) else [k for k in re.split(r"\s*,\s*", keywords)]
    tags = tags or _meta_all(tree, "article:tag") or list(doc.tags or [])
    tags = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))

    tz = source.timezone
    published = _pick_date(_date_candidates(tree, ld, source, url, "published"), _hint(hints, "published", source), tz)
    if published is None and doc.date:
        published = DateValue(parse_date(doc.date, tz), doc.date, "trafilatura", False)
    modified = _pick_date(_date_candidates(tree, ld, source, url, "modified"), _hint(hints, "modified", source), tz)
    if modified is None or (published and modified.value < published.value):
        modified = published

    body = "\n\n".join(paragraphs)
    lang = (tree.get("lang") or doc.language or source.language or "").split("-")[0].lower() or None
    return {
        "url": url,
        "source": source.spider,
        "title": title,
        "description": _meta(tree, "og:description", "description", "twitter:description") or doc.description,
        "author": author,
        "published": published.iso if published else None,
        "published_raw": published.raw if published else None,
        "published_from": published.origin if published else None,
        "modified": modified.iso if modified else None,
        "modified_raw": modified.raw if modified else None,
        "modified_from": modified.origin if modified else None,
        "tags": tags,
        "body": body,
        "word_count": len(body.split()),
        "language": lang,
        "image": _meta(tree, "og:image", "twitter:image") or doc.image,
        "content_hash": content_hash(body),
        "canonical_link": next(iter(tree.xpath('//link[@rel="canonical"]/@href')), None),
    }
