"""Outlets as data: one TOML file per outlet in ``crawler/sources/``.

A source file says where an outlet publishes (its site origin), how to find its
articles (feeds, sitemaps, listing pages, article URL patterns) and how to clean
its pages (boilerplate selectors, byline and date-line selectors). Adding an
outlet means adding one file here; no Python changes.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
    # politeness on the live site
    download_delay: float = 1.0
    extra: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.site).netloc

    def is_article_path(self, path: str) -> bool:
        if any(re.search(p, path) for p in self.ignore):
            return False
        return any(re.search(p, path) for p in self.articles)


_LISTS = {"feeds", "sitemaps", "sitemap_follow", "listings", "articles", "ignore", "drop", "drop_text"}
_SECTIONS = ("discover", "extract", "crawl")


def load_source(path: Path) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: {exc}") from exc
    flat: dict = {k: v for k, v in data.items() if k not in _SECTIONS}
    for section in _SECTIONS:
        flat.update(data.get(section, {}))
    known = set(Source.__dataclass_fields__) - {"spider", "extra"}
    unknown = set(flat) - known
    if unknown:
        raise SourceError(f"{path}: unknown keys {sorted(unknown)}")
    for key in ("name", "site"):
        if not flat.get(key):
            raise SourceError(f"{path}: '{key}' is required")
    for key in _LISTS & set(flat):
        value = flat[key]
        flat[key] = tuple([value] if isinstance(value, str) else value)
    for pattern in flat.get("articles", ()) + flat.get("ignore", ()) + flat.get("drop_text", ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourceError(f"{path}: bad regex {pattern!r}: {exc}") from exc
    flat["site"] = flat["site"].rstrip("/")
    return Source(spider=path.stem, extra=data, **flat)


def load_sources(directory: Path = SOURCES_DIR) -> dict[str, Source]:
    """Every outlet, keyed by spider name, in name order."""
    files = sorted((p for p in directory.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return {p.stem: load_source(p) for p in files}


def get_source(spider: str, directory: Path = SOURCES_DIR) -> Source:
    path = directory / f"{spider}.toml"
    if not path.exists():
        known = ", ".join(load_sources(directory)) or "none"
        raise SourceError(f"unknown source {spider!r} (known: {known})")
    return load_source(path)
