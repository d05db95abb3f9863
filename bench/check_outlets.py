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
unknown outlet). The script exits 0; it reports, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from crawler.discover import listing_links  # noqa: E402
from crawler.extract import ExtractionError, extract_article, page_url, source_for_url  # noqa: E402
from crawler.extract import UNKNOWN  # noqa: E402


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def check_listing(html: bytes, url: str, source) -> dict:
    tree = lxml.html.fromstring(html)
    every = {urljoin(url, a.get("href")) for a in tree.iter("a") if a.get("href")}
    on_site = {u for u in every if urlsplit(u).netloc.removeprefix("www.") == source.host.removeprefix("www.")}
    articles = sorted(u for u in on_site if source.is_article_path(_path(u)))
    selected = {urljoin(url, el.get("href")) for el in tree.cssselect(source.listing_links) if el.get("href")} \
        if source.listing_links else set()
    found, next_url = listing_links(html, url, source.listing_links, source.next_page)
    return {"selector": source.listing_links, "selected": len(selected),
            "selected_articles": sum(source.is_article_path(_path(u)) for u in selected),
            "plain_scan_articles": len(articles),
            "after_fallback_articles": len({u for u, _ in found.links if source.is_article_path(_path(u))}),
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
        url = page.get("url") or page_url(html) or ""
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
