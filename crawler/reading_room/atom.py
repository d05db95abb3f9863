"""``.atom`` output for Datasette queries.

Same column contract as the datasette-atom plugin (``atom_id``, ``atom_title``,
``atom_updated``; optional ``atom_link``, ``atom_content``, ``atom_author_name``), but an empty
result is an empty feed: datasette-atom 0.9 answers 500 when a query returns no rows
(``max()`` of no dates), and a followed search with no hits yet is normal here. Content is
always plain text (``type="text"``), so nothing scraped becomes markup in a feed reader.

A row with an ``article`` column (the article's id) links its entry to the archive's article
page (``rel="alternate"``, what a feed reader opens) and to ``atom_link``, the original on the
outlet's site, as ``rel="related"``. (Written with ElementTree: feedgen 1.0 drops the ``rel``
and ``type`` of every entry link, so both links would read as "alternate".)
"""

from __future__ import annotations

from datetime import datetime, timezone

from xml.etree import ElementTree as ET

from datasette.utils.asgi import Response

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = "1970-01-01T00:00:00+00:00"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def _parse(value: str | None) -> datetime:
    parsed = datetime.fromisoformat(value or EPOCH)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def feed_title(datasette, database: str, query_name: str | None, request, sql: str) -> str:
    title = sql
    if query_name:
        query = (datasette.metadata(database=database) or {}).get("queries", {}).get(query_name) or {}
        title = query.get("title") or query_name
    searched = request.args.get("q")
    return f"{title}: {searched}" if searched else title


def _add(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def render_atom(datasette, request, sql, columns, rows, database, query_name):
    feed = ET.Element("feed", xmlns=ATOM)
    _add(feed, "id", request.url)
    _add(feed, "title", feed_title(datasette, database, query_name, request, sql))
    dates = [_parse(row["atom_updated"]) for row in rows]
    _add(feed, "updated", max(dates, default=_parse(None)).isoformat())
    _add(feed, "link", href=request.url, rel="self")
    _add(feed, "generator", "pkus-archive (Datasette)")
    for row, updated in zip(rows, dates):
        entry = _add(feed, "entry")
        _add(entry, "id", str(row["atom_id"]))
        _add(entry, "title", str(row["atom_title"]))
        _add(entry, "updated", updated.isoformat())
        if "atom_author_name" in columns and row["atom_author_name"]:
            _add(_add(entry, "author"), "name", str(row["atom_author_name"]))
        link = row["atom_link"] if "atom_link" in columns else None
        content = row["atom_content"] if "atom_content" in columns else None
        article = row["article"] if "article" in columns else None
        if article is not None:
            page = datasette.absolute_url(request, datasette.urls.row(database, "articles", str(article)))
            _add(entry, "link", href=page, rel="alternate", type="text/html")
        if link:
            _add(entry, "link", href=str(link), rel="related" if article is not None else "alternate")
        if content or not (link or article is not None):  # Atom wants a link or a content element in every entry
            _add(entry, "content", str(content or row["atom_title"]), type="text")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response("<?xml version='1.0' encoding='UTF-8'?>\n" + body, content_type=CONTENT_TYPE)
