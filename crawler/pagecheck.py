"""Is a fetched article page an article at all? Name what it is before extraction sees it.

A news site answers an article URL with other things too: an error page with status
200 ("soft 404"), a PDF, an empty body, a bot challenge (Cloudflare's "Just a
moment..."). Each would be extracted and scored like an article, and a relevant-looking
error page would enter the archive. :func:`not_an_article` says which one it is, so the
crawl records the reason in `failures` instead.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .encoding import decode_page

HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHALLENGE_MARKERS = (
    "cf-chl-", "challenge-platform", "cf_chl_opt", "just a moment...", "attention required! | cloudflare",
    "checking your browser before accessing", "enable javascript and cookies to continue",
    "ddos protection by", "please complete the security check", "captcha-delivery.com",
    "_incapsula_resource", "px-captcha",
)
_SOFT_404 = re.compile(
    r"(?i)(\b404\b|\b(page|article|story|content|post)s?\s+(was\s+|is\s+)?not\s+found\b|^\s*not\s+found\b"
    r"|\bno\s+longer\s+(available|exists)\b|\b(does\s+not|doesn't)\s+exist\b|\bpage\s+(is\s+)?(missing|unavailable)\b"
    r"|\bnothing\s+(was\s+)?found\b|\boops\b)")
_ARTICLE_MARKERS = re.compile(r'(?i)property=["\']og:type["\']\s+content=["\']article|"@type"\s*:\s*"(News)?Article"')


def mime_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def challenge(response) -> str | None:
    """A bot-protection challenge instead of the page (any status), or None."""
    if (response.headers.get("cf-mitigated") or b"").lower() == b"challenge":
        return "Cloudflare challenge page"
    head = response.body[:20000].decode("latin-1").lower()
    if any(m in head for m in _CHALLENGE_MARKERS):
        server = (response.headers.get("Server") or b"").decode("latin-1").lower()
        return "Cloudflare challenge page" if "cloudflare" in server or "cf-" in head else "bot challenge page"
    return None


def not_an_article(body: bytes, content_type: str | None, response=None) -> tuple[str, str] | None:
    """(reason, url state) when the page is not an article, else None. See the README for the reasons."""
    mime = mime_type(content_type)
    if body[:5] == b"%PDF-" or mime == "application/pdf":
        return "not HTML: application/pdf", "refused"
    if not body.strip():
        return "empty page", "failed"
    looks_html = re.search(rb"(?i)<(html|head|body|p|div|article)\b", body[:4096]) is not None
    if mime and mime not in HTML_TYPES and not (mime.startswith("text/") and looks_html):
        return f"not HTML: {mime}", "refused"
    if response is not None:
        blocked = challenge(response)
        if blocked:
            return f"blocked: {blocked}", "blocked"
    try:
        tree = lxml.html.fromstring(decode_page(body, content_type))
    except (etree.ParserError, ValueError):
        return None  # let extraction say what is wrong with it
    for el in tree.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    text = " ".join(tree.text_content().split())
    if not text:
        return "empty page", "failed"
    title = " ".join((tree.findtext(".//title") or "").split())
    heading = next((" ".join(h.text_content().split()) for h in tree.iter("h1")), "")
    if any(_SOFT_404.search(t) for t in (title, heading) if t) and not _ARTICLE_MARKERS.search(body[:200000].decode("latin-1")):
        return f"soft 404: the page says {(heading or title)[:80]!r}", "failed"
    return None
