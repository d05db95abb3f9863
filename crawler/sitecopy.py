"""Serve offline copies of outlets on 127.0.0.1.

A copy is a folder of files saved the way ``wget --restrict-file-names=windows``
saves a site: ``/x/y/`` is ``x/y/index.html`` (or ``index.xml`` for feeds), a
query string is appended after ``@``. Pages carry the live site's absolute URLs
(``https://www.dawn.com/...``); the server rewrites that origin to its own
address, so links, feeds and sitemaps point back at the copy exactly as the live
site's point at itself. It answers conditional requests (ETag, Last-Modified)
and keeps a log of every request so tests can count what a crawl fetched.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .outlets import Source, load_sources

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SITES_DIR = PROJECT_ROOT / "tests" / "sites"

_TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/json",
               "application/atom+xml", "application/ld+json", "application/javascript")
_INDEX_NAMES = ("index.html", "index.xml", "index.rss", "index.json")


@dataclass
class Hit:
    method: str
    path: str
    status: int


@dataclass
class SiteCopy:
    """One outlet's copy being served; ``base`` replaces ``origin`` in every response."""

    root: Path
    origin: str
    base: str = ""
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, target: str) -> Path | None:
        parts = urlsplit(target)
        rel = unquote(parts.path).lstrip("/")
        candidate = (self.root / rel).resolve()
        if self.root.resolve() not in (candidate, *candidate.parents):
            return None  # no escaping the copy with ../
        if candidate.is_dir():
            candidate = next((candidate / n for n in _INDEX_NAMES if (candidate / n).is_file()), None)
            if candidate is None:
                return None
        if parts.query:
            candidate = candidate.with_name(f"{candidate.name}@{parts.query}")
        return candidate if candidate.is_file() else None

    def body(self, path: Path) -> tuple[bytes, str]:
        data = path.read_bytes()
        ctype = content_type(path, data)
        if ctype.startswith(_TEXT_TYPES) and self.base:
            for old, new in ((self.origin, self.base),
                             (self.origin.replace("/", "\\/"), self.base.replace("/", "\\/"))):
                data = data.replace(old.encode(), new.encode())
        return data, ctype

    def record(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.log.append(Hit(method, path, status))

    def fetched(self, status: int | None = 200) -> list[str]:
        """Paths requested so far (optionally only those answered with ``status``)."""
        with self.lock:
            return [h.path for h in self.log if status is None or h.status == status]


def content_type(path: Path, data: bytes = b"") -> str:
    name = path.name.split("@")[0]
    if name.endswith(".xml"):
        return "application/xml; charset=utf-8"
    if name.endswith(".rss"):
        return "application/rss+xml; charset=utf-8"
    guessed, _ = mimetypes.guess_type(name)
    if guessed is None or "." not in name:
        # extensionless paths (/node/123/pakistan, /rss/home) are pages unless the file is XML
        head = data[:200].lstrip()
        if head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex")):
            return "application/xml; charset=utf-8"
        return "text/html; charset=utf-8"
    if guessed.startswith("text/") or guessed in ("application/json", "application/javascript"):
        return f"{guessed}; charset=utf-8"
    return guessed


class _Handler(BaseHTTPRequestHandler):
    server_version = "pkus-sitecopy/1"
    copy: SiteCopy  # set on the subclass made per server

    def log_message(self, format, *args):  # noqa: A002 - quiet; the SiteCopy keeps the log
        pass

    def do_HEAD(self):
        self._serve(send_body=False)

    def do_GET(self):
        self._serve(send_body=True)

    def _serve(self, send_body: bool) -> None:
        path = self.copy.resolve(self.path)
        if path is None:
            self._reply(404, b"<html><body><h1>Not Found</h1></body></html>", "text/html; charset=utf-8",
                        send_body)
            return
        data, ctype = self.copy.body(path)
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        mtime = path.stat().st_mtime
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self._not_modified(etag, mtime):
            self._reply(304, b"", None, send_body, headers)
            return
        self._reply(200, data, ctype, send_body, headers)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return int(mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _reply(self, status, data, ctype, send_body, headers=None):
        self.copy.record(self.command, self.path, status)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body and data:
            self.wfile.write(data)


class SiteServer:
    """A running server for one copy; stop() shuts it down and joins its thread."""

    def __init__(self, copy: SiteCopy, port: int = 0):
        handler = type("Handler", (_Handler,), {"copy": copy})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        copy.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.copy = copy
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                       name=f"sitecopy:{copy.base}")
        self.thread.start()

    @property
    def base(self) -> str:
        return self.copy.base

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def copy_root(spider: str, sites_dir: Path = SITES_DIR) -> Path:
    return sites_dir / spider / "site"


def available_copies(sources: dict[str, Source] | None = None, sites_dir: Path = SITES_DIR) -> dict[str, Source]:
    """The outlets that have an offline copy in ``sites_dir``."""
    sources = load_sources() if sources is None else sources
    return {name: src for name, src in sources.items() if copy_root(name, sites_dir).is_dir()}


def serve_copies(sources: dict[str, Source], sites_dir: Path = SITES_DIR,
                 root_overrides: dict[str, Path] | None = None) -> dict[str, SiteServer]:
    """Start one server per outlet copy on a free loopback port."""
    servers = {}
    try:
        for name, src in sources.items():
            root = (root_overrides or {}).get(name) or copy_root(name, sites_dir)
            if not root.is_dir():
                raise FileNotFoundError(f"no offline copy for {name!r} at {root}")
            servers[name] = SiteServer(SiteCopy(root=root, origin=src.site))
    except Exception:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: dict[str, SiteServer]) -> None:
    for server in servers.values():
        server.stop()
