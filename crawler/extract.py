"""HTML -> article fields: trafilatura for the text, the page's own metadata for the rest.

``extract_article(html, url, source, hints)`` is the one entry point; the
pipeline, ``pkus extract`` and ``pkus reextract`` all call it.

The body is trafilatura's, run with its defaults (tables in, comments out) on the
page parsed the way trafilatura parses it. The outlet's rules only take away: its
boilerplate selectors are removed and its ``content`` container narrows the page
first, and when that leaves trafilatura nothing, it runs again on the page as it
was, then on the whole page, so a rule that no longer fits costs precision, never
the article. A leading repeat of the headline, date line or byline goes too.

Metadata comes from the visible headline and byline, JSON-LD, meta tags, the
outlet's own elements, the URL, what the feed or sitemap said, then trafilatura.
Every date keeps its raw string, where it came from and its precision: a date
printed without a time of day is stored as that date (``2025-02-05``), never moved
to another day; a time without an offset is read in the outlet's time zone, and on
a page of an unknown outlet (no zone to assume) only its date is kept. Dates in
the future or from before the outlet existed are rejected and the next source used.
"""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass, replace
from bisect import bisect_left
from functools import cached_property, lru_cache
from datetime import date, datetime, timedelta, timezone
from html import unescape
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser
import lxml.html
import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from .archive import content_hash
from .encoding import decode_page
from .outlets import Source, load_sources

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "OpinionNewsArticle",
                 "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report", "LiveBlogPosting",
                 "SatiricalArticle", "ScholarlyArticle", "TechArticle", "Blog", "WebPage"}
# a time of day: 14:21, 2:05 pm, T09 (ISO); not "05.02.2025"
_TIME_RE = re.compile(r"(?<![\d.])\d{1,2}:\d{2}|\b\d{1,2}\s*[ap]\.?m\.?\b|T\d{2}", re.I)
_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2}|\b(UTC|GMT)\b)\s*$", re.I)
_ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FUTURE_SKEW = timedelta(days=1)  # clocks and print editions dated "tomorrow" are within this
WEB_FLOOR = 1990  # no web page was published before this year, whoever the outlet
_SEPARATORS = r"\s+[|–—•·:-]\s+|\s*\|\s*"


class ExtractionError(Exception):
    """The page has no article we can use (no body, no title)."""


@dataclass
class DateValue:
    value: datetime | date  # aware datetime (the page's own offset) when precise, else a date
    raw: str
    origin: str  # json-ld, meta, time, text, url, feed, sitemap, trafilatura
    precise: bool  # has a time of day (and a known offset or zone), not just a date

    @property
    def iso(self) -> str:
        """UTC timestamp when the time is known, else the date as printed."""
        if self.precise:
            return self.value.astimezone(timezone.utc).replace(microsecond=0).isoformat()
        return self.value.isoformat()

    @property
    def day(self) -> date:
        """The calendar day the page gave (in its own offset or the outlet's zone)."""
        return self.value.date() if self.precise else self.value

    @property
    def instant(self) -> datetime:
        """For ordering only: a date counts as its UTC midday."""
        if self.precise:
            return self.value
        return datetime(self.value.year, self.value.month, self.value.day, 12, tzinfo=timezone.utc)


@lru_cache(maxsize=2)
def _date_parser(order: str) -> DateDataParser:
    # one parser per date order, built once: dateparser.parse() would rebuild it on every call
    return DateDataParser(settings={"PREFER_DATES_FROM": "past", "DATE_ORDER": order})


def _parse_raw(raw: str) -> datetime | None:
    """Any date string an outlet prints -> datetime (aware when it carries an offset)."""
    text = str(raw).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    cleaned = re.sub(r"(?i)^(published|posted|updated|last updated|on)\s*:?\s*", "", text)
    # 05.02.2025 is the 5th of February wherever dots are used
    order = "DMY" if re.search(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b", cleaned) else "MDY"
    return _date_parser(order).get_date_data(cleaned).date_obj


def read_date(raw, tz: str, origin: str) -> DateValue | None:
    """A date as the page gave it, with its precision; ``tz`` "" means the zone is unknown."""
    if not raw or not str(raw).strip():
        return None
    text = str(raw).strip()
    dt = _parse_raw(text)
    if dt is None:
        return None
    has_time = bool(_TIME_RE.search(text)) and not _ISO_DAY_RE.match(text)
    if not has_time:
        return DateValue(dt.date(), text, origin, False)
    if dt.tzinfo is None:
        if not tz and not _OFFSET_RE.search(text):
            return DateValue(dt.date(), text, origin, False)  # a local time in an unknown zone: its day only
        dt = dt.replace(tzinfo=ZoneInfo(tz or "UTC"))
    return DateValue(dt, text, origin, True)


def parse_date(raw: str | None, tz: str = "UTC") -> datetime | None:
    """Any date string -> aware UTC datetime (naive values are in ``tz``; a date is its midnight there)."""
    value = read_date(raw, tz or "UTC", "")
    if value is None:
        return None
    if value.precise:
        return value.value.astimezone(timezone.utc)
    d = value.value
    return datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(tz or "UTC")).astimezone(timezone.utc)


def plausible(value: DateValue, source: Source, now: datetime) -> bool:
    """Not in the future (beyond a small skew) and not from before the outlet (or the web) existed."""
    floor = date(max(source.founded or 0, WEB_FLOOR), 1, 1)
    if value.day < floor:
        return False
    if value.precise:
        return value.value <= now + FUTURE_SKEW
    return value.value <= (now + FUTURE_SKEW).date()


# -- the page ------------------------------------------------------------------------------

def _parse(html: str):
    """The tree trafilatura itself would build (comments and processing instructions gone)."""
    tree = load_html(html)
    if tree is None:
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8"),
                                                 parser=lxml.html.HTMLParser(remove_comments=True, remove_pis=True,
                                                                             encoding="utf-8"))
        except (etree.ParserError, ValueError) as exc:
            raise ExtractionError(f"unparseable HTML: {exc}") from exc
    return tree


def _text(el) -> str:
    text = el.text_content() if hasattr(el, "text_content") else "".join(el.itertext())
    return re.sub(r"\s+", " ", text).strip()


def _fold(text: str | None) -> str:
    return re.sub(r"\s+", " ", unescape(unescape(text or ""))).strip()


def _select(tree, css: str) -> list:
    return tree.cssselect(css) if css else []


def _json_ld(tree) -> list[dict]:
    """Every object in the page's JSON-LD (``@graph`` and lists flattened)."""
    out = []
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
                out.append(node)
                if isinstance(node.get("@graph"), list):
                    stack.extend(node["@graph"])
    return out


def _types(node: dict) -> set:
    t = node.get("@type")
    return set(t) if isinstance(t, list) else {t}


def _json_ld_article(objects: list[dict]) -> dict:
    """The first Article-like object; a WebPage with a headline or date only when there is none."""
    articles = [n for n in objects if _types(n) & (ARTICLE_TYPES - {"WebPage"})]
    pages = [n for n in objects if "WebPage" in _types(n) and (n.get("headline") or n.get("datePublished"))]
    return (articles or pages or [{}])[0]


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _meta_all(tree, name: str) -> list[str]:
    return [v.strip() for v in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content') if v.strip()]


# a Wayback Machine copy's address: https://web.archive.org/web/20220929002532/https://naibaat.pk/...
_WAYBACK = re.compile(r"^https?://(?:web\.)?archive\.org/web/\d{4,14}[a-z_]*/+", re.I)


def original_url(url: str | None) -> str | None:
    """The address of the page itself: a Wayback Machine copy's address gives the original's."""
    found = _WAYBACK.match(url or "")
    if not found:
        return url
    rest = url[found.end():]
    # the original's scheme, sometimes with its slashes folded ("https:/naibaat.pk/..."), or none at all
    return re.sub(r"(?i)^(https?):/+", r"\1://", rest) if re.match(r"(?i)https?:/", rest) else f"http://{rest}"


def page_url(html: str | bytes) -> str | None:
    """The page's own address: its canonical link, else og:url (the original's, for a Wayback copy)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    tree = load_html(html)
    if tree is None:
        return None
    for found in (tree.xpath('//link[@rel="canonical"]/@href'), tree.xpath('//meta[@property="og:url"]/@content')):
        if found and found[0].strip().startswith(("http://", "https://")):
            return original_url(found[0].strip())
    return None


UNKNOWN = Source(spider="unknown", name="", site="https://unknown.invalid", timezone="")


def source_for_url(url: str | None) -> Source | None:
    """The outlet whose site ``url`` is on (www. or not), if we have a source file for it."""
    host = urlsplit(original_url(url) or "").netloc.lower().removeprefix("www.")
    if not host:
        return None
    for source in load_sources().values():
        if host == source.host.removeprefix("www."):
            return source
    return None


def source_for_page(html: str | bytes, url: str | None = None) -> Source:
    """The outlet of ``url``, else of the page's canonical link; :data:`UNKNOWN` (no rules) when neither."""
    return source_for_url(url) or source_for_url(page_url(html)) or UNKNOWN


# -- the body ------------------------------------------------------------------------------

def _without(tree, source: Source):
    """A copy of the page without the outlet's boilerplate blocks (None when it has no such rule)."""
    if not source.drop:
        return None
    work = deepcopy(tree)
    for css in source.drop:
        for el in work.cssselect(css):
            if el.getparent() is not None:
                el.drop_tree()  # keeps the tail text, which belongs to the parent
    return work


def _narrowed(tree, css: str):
    """A copy of ``tree`` holding, inside its ancestors, only the first element ``css`` matches."""
    if not css:
        return None
    work = deepcopy(tree)
    found = work.cssselect(css)
    body = work.find("body")
    if not found or body is None:
        return None
    node = found[0]
    while node is not body and node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(parent):
            if sibling is not node:
                parent.remove(sibling)
        parent.text = None
        node.tail = None
        node = parent
    return work


def _trafilatura_text(tree, url: str) -> str:
    doc = trafilatura.bare_extraction(tree, url=url or None, include_comments=False, deduplicate=False)
    return (doc.text or "").strip() if doc is not None else ""


def _body_text(tree, source: Source, url: str) -> str:
    """trafilatura's text of the page narrowed by the outlet's rules, unless the rules took the article away.

    The rules remove boilerplate, so what they leave holds most of what trafilatura finds on the
    whole page; when it holds less than half of it (or nothing), a selector no longer fits the
    site and the whole page's text is taken instead.
    """
    whole = _trafilatura_text(tree, url)
    if not (source.drop or source.content):
        return whole
    cleaned = _without(tree, source)
    for work in (_narrowed(cleaned if cleaned is not None else tree, source.content), cleaned):
        if work is None:
            continue
        text = _trafilatura_text(work, url)
        if text and len(text.split()) >= 0.5 * len(whole.split()):
            return text
    return whole


_DATE_FURNITURE = re.compile(r"(?i)\b(published|posted|updated|last updated|on|at|am|pm|pkt|pst|gmt|utc|ist|edt|est|"
                             r"cet|cest|bst|hours?|ago|min(ute)?s?|read|time|publicado|publié|veröffentlicht|"
                             r"aktualisiert|stand|am|um|uhr|le|às|de|del|el|la)\b")
_BOILERPLATE = re.compile(
    r"(?i)^(©|copyright\b|\(c\)\s*\d{4}|all rights reserved|this copy is for your personal|"
    r"(sign up|subscribe|register)\b.{0,80}(newsletter|inbox|free)|get the .{0,40}(newsletter|app)\b|newsletter$|"
    r".{0,80}\b(newsletters?|inbox)\b.{0,40}\b(sign up|subscribe)\b|"
    r"follow (us|@)|follow\b.{0,60}\b(on|at)\s+(facebook|twitter|instagram|x|linkedin|youtube|whatsapp|telegram)\b|"
    r"like (this|our)\b.{0,30}(share|facebook)|share (this|on)\b|click here\b|"
    r"(you (may|might) also like|more from|recommended|related( (stories|articles|posts|news))?|read (more|also|next)|"
    r"also read|see more|don'?t miss|most (read|popular))\b\W*$|tags?:?$|comments?$|advertisement$|"
    r"thanks? (you )?for (signing up|subscribing|reading)|there was an error|an error has occurred|sorry!?$)")
_URL_LINE = re.compile(r"^(https?://|www\.)\S+$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_NUMERIC_DATE = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})\b")


def _is_date_line(line: str) -> bool:
    """A short line that is only a date and its furniture ("Published March 11, 2026 | 5:21 PM")."""
    if len(line) > 80 or not re.search(r"\d", line):
        return False
    if _NUMERIC_DATE.search(line):  # 2018-08-25, 05/10/2018: whatever the words around it, if few
        return len(re.findall(r"[^\W\d_]{2,}", line)) <= 3
    rest = _DATE_FURNITURE.sub(" ", line)
    rest = re.sub(r"[\s|,.:;–—•·/()\[\]-]+", " ", rest).strip()
    return bool(rest) and len(rest.split()) <= 7 and (read_date(rest, "UTC", "") is not None
                                                       or read_date(line.strip(" -|•"), "UTC", "") is not None)


_NETWORKS = r"(facebook|twitter|x|instagram|linkedin|youtube|whatsapp|telegram|tiktok|threads|google news)"
_SOCIAL = re.compile(rf"(?i)^(follow|join|subscribe to)\b(?!-).{{0,120}}?\b(on|at|via)\s+(our\s+)?{_NETWORKS}\b|"
                     rf"^like\b.{{0,40}}\bon facebook\b.{{0,40}}\bfollow\b")  # "Like Business on Facebook, follow @..."


def _is_social_prompt(line: str) -> bool:
    """"Follow Dawn Business on Twitter, LinkedIn, Instagram and Facebook for insights on ...": however long."""
    return bool(_SOCIAL.match(line)) and len(line.split()) <= 40


def _is_contact(line: str) -> bool:
    """"Write to Al Root at allen.root@...", "Have a tip? ... reached at ...": how to reach the author."""
    return bool(_EMAIL.search(line)) and len(line.split()) <= 40


def _is_byline(line: str, authors: list[str]) -> bool:
    if len(line) > 100:
        return False
    if re.match(r"(?i)^(by|written by|reported by|from)\s+[A-Z\w]", line) and len(line.split()) <= 12:
        return True
    names = [a.casefold() for a in authors if a]
    return bool(names) and any(n in line.casefold() for n in names) and \
        len(line.split()) <= len(" ".join(names).split()) + 6


_BLOCKISH = {"a", "li", "p", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "figcaption", "span", "div"}


def _chars(text: str | None) -> int:
    return len(text) - text.count(" ") if text else 0


def _link_lines(tree, lines: list[str]) -> dict[str, float]:
    """Texts of the page's short blocks and the share of each that is link text (navigation, "related" lists).

    Only blocks about as long as one of ``lines`` (the body's lines) can be one of them, so only
    those are looked at.
    """
    sizes = sorted(_chars(line) for line in lines)
    # one pass, descendants before ancestors (reversed document order): text and link characters per element
    chars: dict = {}
    linked: dict = {}
    for el in reversed(list(tree.iter())):
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            chars[el], linked[el] = 0, 0
            continue
        total = _chars(el.text) + sum(chars[c] + _chars(c.tail) for c in el)
        chars[el], linked[el] = total, total if el.tag == "a" else sum(linked[c] for c in el)
    out: dict[str, float] = {}
    for el, total in chars.items():
        if el.tag not in _BLOCKISH or not 0 < total <= 300:
            continue
        near = bisect_left(sizes, total * 0.75)
        if near == len(sizes) or sizes[near] > total * 1.35:
            continue
        text = _fold(_text(el))
        share = min(1.0, linked[el] / total)
        first = next(el.iter("a"), None)
        if el.tag == "li" and first is not None and text.startswith(_fold(_text(first))[:20]):
            share = max(share, 0.5)  # an item that opens with a link: a story's link and its teaser
        key = re.sub(r"\W+", " ", text).strip().casefold()
        out[key] = max(out.get(key, 0.0), share)
    return out


_SEE_ALSO = re.compile(r"(?i)^(read more|read also|also read|related|see more|see also|more|watch|listen|"
                       r"recommended|don'?t miss|also on \S+)\b\s*[:|-]?")


def _paragraphs(text: str, title: str, authors: list[str], drop_text: list[re.Pattern],
                links: dict[str, float]) -> list[str]:
    head = re.sub(r"\W+", " ", _fold(title)).strip().casefold()

    def key(line: str) -> str:
        return re.sub(r"\W+", " ", line).strip().casefold()

    def linked(line: str) -> bool:
        # all link text; a list item only half: a related story's link and its teaser
        return links.get(key(line), 0.0) >= (0.5 if line.startswith("- ") else 0.8)

    kept, in_box = [], False
    for line in (re.sub(r"\s+", " ", raw).strip() for raw in text.split("\n")):
        k = key(line)
        if not k or k == head or any(r.search(line) for r in drop_text) or _is_social_prompt(line):
            continue  # empty or punctuation only, the headline again, the outlet's own boilerplate, "follow us"
        if _BOILERPLATE.match(line) and len(line.split()) <= 15:
            in_box = True  # "Related stories", "Don't miss": the links under it go too
            continue
        if linked(line) and (in_box or _SEE_ALSO.match(line) or line.isupper()):
            continue  # "Read more: <link>", a promoted link in capitals, a link in a "related" box
        in_box = False
        kept.append(line)
    # navigation links open the body, and a date line or byline among its first lines is furniture
    while len(kept) > 1 and (linked(kept[0]) or _URL_LINE.match(kept[0])):
        kept.pop(0)
    for i in reversed(range(min(3, len(kept) - 1))):
        if _is_date_line(kept[i]) or _is_byline(kept[i], authors):
            del kept[i]
    # related links, addresses, dates and how to reach the author close many pages
    while len(kept) > 1 and (linked(kept[-1]) or _URL_LINE.match(kept[-1]) or _is_date_line(kept[-1])
                             or _is_contact(kept[-1])):
        kept.pop()
    # what is left of a page that is all navigation is a link: no article
    return [] if all(linked(line) for line in kept) else kept


# -- title and byline ----------------------------------------------------------------------

def _host_names(url: str) -> list[str]:
    host = urlsplit(original_url(url) or "").netloc.lower().removeprefix("www.")
    return [host, host.split(".")[0]] if host else []


def _site_names(tree, source: Source, url: str, hosts: bool = True) -> list[str]:
    names = [source.name, _meta(tree, "og:site_name", "application-name", "twitter:site")]
    return [_fold(n).lstrip("@") for n in names + (_host_names(url) if hosts else []) if n]


def _strip_site(title: str, sites: list[str]) -> str:
    """"Headline | Sport | Site" -> "Headline": drop trailing segments naming the site, and any after them."""
    parts = re.split(f"({_SEPARATORS})", title)
    if len(parts) < 3:
        return title
    names = {re.sub(r"\W", "", s).casefold() for s in sites if s}
    segments = parts[0::2]
    for i in range(len(segments) - 1, 0, -1):
        key = re.sub(r"\W", "", segments[i]).casefold()
        if key and any(key == n or (len(n) > 3 and (n in key or key in n)) for n in names):
            return "".join(parts[: 2 * i - 1]).strip()
    return title


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


_KICKER = re.compile(r"(?i)kicker|overline|topline|dachzeile|roofline|eyebrow|label|topic|badge|offscreen|"
                     r"hidden|sr-only|screen-reader|visually|breadcrumb")


def _h1s(tree) -> list[str]:
    """The page's h1 headlines, without the kicker or screen-reader text some outlets put inside."""
    out = []
    for el in tree.iter("h1"):
        el = deepcopy(el)
        for child in list(el.iterdescendants()):
            if child.getparent() is not None and (_KICKER.search(child.get("class") or "")
                                                  or child.get("aria-hidden") == "true"):
                child.drop_tree()
        # parts of a headline in separate elements are separate words ("Nationale Demo" / "Der 9. Juli")
        text = _fold(" ".join(el.itertext()))
        if 3 <= len(text) <= 400:
            out.append(text)
    return out


def _similarity(a: str, b: str) -> float:
    wa, wb = set(_words(a)), set(_words(b))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _title(tree, ld: dict, source: Source, url: str, fallback) -> str:
    """The headline as displayed (the page's h1, kicker left out), else its metadata without the site name."""
    sites = _site_names(tree, source, url)
    title_el = tree.find(".//title")
    metas = [ld.get("headline") if isinstance(ld.get("headline"), str) else None, _meta(tree, "og:title"),
             _meta(tree, "twitter:title"), _text(title_el) if title_el is not None else None]
    cleaned = [_strip_site(_fold(m), sites) for m in metas if m and _fold(m)] or \
        [_strip_site(_fold(m), sites) for m in [fallback()] if m and _fold(m)]
    site_keys = {re.sub(r"\W", "", n).casefold() for n in sites}
    h1s = [h for h in _h1s(tree) if re.sub(r"\W", "", h).casefold() not in site_keys]  # not the logo
    if h1s:
        scored = [(max([_similarity(h, m) for m in cleaned] or [0.0]), -i, h) for i, h in enumerate(h1s)]
        best = max(scored)
        if len(h1s) == 1 or best[0] >= 0.3:
            if best[0] > 0 or len(_words(best[2])) > 3 or not cleaned:
                return best[2]
    return cleaned[0] if cleaned else ""


_MONTHS = (r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
           r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?")
# a month at the end of a byline without a date or a separator only when no one is called so (not "Ayesha May")
_BARE_MONTH = r"\s(january|february|september|october|november|december)"
_ROLE = re.compile(r"(?i)^((senior|staff|contributing|former|chief|special|associate|deputy|managing|executive|assistant|"
                   r"lead|principal|guest|freelance|tech|technology|autos|business|political|sports|science|health|"
                   r"economic|economics|investigative|national|foreign|legal|diplomatic|court|education|features|"
                   r"news|digital|data)\s+){0,3}(reporter|correspondent|writer|editor|contributor|columnist|founder|"
                   r"analyst|journalist|producer|photographer|intern)s?\b.*$")


def _clean_byline(text: str) -> str:
    text = _EMAIL.sub("", _fold(text)).strip(" \"'“”‘’")
    text = re.sub(r"(?i)^\s*(by|von|par|author|authors|written by|reported by|posted by|words by|story by|article by|"
                  r"text by|recipe by)\s*:?\s+", "", text)
    text = re.sub(r"(?i)\s*(\||–|—|-)\s*(published|updated|posted).*$", "", text)
    # "Luke Kim December 3, 2025", "Haley Hoekstra • March", "Craig McCarthy Last updated ...": a date line glued on
    text = re.sub(rf"(?i)(\s*[•|·,]\s*{_MONTHS}(\s+\d.*)?|\s+{_MONTHS}\s+\d.*|{_BARE_MONTH}"
                  rf"|\s*[•|·,]?\s*(last\s+)?(updated|published|posted)\b.*)$", "", text)
    return re.sub(r"^[\s,;|–-]+|[\s,;|–-]+$", "", text).strip()


def _without_role(name: str) -> str:
    """"Keith Barry Senior Autos Reporter" -> "Keith Barry"; "Our Staff Reporter" is a byline and stays whole."""
    words = name.split()
    start = next((i for i in range(1, len(words)) if _ROLE.match(" ".join(words[i:]))), None)
    person = " ".join(words[:start or 0]).rstrip(",")
    # what is left must be someone: not "The Newspaper's" (Dawn's "The Newspaper's Staff Reporter")
    if start and start >= 2 and _looks_personal(person) and not re.search(r"(?i)^(the|our|a|an)\s|'s\b", person):
        return person
    return name


def _split_names(text: str) -> list[str]:
    parts = (p.strip() for p in re.split(r"\s*(?:,|;|\s\|\s|\band\b|&|\bund\b|\bet\b)\s*", _without_role(text)))
    return [_without_role(p) for p in parts if p]


def _names(value) -> list[str]:
    """Person names from a JSON-LD author value (string, object or list of either); organisations left out."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "Organization" in _types(value) or "NewsMediaOrganization" in _types(value):
            return []
        return [value["name"]] if isinstance(value.get("name"), str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


_AGENCIES = {"dpa", "afp", "ap", "apa", "sda", "kna", "epd", "reuters", "app", "ians", "pti", "ani", "sid", "efe",
             "ansa", "tass", "xinhua", "anadolu", "bernama", "yonhap", "kyodo"}
_NOT_BYLINES = {"editorial", "editorials", "opinion", "comment", "leader", "letters", "news", "home", "admin",
                "administrator", "advertisement", "sponsored", "unknown", "null", "none", "undefined", "author",
                "theauthor", "writtenby", "name", "webmaster", "human", "viewmoreposts", "staff", "guest"}


_ORG_WORDS = re.compile(r"(?i)\b(news|times|today|daily|tribune|post|herald|journal|gazette|observer|express|"
                        r"recorder|chronicle|press|media|tv|radio|network|magazine|report|group|team|staff|editors?|"
                        r"desk|marketing|agency|bank|insurance|solutions|services|systems|labs?|inc|ltd|llc|"
                        r"company|institute|university|foundation|association|online|digital|global|world)\b")


def _looks_personal(name: str) -> bool:
    """Two to four capitalised words and nothing a company or an outlet is called: "Gary Marcus", "Rick Steves"."""
    return bool(re.fullmatch(r"[A-Z][\w'-]+(\s+[A-Z][\w'.-]*){1,3}", name)) and not _ORG_WORDS.search(name)


def _is_person(name: str, publishers: set[str], hosts: set[str] = frozenset()) -> bool:
    key = re.sub(r"\W", "", name).casefold()
    if not key or len(name) > 80 or len(name.split()) > 5 or key in _NOT_BYLINES:
        return False  # five words is a name; more is an affiliation or a sentence
    if any(key == p or (len(p) > 3 and p in key) for p in publishers):
        return False
    if any(key == h or (len(h) > 3 and h in key) for h in hosts) and not _looks_personal(name):
        return False  # the site's own address; but "Gary Marcus" writes garymarcus.substack.com
    if re.search(r"https?://|www\.|\.(com|pk|org|net)\b", name, re.I):
        return False
    if re.fullmatch(r"[A-Z]{2,5}", name) or key in _AGENCIES:
        return True  # a news agency's credit: AP, AFP, dpa
    if " " not in name and (re.search(r"[\d_.]", name) or name.islower()):
        return False  # a user name or a template's placeholder: "andrew.keaveney", "kffnirmitap", "page.head.author"
    if re.fullmatch(rf"(?i)(updated\s.*|{_MONTHS})", name):
        return False
    letters = re.sub(r"[^A-Za-z\u00c0-\uffff]", "", name)
    return len(letters) >= 4 or " " in name.strip()  # "jk", "ssi": an editor's initials


def _byline_elements(tree, css: str) -> list:
    """The byline elements of the article itself: those in the first match's article or header."""
    found = _select(tree, css)
    if len(found) <= 1:
        return found
    first = found[0]
    scope = next((a for a in first.iterancestors() if a.tag in ("article", "header", "main")), None)
    if scope is None:
        return found[:1]
    return [el for el in found if scope in el.iterancestors()]


def _authors(tree, ld: dict, source: Source, url: str, fallback) -> list[str]:
    publishers = {re.sub(r"\W", "", n).casefold() for n in _site_names(tree, source, url, hosts=False) if n}
    hosts = {re.sub(r"\W", "", n).casefold() for n in _host_names(url)}
    pub = ld.get("publisher")
    if isinstance(pub, dict) and isinstance(pub.get("name"), str):
        publishers.add(re.sub(r"\W", "", pub["name"]).casefold())
    # the outlet's own byline element is the byline as printed ("APP" on APP's wire copy)
    printed = list(dict.fromkeys(n for el in _byline_elements(tree, source.author)
                                 for n in _split_names(_clean_byline(_text(el))) if n and len(n) <= 80))
    if 0 < len(printed) <= 6:
        return printed
    # elsewhere a name may be the publisher itself, an e-mail address or a columnists' list
    candidates = [
        lambda: [n for raw in _names(ld.get("author")) for n in _split_names(_clean_byline(raw))],
        lambda: [n for raw in _meta_all(tree, "author") + _meta_all(tree, "article:author")
                 if not raw.startswith("http") for n in _split_names(_clean_byline(raw))],
        lambda: _split_names(_clean_byline(fallback() or "")),
    ]
    for names in candidates:
        names = list(dict.fromkeys(n for n in names() if _is_person(n, publishers, hosts)))
        if 0 < len(names) <= 6:  # more than that is a list of columnists, not a byline
            return names
    return []


# -- dates ---------------------------------------------------------------------------------

def _date_candidates(tree, ld: dict, source: Source, url: str, which: str) -> list[DateValue]:
    found: list[tuple[str, str]] = []
    if which == "published":
        found += [("json-ld", ld.get("datePublished"))]
        found += [("meta", _meta(tree, "article:published_time", "og:published_time", "datePublished",
                                 "pubdate", "publish-date", "publication_date", "date", "dc.date", "DC.date.issued"))]
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
        if raw and isinstance(raw, str):
            value = read_date(raw, source.timezone, origin)
            if value is not None:
                out.append(value)
    return out


def _pick_date(candidates: list[DateValue], hint: DateValue | None) -> DateValue | None:
    """The page's own date wins; a feed/sitemap timestamp refines a date-only value of the same day."""
    if not candidates:
        return hint
    best = next((c for c in candidates if c.precise), candidates[0])
    if not best.precise:
        same_day = [c for c in candidates if c.precise and c.day == best.day]
        if same_day:
            return same_day[0]
        if hint and hint.precise and hint.day == best.day:
            return hint
    return best


def _in_local_time(value: DateValue | None, candidates: list[DateValue], tz: str) -> DateValue | None:
    """A UTC timestamp shown in the outlet's own time, so its day is the day the page gives.

    Another of the page's dates for the same instant with a local offset says which; else the
    outlet's zone (known outlets only: an unknown outlet's UTC time stays UTC).
    """
    if value is None or not value.precise or value.value.utcoffset() != timedelta(0):
        return value
    for other in candidates:
        if other.precise and other.value == value.value and other.value.utcoffset() != timedelta(0):
            return replace(value, value=value.value.astimezone(other.value.tzinfo))
    return replace(value, value=value.value.astimezone(ZoneInfo(tz))) if tz else value


def _dates(tree, ld: dict, source: Source, url: str, hints: dict, doc_date, now: datetime):
    def hint(key: str) -> DateValue | None:
        origin = hints.get(f"{key}_from") or hints.get("from", "feed")
        return read_date(hints.get(key), source.timezone, origin)

    def sane(values):
        return [v for v in values if v is not None and plausible(v, source, now)]

    published_hint = next(iter(sane([hint("published")])), None)
    candidates = sane(_date_candidates(tree, ld, source, url, "published"))
    published = _in_local_time(_pick_date(candidates, published_hint), candidates, source.timezone)
    if published is None:
        published = next(iter(sane([read_date(doc_date(), source.timezone, "trafilatura")])), None)
    modified_hint = next(iter(sane([hint("modified")])), None)
    modified = _pick_date(sane(_date_candidates(tree, ld, source, url, "modified")), modified_hint)
    if modified is None or (published and modified.instant < published.instant):
        modified = published
    return published, modified


# -- the article ---------------------------------------------------------------------------

class _Trafilatura:
    """trafilatura's metadata of the page, read only if a field is not found otherwise (it is slow)."""

    def __init__(self, tree, url: str):
        self.tree, self.url = tree, url

    @cached_property
    def doc(self):
        return extract_metadata(deepcopy(self.tree), default_url=self.url or None)


def extract_article(html: str | bytes, url: str, source: Source, hints: dict | None = None,
                    now: datetime | None = None) -> dict:
    """Extract one article page. Raises :class:`ExtractionError` when there is no article in it."""
    hints = hints or {}
    now = now or datetime.now(timezone.utc)
    url = original_url(url) or ""
    if isinstance(html, bytes):
        html = decode_page(html)  # BOM, <meta charset>, else detected (crawler.encoding)
    tree = _parse(html)
    objects = _json_ld(tree)
    ld = _json_ld_article(objects)
    meta = _Trafilatura(tree, url)  # trafilatura's own metadata, as a last resort

    text = _body_text(tree, source, url)
    if not text:
        raise ExtractionError("trafilatura found no article text")
    title = _title(tree, ld, source, url, lambda: meta.doc.title)
    if not title:
        raise ExtractionError("no title")
    authors = _authors(tree, ld, source, url, lambda: meta.doc.author)
    links = _link_lines(tree, text.split("\n"))
    paragraphs = _paragraphs(text, title, authors, [re.compile(p) for p in source.drop_text], links)
    if not paragraphs:
        raise ExtractionError("no article text left after removing boilerplate and links")

    tags = [_text(el) for el in _select(tree, source.tags)]
    keywords = ld.get("keywords")
    if not tags and keywords:
        tags = keywords if isinstance(keywords, list) else [k for k in re.split(r"\s*,\s*", str(keywords))]
    tags = tags or _meta_all(tree, "article:tag") or list(meta.doc.tags or [])
    tags = list(dict.fromkeys(_fold(t) for t in tags if isinstance(t, str) and t.strip()))

    published, modified = _dates(tree, ld, source, url, hints, lambda: meta.doc.date, now)
    body = "\n\n".join(paragraphs)
    lang = (tree.get("lang") or source.language or "").split("-")[0].lower() or None
    return {
        "url": url,
        "source": source.spider,
        "title": title,
        "description": _fold(_meta(tree, "og:description", "description", "twitter:description") or meta.doc.description)
        or None,
        "author": ", ".join(authors) or None,
        "published": published.iso if published else None,
        "published_raw": published.raw if published else None,
        "published_from": published.origin if published else None,
        "published_precision": ("time" if published.precise else "day") if published else None,
        "published_day": published.day.isoformat() if published else None,
        "modified": modified.iso if modified else None,
        "modified_raw": modified.raw if modified else None,
        "modified_from": modified.origin if modified else None,
        "tags": tags,
        "body": body,
        "word_count": len(body.split()),
        "language": lang,
        "image": _meta(tree, "og:image", "twitter:image") or meta.doc.image,
        "content_hash": content_hash(body),
        "canonical_link": next(iter(tree.xpath('//link[@rel="canonical"]/@href')), None),
    }
