"""Outlets as data: one TOML file per outlet in ``crawler/sources/``.

A source file says where an outlet publishes (its site origin), how to find its
articles (feeds, sitemaps, listing pages, article URL patterns) and how to clean
its pages (boilerplate selectors, byline and date-line selectors). Adding an
outlet means adding one file here; no Python changes.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import resources
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# importlib.resources, not __file__: on a Scrapyd node the package is read from a zipped egg
SOURCES_DIR = resources.files(__package__) / "sources"


class SourceError(ValueError):
    """A source file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Source:
    spider: str  # file stem; also the Scrapy spider name and `articles.source`
    name: str
    site: str  # origin of the live site, e.g. "https://www.dawn.com"
    language: str = "en"
    timezone: str = "Asia/Karachi"  # for dates printed without an offset
    founded: int = 0  # year the outlet began: an article dated earlier has a wrong date
    description: str = ""
    # discovery
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sitemap_follow: tuple[str, ...] = ()  # child sitemaps a routine run reads (fresh news); --since reads all
    listings: tuple[str, ...] = ()
    listing_links: str = ""  # CSS selecting article links on listing pages ("" = every link)
    next_page: str = ""  # CSS selecting the "older posts" link on listing pages
    max_pages: int = 5
    articles: tuple[str, ...] = ()  # regexes an article's path (+query) must match
    ignore: tuple[str, ...] = ()  # regexes of paths that are never articles
    # extraction
    drop: tuple[str, ...] = ()  # CSS of boilerplate removed before extraction
    drop_text: tuple[str, ...] = ()  # regexes of paragraphs that are boilerplate
    content: str = ""  # CSS of the article body container ("" = let trafilatura find it)
    author: str = ""  # CSS of the byline
    published: str = ""  # CSS of a visible date line
    modified: str = ""  # CSS of a visible "updated" line
    tags: str = ""  # CSS of tag links
    url_date: str = ""  # regex with named groups (y, m|mon, d) for dates in article URLs
    # politeness on the live site, and limits
    download_delay: float = 1.0
    hosts: tuple[str, ...] = ()  # hosts the crawl may fetch from ("" = the site's host only)
    max_size: float = 0  # MiB a page may have, on the wire or decompressed (0 = DOWNLOAD_MAXSIZE)
    download_timeout: float = 0  # seconds (0 = DOWNLOAD_TIMEOUT)
    retry_after_max: float = 0  # longest Retry-After honoured, seconds (0 = PKUS_RETRY_AFTER_MAX)
    extra: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.site).netloc

    def is_article_path(self, path: str) -> bool:
        """``path`` (with ``?query``) is matched decoded: an Urdu slug is letters, not %D9%BE."""
        path = unquote(path)
        if any(re.search(p, path) for p in self.ignore):
            return False
        return any(re.search(p, path) for p in self.articles)


_LISTS = {"feeds", "sitemaps", "sitemap_follow", "listings", "articles", "ignore", "drop", "drop_text", "hosts"}
_NUMBERS = {"download_delay", "max_size", "download_timeout", "retry_after_max"}
_SECTIONS = ("discover", "extract", "crawl")
_REGEXES = ("articles", "ignore", "drop_text", "sitemap_follow", "url_date")
# parsel's translator (pseudo-elements like ::attr) for the listing selectors the spider runs,
# lxml's (cssselect) for the extraction selectors crawler.extract runs
_PARSEL_CSS = ("listing_links", "next_page")
_LXML_CSS = ("drop", "content", "author", "published", "modified", "tags")


def _check_types(path: Path, flat: dict) -> None:
    """Every value has the type its key needs (a source file is hand-written: `feeds = 5` happens)."""
    for key, value in flat.items():
        if key in _LISTS:
            if isinstance(value, str):
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SourceError(f"{path}: '{key}' must be a string or a list of strings, not {value!r}")
        elif key in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SourceError(f"{path}: '{key}' must be a number of at least 0, not {value!r}")
        elif key == "max_pages":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SourceError(f"{path}: 'max_pages' must be a whole number of at least 1, not {value!r}")
        elif key == "founded":
            if isinstance(value, bool) or not isinstance(value, int) or not 1600 <= value <= 2100:
                raise SourceError(f"{path}: 'founded' must be a year like 1947, not {value!r}")
        elif not isinstance(value, str):
            raise SourceError(f"{path}: '{key}' must be a string, not {value!r}")


def _check_patterns(path: Path, flat: dict) -> None:
    """Regexes compile and CSS selectors parse: a bad one would silently match nothing."""
    from cssselect import HTMLTranslator, SelectorError
    from parsel.csstranslator import HTMLTranslator as ParselTranslator

    def values(key):
        value = flat.get(key) or ()
        return (value,) if isinstance(value, str) else value

    for key in _REGEXES:
        for pattern in values(key):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SourceError(f"{path}: bad regex in '{key}' {pattern!r}: {exc}") from exc
    for keys, translator in ((_PARSEL_CSS, ParselTranslator()), (_LXML_CSS, HTMLTranslator())):
        for key in keys:
            for css in values(key):
                try:
                    translator.css_to_xpath(css)
                except SelectorError as exc:
                    raise SourceError(f"{path}: bad CSS selector in '{key}' {css!r}: {exc}") from exc


def load_source(path: Path) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: {exc}") from exc
    flat: dict = {k: v for k, v in data.items() if k not in _SECTIONS}
    for section in _SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise SourceError(f"{path}: [{section}] must be a table")
        flat.update(data.get(section, {}))
    known = set(Source.__dataclass_fields__) - {"spider", "extra"}
    unknown = set(flat) - known
    if unknown:
        raise SourceError(f"{path}: unknown keys {sorted(unknown)}")
    for key in ("name", "site"):
        if not flat.get(key):
            raise SourceError(f"{path}: '{key}' is required")
    _check_types(path, flat)
    site = urlsplit(flat["site"])
    if site.scheme not in ("http", "https") or not site.hostname or site.path.strip("/") or site.query:
        raise SourceError(f"{path}: 'site' must be an origin like https://www.example.com, not {flat['site']!r}")
    try:
        ZoneInfo(flat.get("timezone", "Asia/Karachi"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceError(f"{path}: unknown timezone {flat['timezone']!r}") from exc
    _check_patterns(path, flat)
    for key in _LISTS & set(flat):
        value = flat[key]
        flat[key] = tuple([value] if isinstance(value, str) else value)
    flat["site"] = flat["site"].rstrip("/")
    return Source(spider=path.name.removesuffix(".toml"), extra=data, **flat)


def source_dirs() -> list[Path]:
    """The folders of source files: $PKUS_SOURCES (os.pathsep-separated) if set, else crawler/sources/.

    Tests crawl outlets of their own this way (tests/faults/source/) without adding them to
    the outlets a live `pkus crawl --all` crawls.
    """
    folders = [Path(p) for p in os.environ.get("PKUS_SOURCES", "").split(os.pathsep) if p]
    return folders or [SOURCES_DIR]


def _source_files(directory: Path | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in [directory] if directory else source_dirs():
        # iterdir, not glob: a folder inside a zipped egg (Scrapyd) is a Traversable without glob
        for path in sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name):
            files.setdefault(path.name.removesuffix(".toml"), path)
    return dict(sorted(files.items()))


def load_sources(directory: Path | None = None, errors: dict[str, str] | None = None) -> dict[str, Source]:
    """Every outlet that loads, keyed by spider name, in name order.

    A broken source file is left out (so one typo cannot stop the other outlets); its error
    goes into ``errors`` when given, and :func:`get_source` raises it.
    """
    sources = {}
    for name, path in _source_files(directory).items():
        try:
            sources[name] = load_source(path)
        except SourceError as exc:
            if errors is not None:
                errors[name] = str(exc)
    return sources


def get_source(spider: str, directory: Path | None = None) -> Source:
    path = _source_files(directory).get(spider)
    if path is None:
        known = ", ".join(_source_files(directory)) or "none"
        raise SourceError(f"unknown source {spider!r} (known: {known})")
    return load_source(path)
