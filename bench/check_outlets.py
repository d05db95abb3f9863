"""Check the source files against real pages of the outlets: do our selectors and URL patterns fit?

    .venv/bin/python bench/check_outlets.py DIR [--json OUT]

DIR holds real pages saved from the outlets' sites (they are the publishers' work and stay
out of the repository) and ``DIR/pages.json``, mapping an id to ``{"file": path relative to
DIR, "url": the page's address, "kind": "listing" or "article", "from": where the page was
found (repository and path)}``. For every page, the outlet is found from its URL (or its own
canonical link); then:

- a listing page: how many links the source file's ``listing_links`` selector finds, how many
  of them are articles by the ``articles`` patterns, how many article links a plain scan of
  every link finds, and whether the ``next_page`` selector finds the older page;
- an article page: whether its URL is an article by the ``articles`` patterns, how many elements
  each extraction selector (``content``, ``author``, ``published``, ``modified``, ``tags``, each
  ``drop``) matches, and what ``extract_article`` makes of it.

A page of an outlet without a source file is checked against no rules (and extracted as an
unknown outlet); for its listing pages the report gives the shapes of the links on its own host
(``/<n>/<slug>/ x 48``), which is what a new source file's ``articles`` pattern must match. A
Wayback Machine copy counts as the page it is a copy of. The script exits 0; it reports, it does
not judge.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from crawler.discover import listing_links  # noqa: E402
from crawler.extract import ExtractionError, extract_article, original_url, page_url, source_for_url  # noqa: E402
from crawler.extract import UNKNOWN  # noqa: E402

_MONTH_DAY = re.compile(r"^\d{1,2}-[A-Z][a-z]{2}-\d{4}$")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(path: str) -> str:
    """A link's path with its ids, dates and slugs named: /story/2632667/govt-may-deduct -> /story/<n>/<slug>."""
    def part(segment: str) -> str:
        if segment.isdigit():
            return "<n>"
        if _MONTH_DAY.match(segment):
            return "<DD-Mon-YYYY>"
        if re.fullmatch(r"\d+-[\w-]+", segment):
            return "<n>-<slug>"
        if "-" in segment or len(segment) > 24 or re.search(r"[^\x00-\x7f]", segment):
            return "<slug>"
        return segment
    return "/".join(part(segment) for segment in path.split("?")[0].split("/"))


def _shapes(paths) -> list[str]:
    return [f"{s} x {n}" for s, n in Counter(shape(p) for p in paths).most_common(6)]


def check_listing(html: bytes, url: str, source) -> dict:
    tree = lxml.html.fromstring(html)
    every = {original_url(urljoin(url, a.get("href"))) for a in tree.iter("a") if a.get("href")}
    own_host = (source.host if source is not UNKNOWN else urlsplit(url).netloc).removeprefix("www.")
    on_site = {u for u in every if urlsplit(u).netloc.removeprefix("www.") == own_host}
    if source is UNKNOWN:  # no rules to check: what a source file's `articles` pattern would have to match
        return {"links_on_own_host": len(on_site), "link_shapes": _shapes(_path(u) for u in on_site)}
    articles = sorted(u for u in on_site if source.is_article_path(_path(u)))
    selected = {urljoin(url, el.get("href")) for el in tree.cssselect(source.listing_links) if el.get("href")} \
        if source.listing_links else set()
    found, next_url = listing_links(html, url, source.listing_links, source.next_page)
    return {"selector": source.listing_links, "selected": len(selected),
            "selected_articles": sum(source.is_article_path(_path(u)) for u in selected),
            "plain_scan_articles": len(articles),
            "after_fallback_articles": len({u for u, _ in found.links if source.is_article_path(_path(u))}),
            "other_link_shapes": _shapes(_path(u) for u in on_site - set(articles)),
            "next_page": next_url, "sample": articles[:3]}


def check_article(html: bytes, url: str, source) -> dict:
    tree = lxml.html.fromstring(html)
    counts = {}
    for key in ("content", "author", "published", "modified", "tags"):
        css = getattr(source, key)
        if css:
            counts[key] = len(tree.cssselect(css))
    for css in source.drop:
        counts[f"drop {css}"] = len(tree.cssselect(css))
    try:
        article = extract_article(html, url, source)
        result = {k: article[k] for k in ("title", "author", "published", "published_from", "published_precision",
                                          "tags", "word_count")}
        result["body_start"] = article["body"][:160]
    except ExtractionError as exc:
        result = {"error": str(exc)}
    return {"url_is_article": source.is_article_path(_path(url)) if source.articles else None,
            "selector_matches": counts, "extracted": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args(argv)
    index = args.dir / "pages.json"
    if not index.is_file():
        print(f"check_outlets: no pages.json in {args.dir}; skipped")
        return 0
    report = {}
    for key, page in json.loads(index.read_text(encoding="utf-8")).items():
        html = (args.dir / page["file"]).read_bytes()
        url = original_url(page.get("url") or page_url(html) or "")
        source = source_for_url(url) or source_for_url(page_url(html)) or UNKNOWN
        check = check_listing if page.get("kind") == "listing" else check_article
        entry = {"outlet": source.spider, "kind": page.get("kind"), "url": url, "from": page.get("from"),
                 **check(html, url, source)}
        report[key] = entry
        print(f"{source.spider:<18} {page.get('kind', 'article'):<8} {url}")
        for name, value in entry.items():
            if name not in ("outlet", "kind", "url"):
                print(f"    {name}: {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
