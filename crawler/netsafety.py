"""Network safety for every crawl: stay on the outlet's hosts, refuse private addresses, honour Retry-After.

Scrapy components, enabled in ``crawler/settings.py``, so the spider stays about discovery:

- :class:`SiteGuardMiddleware` (first in the downloader chain, before robots.txt is
  fetched) lets a request through only to one of the outlet's hosts (``hosts`` in the
  source file, default the site's host; the local copy's address when crawling one).
  Every redirect hop, 30x or ``<meta refresh>``, comes through it again, so an off-site
  redirect is refused before anything is fetched from the other host (its robots.txt
  included), and a redirect back to a URL already in the chain is a redirect loop.
  Outside a local copy, a host that resolves to a loopback, private, link-local or
  otherwise non-global address is refused too.
- :class:`RedirectHopDupeFilter` lets redirect hops past Scrapy's duplicate filter,
  which would otherwise drop the hop that closes a loop without a trace.
- :class:`RetryAfterMiddleware` pauses the whole outlet for a 429/503's ``Retry-After``
  (capped) before Scrapy's RetryMiddleware tries again.

Size caps are Scrapy's own ``DOWNLOAD_MAXSIZE`` (per outlet, from ``max_size``), which
the HTTP handler enforces on the wire and HttpCompressionMiddleware while it inflates.
:func:`describe_failure` turns whatever went wrong into the reason and URL state the
archive records.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import run_in_thread, sleep
from scrapy.utils.defer import deferred_from_coro

from .pagecheck import challenge

logger = logging.getLogger(__name__)
DEFAULT_PORTS = {"http": 80, "https": 443}
MiB = 1024 * 1024


class Refused(IgnoreRequest):
    """A request the crawler will not make; ``state`` is what the URL becomes in `urls`."""

    def __init__(self, reason: str, state: str = "refused"):
        super().__init__(reason)
        self.reason = reason
        self.state = state


def netloc_key(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(parts.scheme)


def parse_host(entry: str) -> tuple[str, int | None]:
    """A `hosts` entry: ``www.dawn.com`` (any port) or ``127.0.0.1:8123`` (that port only)."""
    host, _, port = entry.lower().rpartition(":") if re.search(r":\d+$", entry) else (entry.lower(), "", "")
    return host, int(port) if port else None


def twin(host: str) -> str:
    """``www.dawn.com`` <-> ``dawn.com``: the other name a site commonly answers to."""
    return host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"


def is_public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_global


class SiteGuardMiddleware:
    """Refuse requests that leave the outlet's hosts, loop, or reach a non-public address."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.addresses: dict[str, list[str] | str] = {}  # host -> its addresses, or why it has none
        self.allowed: set[tuple[str, int | None]] | None = None
        self.local_copy = False

    @classmethod
    def from_crawler(cls, crawler):
        guard = cls(crawler)
        crawler.signals.connect(guard.count_bytes, signal=signals.bytes_received)
        return guard

    @staticmethod
    def count_bytes(data, request, spider=None):
        # Scrapy cancels a body that outgrows DOWNLOAD_MAXSIZE with a bare CancelledError;
        # the count says that this is why (see process_exception)
        request.meta["pkus_received"] = request.meta.get("pkus_received", 0) + len(data)

    def _setup(self) -> None:
        spider = self.crawler.spider
        source = spider.source
        base = netloc_key(spider.base)
        site_host = netloc_key(source.site)[0]
        # default: the site's host (any port, or only the port the site names, e.g. a fixed local copy)
        # and its www./bare twin, which the spider takes for the same site (a redirect between them is common)
        hosts = {parse_host(h) for h in (source.hosts or (urlsplit(source.site).netloc,))}
        twins = {site_host, twin(site_host)}
        if not source.hosts:
            hosts |= {(twin(h), p) for h, p in hosts}
        if base[0] != site_host:
            # crawling a copy: its address stands for the site's host (which must not be fetched live)
            hosts = {h for h in hosts if h[0] not in twins} | {base}
        self.allowed = hosts
        self.local_copy = not self._public_host(base[0])

    @staticmethod
    def _public_host(host: str) -> bool:
        try:
            return is_public(host)
        except ValueError:
            return host != "localhost" and not host.endswith(".localhost")

    def allowed_host(self, url: str) -> bool:
        host, port = netloc_key(url)
        return any(host == h and (p is None or p == port) for h, p in self.allowed)

    async def process_request(self, request):
        if self.allowed is None:
            self._setup()
        request.meta["pkus_received"] = 0  # this attempt's bytes (a retry copies the meta)
        chain = request.meta.get("redirect_urls", [])
        if request.url in chain:
            hops = " -> ".join([*chain[chain.index(request.url):], request.url])
            raise Refused(f"redirect loop: {hops}", state="failed")
        if not self.allowed_host(request.url):
            self.crawler.stats.inc_value("pkus/refused/offsite")
            reasons = request.meta.get("redirect_reasons", [])
            private = "" if self._public_host(netloc_key(request.url)[0]) else " (a private address)"
            if reasons:
                how = "meta refresh" if reasons[-1] == "meta refresh" else f"redirect (HTTP {reasons[-1]})"
                raise Refused(f"off-site {how} to {request.url}{private}")
            raise Refused(f"off-site URL {request.url}{private}")
        if not self.local_copy:
            await self._check_address(request.url)
        return None

    async def _check_address(self, url: str) -> None:
        host, port = netloc_key(url)
        if host not in self.addresses:
            try:
                infos = await run_in_thread(socket.getaddrinfo, host, port, proto=socket.IPPROTO_TCP)
                self.addresses[host] = sorted({info[4][0] for info in infos})
            except OSError as exc:  # socket.gaierror: no such host, or no network at all
                self.addresses[host] = f"DNS lookup failed for {host} ({exc.strerror or exc}); is the network up?"
        found = self.addresses[host]
        if isinstance(found, str):
            self.crawler.stats.inc_value("pkus/refused/dns")
            if host == netloc_key(self.crawler.spider.base)[0] and not self.crawler.stats.get_value("pkus/unreachable"):
                # the outlet's own host has no address (offline?): nothing of it can be fetched
                # this run, so end it now rather than fail every request in turn
                self.crawler.stats.set_value("pkus/unreachable", found)
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="failed"))
            raise Refused(found, state="failed")
        private = [a for a in found if not is_public(a)]
        if private:
            self.crawler.stats.inc_value("pkus/refused/private")
            raise Refused(f"private address: {host} resolves to {', '.join(private)}")

    def process_exception(self, request, exception):
        # Runs last (this middleware is first in the chain), after RetryMiddleware passed.
        limit = request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        if type(exception).__name__ == "DownloadCancelledError" and limit \
                and ("max size" in str(exception) or request.meta.get("pkus_received", 0) > limit):
            self.crawler.stats.inc_value("pkus/refused/too_large")
            raise Refused(f"too large: over the download cap (limit {limit / MiB:g} MiB)")
        # a robots.txt that could not be fetched means "no rules", as Scrapy treats it,
        # without the traceback Scrapy would log for it
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt") \
                and not isinstance(exception, IgnoreRequest):
            raise IgnoreRequest(f"robots.txt unavailable: {type(exception).__name__}")
        return None


class RedirectHopDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, except that redirect hops always reach SiteGuardMiddleware."""

    def request_seen(self, request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        return super().request_seen(request)


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """A Retry-After header (delta seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RetryAfterMiddleware:
    """Honour Retry-After on 429 and 503: every request to this outlet waits (up to the cap)."""

    CODES = (429, 503)

    def __init__(self, crawler):
        self.crawler = crawler
        self.resume_at = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        wait = self.resume_at - time.monotonic()
        if wait > 0:
            await sleep(wait)
        return None

    def process_response(self, request, response):
        if response.status in self.CODES:
            seconds = retry_after_seconds(response.headers.get("Retry-After"))
            if seconds is not None:
                cap = self.crawler.settings.getfloat("PKUS_RETRY_AFTER_MAX")
                self.resume_at = max(self.resume_at, time.monotonic() + min(seconds, cap))
                self.crawler.stats.inc_value("pkus/retry_after")
                if seconds > cap:  # "come back in an hour": a later run will, not this one
                    request.meta["dont_retry"] = True
        return response


def _too_large(message: str) -> str | None:
    sizes = re.findall(r"\((\d+)(?: B)?\)", message)
    if "DOWNLOAD_MAXSIZE" in message or "max size" in message:
        limit = f" (limit {int(sizes[-1]) / MiB:g} MiB)" if sizes else ""
        where = " once decompressed" if "decompress" in message else ""
        return f"too large: over the download cap{where}{limit}"
    return None


_EXCEPTION_REASONS = {
    "DownloadTimeoutError": "timeout: no complete answer within the download timeout",
    "TimeoutError": "timeout: no complete answer within the download timeout",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "CannotResolveHostError": "DNS lookup failed",
    "DNSLookupError": "DNS lookup failed",
    "ResponseDataLossError": "truncated body: the connection closed before the whole page arrived",
    "ConnectionLost": "connection lost: the server reset or closed the connection",
    "ConnectionDone": "connection lost: the server reset or closed the connection",
    "DownloadFailedError": "connection lost: the server reset or closed the connection",
    "ResponseFailed": "connection lost: the server reset or closed the connection",
    "ResponseNeverReceived": "connection lost: the server reset or closed the connection",
    "BadGzipFile": "bad compressed body: it does not decode as its Content-Encoding says",
    "DecompressionError": "bad compressed body: it does not decode as its Content-Encoding says",
}


def describe_failure(failure) -> tuple[str, str]:
    """(reason, url state) for a failed request, as the archive records it (see the README)."""
    exc = failure.value
    if isinstance(exc, Refused):
        return exc.reason, exc.state
    message = str(exc)
    if isinstance(exc, HttpError):  # (an IgnoreRequest too)
        response = exc.response
        blocked = challenge(response)
        if blocked:
            return f"blocked: {blocked} (HTTP {response.status})", "blocked"
        reason = f"HTTP {response.status}"
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is not None:
            reason += f" (Retry-After {seconds:.0f} s)"
        return reason, "failed"
    if isinstance(exc, IgnoreRequest):
        if "robots" in message.lower():
            return "disallowed by robots.txt", "disallowed"
        if "max redirections" in message:
            return "too many redirects", "failed"
        large = _too_large(message)
        return (large, "refused") if large else (f"ignored: {message}", "failed")
    large = _too_large(message)
    if large:
        return large, "refused"
    name = type(exc).__name__
    if name in _EXCEPTION_REASONS:
        return _EXCEPTION_REASONS[name], "failed"
    return f"{name}: {message}", "failed"
