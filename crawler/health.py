"""Outlet health: what the archive holds per outlet, and whether its entry points still work.

`pkus sources` summarises the archive per outlet; `pkus sources check` fetches every
entry point (feeds, sitemaps, the first listing page) and reports what a crawl would
find there, so an operator sees at once when a live site changed its layout.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from protego import Protego

from .cli_errors import FetchError
from .discover import Links, feed_links, listing_links, sitemap_links
from .extract import parse_date
from .outlets import Source


def outlet_summary(db_path: str | Path, sources: dict[str, Source], max_tries: int) -> list[dict]:
    """One row per outlet: articles held, newest article, last successful crawl, URLs failing or given up."""
    from .archive import connect_readonly

    rows = {name: {"spider": name, "name": s.name, "articles": 0, "newest": None, "last_ok_crawl": None,
                   "last_run": None, "failing": 0, "gave_up": 0} for name, s in sources.items()}
    if not Path(db_path).exists():
        return list(rows.values())
    db = connect_readonly(db_path)
    try:
        for r in db.query("select source, count(*) n, max(published) newest from articles group by source"):
            if r["source"] in rows:
                rows[r["source"]].update(articles=r["n"], newest=r["newest"])
        for r in db.query("select spider, max(case when status = 'finished' then finished end) ok, "
                          "max(started) last from crawl_runs group by spider"):
            if r["spider"] in rows:
                rows[r["spider"]].update(last_ok_crawl=r["ok"], last_run=r["last"])
        for r in db.query("select source, sum(tries < :m) failing, sum(tries >= :m) gave_up from urls "
                          "where state = 'failed' group by source", {"m": max_tries}):
            if r["source"] in rows:
                rows[r["source"]].update(failing=r["failing"] or 0, gave_up=r["gave_up"] or 0)
    finally:
        db.conn.close()
    return list(rows.values())


@dataclass
class Check:
    kind: str
    url: str
    status: str  # ok | warn | fail
    detail: str


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only on the host first asked (as the crawl's SiteGuardMiddleware does)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            raise FetchError(f"refused an off-site redirect (HTTP {code}) from {req.full_url} to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    """Plain HTTP GET with the crawler's User-Agent that obeys the outlet's robots.txt.

    Like a crawl it stays on the host asked for and stops reading at ``max_size`` bytes.
    """

    def __init__(self, user_agent: str, timeout: float = 30, max_size: int = 8 * 1024 * 1024):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_size = max_size
        self.robots: dict[str, Protego] = {}
        self.opener = urllib.request.build_opener(_SameHostRedirects)

    def get(self, url: str) -> tuple[int, bytes]:
        status, body, _ = self.get_page(url)
        return status, body

    def get_page(self, url: str) -> tuple[int, bytes, str]:
        """(status, body, Content-Type); raises FetchError when the page cannot be had."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(self.max_size + 1)
                if len(body) > self.max_size:
                    raise FetchError(f"{url} is too large (over {self.max_size / 2**20:g} MiB)")
                return response.status, body, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, b"", ""
        except (urllib.error.URLError, OSError) as exc:
            if isinstance(exc, FetchError):
                raise
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"cannot fetch {url}: {reason}; is the network up? (or save the page and "
                             f"run `pkus extract FILE --url URL`)") from exc

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            try:
                status, body = self.get(origin + "/robots.txt")
            except OSError:
                status, body = 0, b""
            self.robots[origin] = Protego.parse(body.decode("utf-8", "replace") if status == 200 else "")
        return self.robots[origin].can_fetch(url, self.user_agent)


def _describe(found: Links, is_article) -> tuple[str, str]:
    if found.error:
        return "fail", found.error
    if found.kind == "sitemapindex":
        return ("ok" if found.links else "warn"), f"sitemap index of {len(found.links)} sitemaps"
    articles = [(u, h) for u, h in found.links if is_article(u)]
    dates = [d for d in (parse_date(h.get("published") or h.get("modified")) for _, h in articles) if d]
    newest = f", newest {max(dates).date().isoformat()}" if dates else ""
    detail = f"{len(found.links)} links, {len(articles)} articles{newest}"
    if found.fallback:  # the crawl still finds them, by a plain link scan, but the rule needs updating
        return "warn", detail + " (the listing selector matched nothing: layout changed? found by a plain link scan)"
    return ("ok" if articles else "warn"), detail + ("" if articles else " (layout changed?)")


def check_source(source: Source, base: str, fetcher: Fetcher, is_article) -> list[Check]:
    """Fetch every entry point of ``source`` (at ``base``) and say what a crawl would find there."""
    checks = []
    entry = [("feed", p) for p in source.feeds] + [("sitemap", p) for p in source.sitemaps] \
        + [("listing", p) for p in source.listings]
    for kind, path in entry:
        url = urljoin(base + "/", path)
        if not fetcher.allowed(url):
            checks.append(Check(kind, url, "fail", "disallowed by robots.txt"))
            continue
        try:
            status, body = fetcher.get(url)
        except OSError as exc:
            checks.append(Check(kind, url, "fail", f"unreachable: {exc}"))
            continue
        if status != 200:
            checks.append(Check(kind, url, "fail", f"HTTP {status}"))
            continue
        if kind == "feed":
            found = feed_links(body, url)
        elif kind == "sitemap":
            found = sitemap_links(body, url)
        else:
            found, next_url = listing_links(body, url, source.listing_links, source.next_page)
        verdict, detail = _describe(found, is_article)
        if kind == "listing" and source.next_page:
            detail += ", next page link found" if next_url else ", no next page link"
        checks.append(Check(kind, url, verdict, f"HTTP 200, {detail}"))
        if found.kind == "sitemapindex":  # also read the children a routine crawl follows
            follow = [u for u, _ in found.links
                      if not source.sitemap_follow or any(re.search(p, u) for p in source.sitemap_follow)]
            for child in follow[:3]:
                try:
                    status, body = fetcher.get(child)
                except OSError as exc:
                    checks.append(Check("sitemap", child, "fail", f"unreachable: {exc}"))
                    continue
                verdict, detail = _describe(sitemap_links(body, child), is_article) if status == 200 \
                    else ("fail", f"HTTP {status}")
                checks.append(Check("sitemap", child, verdict, f"HTTP {status}, {detail}"))
    return checks
