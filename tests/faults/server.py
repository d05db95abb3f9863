"""A misbehaving news outlet on 127.0.0.1, and an "off-site" host on 127.0.0.2.

Every article URL of the outlet is one fault (see FAULTS and tests/faults/README.md): off-site
redirects, redirect loops, huge pages, gzip bombs, wrong charsets, Retry-After, timeouts,
connection resets, truncated bodies, bot challenges, soft 404s, PDFs, empty pages, a page that
changes between fetches, dates in 2099, an Urdu slug. Its feed, news sitemap and listing page
list them all; the sitemap index adds a child with broken XML and children on other hosts.
The off-site host serves a relevant article at every path, so anything fetched from it would
show up in the archive; both servers log every request, so tests can say what was fetched.

Run it by hand with ``python -m tests.faults.server`` (prints both addresses; Ctrl-C stops).
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

SOURCE_DIR = Path(__file__).parent / "source"  # PKUS_SOURCES: where faults.toml lives
SPIDER = "faults"
SITE = "https://faults.pkus.test"  # the outlet's "live" origin in faults.toml
MiB = 1024 * 1024
URDU_SLUG = "پاکستان-امریکہ-تجارت"
PUBLISHED = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)

# path -> what is wrong with it (every one is listed by the feed, the sitemap or the listing)
FAULTS = {
    "/news/control": "nothing: a plain relevant article",
    "/news/offsite-redirect": "302 to the off-site host",
    "/news/offsite-meta-refresh": "<meta refresh> to the off-site host",
    "/news/loop-a": "redirect loop: 302 to /news/loop-b, which redirects back",
    "/news/huge-page": "25 MiB page with a Content-Length",
    "/news/huge-stream": "25 MiB page streamed without a Content-Length",
    "/news/gzip-bomb": "1 MiB of gzip that inflates to 1 GiB",
    "/news/bad-gzip": "Content-Encoding: gzip over bytes that are not gzip",
    "/news/cp1252-header": "windows-1252, declared only in the Content-Type header",
    "/news/cp1252-meta": "windows-1252, declared only in <meta charset>",
    "/news/cp1252-unlabelled": "windows-1252, declared nowhere",
    "/news/cp1252-as-utf8": "windows-1252 bytes declared as UTF-8",
    "/news/utf8-bom": "UTF-8 with a byte-order mark and no declaration",
    "/news/retry-after-503": "503 with Retry-After: 2 once, then the article",
    "/news/retry-after-429": "429 with Retry-After: 1, every time",
    "/news/retry-after-long": "503 with Retry-After: 3600, longer than the outlet's cap (3 s)",
    "/news/gone-to-home": "301 to the home page (a story taken down)",
    "/news/chain-1": "redirects to /news/chain-2, which redirects to /news/chain-3, ... without end",
    "/news/server-error": "500, every time",
    "/news/slow": "answers after 6 s (the outlet's download_timeout is 3 s)",
    "/news/reset": "connection reset (TCP RST) before any answer",
    "/news/truncated": "Content-Length 20000, 2000 bytes sent, then the connection closes",
    "/private/disallowed": "disallowed by robots.txt",
    "/news/tracked": "listed as ?utm_source=feed and ?fbclid=...&utm_medium=...",
    "/news/challenge": "403 Cloudflare-style challenge (cf-mitigated: challenge)",
    "/news/challenge-200": "200 bot challenge page",
    "/news/soft-404": "200 'Page not found' page with relevant-looking links",
    "/news/pdf-report": "a PDF",
    "/news/empty": "200 with an empty body",
    "/news/changing": "different text on the second fetch; the sitemap's lastmod moves",
    "/news/future-date": "JSON-LD datePublished in 2099 (the feed has the real date)",
    "/news/" + URDU_SLUG: "an Urdu slug (percent-encoded in links)",
    "/news/from-broken-sitemap": "listed only by the sitemap whose XML is broken",
}
ARTICLE_PATHS = [p for p in FAULTS if p != "/news/from-broken-sitemap"]


def story(title: str, extra: str = "") -> list[str]:
    """Three paragraphs the relevance model keeps (our own words, about Pakistan–US trade)."""
    return [
        f"Islamabad: Pakistan and the United States agreed on Tuesday to widen bilateral trade, "
        f"with American buyers set to double orders of Pakistani textiles and US firms to invest in mining. {extra}",
        "Finance Minister Muhammad Aurangzeb told the US Chamber of Commerce delegation that exports to "
        "the US, Pakistan's largest market, rose by 12 percent this year.",
        f"The two sides discussed tariffs, investment in critical minerals and a new trade and investment "
        f"framework meeting in Washington next month ({title.lower()}).",
    ]


def article_html(title: str, paragraphs: list[str], published: str, charset_meta: str | None = "utf-8",
                 modified: str | None = None) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    ld = ('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "%s", "datePublished": "%s", '
          '"dateModified": "%s", "author": {"@type": "Person", "name": "Staff Reporter"}}'
          % (title, published, modified or published))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{title} | Fault Injection Times</title>"
            f'<meta property="og:type" content="article"><script type="application/ld+json">{ld}</script></head>'
            f"<body><header><a href=\"/\">Fault Injection Times</a></header><article><h1>{title}</h1>"
            f"<p class=\"byline\">By Staff Reporter</p>{body}</article><footer>© Fault Injection Times</footer>"
            f"</body></html>")


def title_of(path: str) -> str:
    slug = unquote(path.rsplit("/", 1)[-1])
    return "Urdu slug: Pakistan and US trade" if slug == URDU_SLUG else f"Fault {slug}: Pakistan and US widen trade"


def iso(dt: datetime) -> str:
    return dt.isoformat()


def gzip_bomb(inflated: int = 1024 * MiB, member: int = 64 * MiB) -> bytes:
    """Concatenated gzip members (any gunzip reads them all): ~1 KB per MiB inflated."""
    one = gzip.compress(b"\0" * member, 9)
    return one * (inflated // member)


@dataclass
class Hit:
    host: str
    path: str
    at: float
    status: int | None = None


@dataclass
class FaultSite:
    """The outlet's state: who asked for what, when; per-path fetch counters."""

    base: str = ""
    offsite: str = ""
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    changed_at: datetime | None = None  # when /news/changing first served its second text
    lock: threading.Lock = field(default_factory=threading.Lock)
    _bomb: bytes | None = None

    def bomb(self) -> bytes:
        if self._bomb is None:
            self._bomb = gzip_bomb()
        return self._bomb

    def hit(self, host: str, path: str) -> int:
        with self.lock:
            self.hits.append(Hit(host, path, time.monotonic()))
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]

    def fetched(self, path: str, host: str = "site") -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.host == host and h.path == path]

    def offsite_hits(self) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.host == "offsite"]

    def link(self, path: str, query: str = "") -> str:
        return self.base + quote(path) + (f"?{query}" if query else "")


class _Handler(BaseHTTPRequestHandler):
    site: FaultSite
    host_role = "site"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the FaultSite keeps the log
        pass

    def handle(self):
        try:
            super().handle()
        except (OSError, ValueError):
            pass  # the crawler hung up on a huge page, or we reset the connection on purpose

    def send(self, status: int, body: bytes | str = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        n = self.site.hit(self.host_role, path)
        if self.host_role == "offsite":
            title = "Stolen: Pakistan and US sign a trade deal"
            return self.send(200, article_html(title, story(title), iso(PUBLISHED)))
        route = chain if path.startswith("/news/chain-") else ROUTES.get(path)
        if route is None and path in FAULTS:
            route = plain_article
        if route is None:
            return self.send(404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>")
        route(self, path, n)


# -- entry points ----------------------------------------------------------------------------

def robots(h: _Handler, path: str, n: int) -> None:
    h.send(200, f"User-agent: *\nDisallow: /private/\nSitemap: {h.site.base}/sitemap.xml\n", "text/plain")


def feed(h: _Handler, path: str, n: int) -> None:
    items = []
    for i, p in enumerate(ARTICLE_PATHS):
        link = h.site.link(p, "utm_source=feed&utm_medium=rss") if p == "/news/tracked" else h.site.link(p)
        date = (PUBLISHED - timedelta(hours=i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(f"<item><title>{title_of(p)}</title><link>{link.replace('&', '&amp;')}</link>"
                     f"<pubDate>{date}</pubDate></item>")
    h.send(200, f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fault Injection Times</title>'
                f"<link>{h.site.base}/</link>{''.join(items)}</channel></rss>", "application/rss+xml; charset=utf-8")


def sitemap_index(h: _Handler, path: str, n: int) -> None:
    children = [f"{h.site.base}/sitemap-news.xml", f"{h.site.base}/sitemap-broken.xml",
                f"{h.site.offsite}/sitemap-offsite.xml", "http://169.254.169.254/latest/meta-data/sitemap.xml"]
    entries = "".join(f"<sitemap><loc>{c}</loc><lastmod>{iso(PUBLISHED)}</lastmod></sitemap>" for c in children)
    h.send(200, f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{entries}</sitemapindex>", "application/xml; charset=utf-8")


def news_sitemap(h: _Handler, path: str, n: int) -> None:
    changed = h.site.changed_at or PUBLISHED
    urls = "".join(f"<url><loc>{h.site.link(p)}</loc><lastmod>{iso(changed if p == '/news/changing' else PUBLISHED)}"
                   f"</lastmod></url>" for p in ("/news/control", "/news/changing"))
    h.send(200, f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>", "application/xml; charset=utf-8")


def broken_sitemap(h: _Handler, path: str, n: int) -> None:
    h.send(200, f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{h.site.link('/news/from-broken-sitemap')}</loc></url><url><loc>{h.site.base}/news/x"
                f"</lo></url><url <<<", "application/xml; charset=utf-8")


def listing(h: _Handler, path: str, n: int) -> None:
    links = [h.site.link("/news/" + URDU_SLUG), h.site.link("/news/tracked", "fbclid=abc123&utm_medium=social"),
             h.site.link("/news/control")]
    anchors = "".join(f'<li><a class="story" href="{u.replace("&", "&amp;")}">story</a></li>' for u in links)
    h.send(200, f"<html><head><title>Latest</title></head><body><ul>{anchors}</ul></body></html>")


# -- articles ----------------------------------------------------------------------------------

def plain_article(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    h.send(200, article_html(title, story(title), iso(PUBLISHED)))


def offsite_redirect(h: _Handler, path: str, n: int) -> None:
    h.send(302, b"", None, {"Location": f"{h.site.offsite}/news/stolen"})


def offsite_meta_refresh(h: _Handler, path: str, n: int) -> None:
    h.send(200, f'<html><head><meta http-equiv="refresh" content="0; url={h.site.offsite}/news/stolen">'
                f"<title>Moved</title></head><body><p>This story has moved.</p></body></html>")


def loop(h: _Handler, path: str, n: int) -> None:
    h.send(302, b"", None, {"Location": "/news/loop-b" if path == "/news/loop-a" else "/news/loop-a"})


def huge_page(h: _Handler, path: str, n: int) -> None:
    size = 25 * MiB
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    if path == "/news/huge-page":  # /news/huge-stream sends no length: the body ends when we close
        h.send_header("Content-Length", str(size))
    h.end_headers()
    chunk = ("<p>" + " ".join(story("huge")) + "</p>\n").encode() * 64
    sent = 0
    while sent < size:
        h.wfile.write(chunk)
        sent += len(chunk)


def bomb(h: _Handler, path: str, n: int) -> None:
    h.send(200, h.site.bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"})


def bad_gzip(h: _Handler, path: str, n: int) -> None:
    h.send(200, b"this is not gzip at all " * 40, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})


def cp1252(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    paragraphs = story(title, "Exporters’ “café culture” deals — worth €5m — were signed.")
    label = {"/news/cp1252-meta": "windows-1252"}.get(path)
    html = article_html(title, paragraphs, iso(PUBLISHED), charset_meta=label).encode("cp1252")
    ctype = {"/news/cp1252-header": "text/html; charset=windows-1252",
             "/news/cp1252-as-utf8": "text/html; charset=utf-8"}.get(path, "text/html")
    h.send(200, html, ctype)


def utf8_bom(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    html = article_html(title, story(title, "Exporters’ “café culture” deals — worth €5m — were signed."),
                        iso(PUBLISHED), charset_meta=None)
    h.send(200, b"\xef\xbb\xbf" + html.encode("utf-8"), "text/html")


def retry_after(h: _Handler, path: str, n: int) -> None:
    if path == "/news/retry-after-503" and n > 1:
        return plain_article(h, path, n)
    status, wait = {"/news/retry-after-503": (503, "2"), "/news/retry-after-429": (429, "1"),
                    "/news/retry-after-long": (503, "3600")}[path]
    h.send(status, "<html><body><h1>Slow down</h1></body></html>", headers={"Retry-After": wait})


def home(h: _Handler, path: str, n: int) -> None:
    title = "Fault Injection Times: Pakistan and US trade news"
    h.send(200, article_html(title, story(title), iso(PUBLISHED)))


def gone(h: _Handler, path: str, n: int) -> None:
    h.send(301, b"", None, {"Location": "/"})


def chain(h: _Handler, path: str, n: int) -> None:
    step = int(path.rsplit("-", 1)[1])
    h.send(302, b"", None, {"Location": f"/news/chain-{step + 1}"})


def server_error(h: _Handler, path: str, n: int) -> None:
    h.send(500, "<html><body><h1>Internal Server Error</h1></body></html>")


def slow(h: _Handler, path: str, n: int) -> None:
    time.sleep(6)
    plain_article(h, path, n)


def reset(h: _Handler, path: str, n: int) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()  # with SO_LINGER 0: an RST, not a FIN
    h.close_connection = True


def truncated(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    data = article_html(title, story(title) * 20, iso(PUBLISHED)).encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(max(20000, len(data) + 1000)))
    h.end_headers()
    h.wfile.write(data[:2000])
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_RDWR)
    h.close_connection = True


def cf_challenge(h: _Handler, path: str, n: int) -> None:
    page = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
            "<h1>Checking your browser before accessing faults.pkus.test</h1>"
            "<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\"></script>"
            f"<p>{' '.join(story('challenge'))}</p></body></html>")
    if path == "/news/challenge":
        h.send(403, page, headers={"cf-mitigated": "challenge", "Server": "cloudflare"})
    else:
        h.send(200, page, headers={"Server": "cloudflare"})


def soft_404(h: _Handler, path: str, n: int) -> None:
    links = "".join(f"<p>{p}</p>" for p in story("you may also like"))
    h.send(200, "<html><head><title>Page not found | Fault Injection Times</title></head><body>"
                "<h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location.</p>"
                f"<h2>You may also like</h2>{links}</body></html>")


def pdf(h: _Handler, path: str, n: int) -> None:
    h.send(200, b"%PDF-1.4\n% " + " ".join(story("pdf")).encode() + b"\n%%EOF\n", "application/pdf")


def empty(h: _Handler, path: str, n: int) -> None:
    h.send(200, b"", "text/html; charset=utf-8")


def changing(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    if n == 1:
        h.send(200, article_html(title, story(title, "First version."), iso(PUBLISHED)))
        h.site.changed_at = PUBLISHED + timedelta(days=1)  # from now on the sitemap says it changed
        return
    h.send(200, article_html(title, story(title, "Second version, with a correction."), iso(PUBLISHED),
                             modified=iso(h.site.changed_at)))


def future_date(h: _Handler, path: str, n: int) -> None:
    title = title_of(path)
    h.send(200, article_html(title, story(title), "2099-01-01T00:00:00+05:00"))


ROUTES = {
    "/robots.txt": robots, "/feed.xml": feed, "/sitemap.xml": sitemap_index, "/sitemap-news.xml": news_sitemap,
    "/sitemap-broken.xml": broken_sitemap, "/latest/": listing,
    "/news/offsite-redirect": offsite_redirect, "/news/offsite-meta-refresh": offsite_meta_refresh,
    "/news/loop-a": loop, "/news/loop-b": loop, "/news/huge-page": huge_page, "/news/huge-stream": huge_page,
    "/news/gzip-bomb": bomb, "/news/bad-gzip": bad_gzip, "/news/cp1252-header": cp1252, "/news/cp1252-meta": cp1252,
    "/news/cp1252-unlabelled": cp1252, "/news/cp1252-as-utf8": cp1252, "/news/utf8-bom": utf8_bom,
    "/news/retry-after-503": retry_after, "/news/retry-after-429": retry_after, "/news/retry-after-long": retry_after,
    "/": home, "/news/gone-to-home": gone, "/news/server-error": server_error,
    "/news/slow": slow, "/news/reset": reset, "/news/truncated": truncated, "/news/challenge": cf_challenge,
    "/news/challenge-200": cf_challenge, "/news/soft-404": soft_404, "/news/pdf-report": pdf, "/news/empty": empty,
    "/news/changing": changing, "/news/future-date": future_date,
}


class FaultServers:
    """The outlet on 127.0.0.1 and the off-site host on 127.0.0.2, each on a free port."""

    def __init__(self):
        self.site = FaultSite()
        self.site.bomb()  # made now, not on the first request (where it could outlast the download timeout)
        self.servers = []
        for role, address in (("site", "127.0.0.1"), ("offsite", "127.0.0.2")):
            handler = type(f"{role}Handler", (_Handler,), {"site": self.site, "host_role": role})
            httpd = ThreadingHTTPServer((address, 0), handler)
            httpd.daemon_threads = True
            thread = threading.Thread(target=httpd.serve_forever, daemon=True, name=f"faults:{role}")
            thread.start()
            self.servers.append((httpd, thread))
        self.site.base = "http://127.0.0.1:%d" % self.servers[0][0].server_address[1]
        self.site.offsite = "http://127.0.0.2:%d" % self.servers[1][0].server_address[1]

    def stop(self) -> None:
        for httpd, thread in self.servers:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":  # pragma: no cover - by hand
    with FaultServers() as servers:
        print(f"faults outlet at {servers.site.base}, off-site host at {servers.site.offsite}")
        print(f"crawl it: PKUS_SOURCES={SOURCE_DIR} pkus crawl {SPIDER} --site {SPIDER}={servers.site.base} --db /tmp/faults.db")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
