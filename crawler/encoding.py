"""Bytes of a fetched page -> text, the way a browser would decode them.

One decoder for the crawl, ``pkus reextract`` and ``pkus extract``: pages are stored
as the bytes the outlet sent, with their Content-Type, so all three decode alike.
The charset comes from the byte-order mark, then the Content-Type header, then the
page's own ``<meta charset>`` / XML declaration (w3lib's ``html_to_unicode``, the
order Scrapy's ``TextResponse`` uses); a page that declares none is detected
(charset-normalizer, which Scrapy already depends on). A page whose declared charset
is wrong (bytes that are not valid in it) is detected too, so no U+FFFD appears in
the text unless the page itself contains one; and bytes that are UTF-8 beyond ASCII are read
as UTF-8 whatever the page's own meta says, unless a Content-Type header names a charset (a
saved page is re-encoded as UTF-8 and keeps its old ``<meta charset>``).
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode, resolve_encoding

REPLACEMENT = "\ufffd"
_UTF8_REPLACEMENT = REPLACEMENT.encode("utf-8")


def detect_encoding(body: bytes) -> str | None:
    """UTF-8 when the bytes are valid UTF-8 (ASCII included), else charset-normalizer's best guess."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    match = from_bytes(body).best()
    guess = resolve_encoding(match.encoding) if match else None
    if not guess or guess.startswith(("utf-16", "utf-32")):
        # HTML in UTF-16/32 carries a BOM (read before this); a short page fools the detector
        return "cp1252"
    return guess


def _is_utf8_beyond_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def decode_page(body: bytes | str, content_type: str | None = None) -> str:
    """The page's text: declared charset (BOM, header, meta), detection when undeclared or wrong."""
    if isinstance(body, str):
        return body
    declared, text = html_to_unicode(content_type or None, body, auto_detect_fun=detect_encoding)
    if declared != "utf-8" and "charset" not in (content_type or "").lower() and _is_utf8_beyond_ascii(body):
        # no header says otherwise, and the bytes are UTF-8 though the page's meta names another charset:
        # a page saved by a browser or a tool is re-encoded as UTF-8 and keeps its old <meta charset>
        # (text in a legacy charset is almost never valid UTF-8 once it has a byte beyond ASCII)
        return body.decode("utf-8")
    if REPLACEMENT in text and _UTF8_REPLACEMENT not in body:
        # the declared charset is wrong for these bytes (a windows-1252 page labelled UTF-8)
        guess = detect_encoding(body)
        if guess:
            text = body.decode(guess, errors="replace")
    return text
