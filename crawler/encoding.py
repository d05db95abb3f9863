"""Bytes of a fetched page -> text, the way a browser would decode them.

One decoder for the crawl, ``pkus reextract`` and ``pkus extract``: pages are stored
as the bytes the outlet sent, with their Content-Type, so all three decode alike.
The charset comes from the byte-order mark, then the Content-Type header, then the
page's own ``<meta charset>`` / XML declaration (w3lib's ``html_to_unicode``, the
order Scrapy's ``TextResponse`` uses); a page that declares none is detected
(charset-normalizer, which Scrapy already depends on). A page whose declared charset
is wrong (bytes that are not valid in it) is detected too, so no U+FFFD appears in
the text unless the page itself contains one.
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


def decode_page(body: bytes | str, content_type: str | None = None) -> str:
    """The page's text: declared charset (BOM, header, meta), detection when undeclared or wrong."""
    if isinstance(body, str):
        return body
    _, text = html_to_unicode(content_type or None, body, auto_detect_fun=detect_encoding)
    if REPLACEMENT in text and _UTF8_REPLACEMENT not in body:
        # the declared charset is wrong for these bytes (a windows-1252 page labelled UTF-8)
        guess = detect_encoding(body)
        if guess:
            text = body.decode(guess, errors="replace")
    return text
