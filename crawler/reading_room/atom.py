"""``.atom`` output for Datasette queries, written with feedgen.

Same column contract as the datasette-atom plugin (``atom_id``, ``atom_title``,
``atom_updated``; optional ``atom_link``, ``atom_content``, ``atom_author_name``), but an empty
result is an empty feed: datasette-atom 0.9 answers 500 when a query returns no rows
(``max()`` of no dates), and a followed search with no hits yet is normal here. Content is
always plain text (``type="text"``), so nothing scraped becomes markup in a feed reader.

A row with an ``article`` column (the article's id) links its entry to the archive's article
page (``rel="alternate"``, what a feed reader opens) and to ``atom_link``, the original on the
outlet's site, as ``rel="related"``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator

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


def render_atom(datasette, request, sql, columns, rows, database, query_name):
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(feed_title(datasette, database, query_name, request, sql))
    feed.generator("pkus-archive (Datasette)")
    dates = [_parse(row["atom_updated"]) for row in rows]
    feed.updated(max(dates, default=_parse(None)))
    for row, updated in zip(reversed(rows), reversed(dates)):  # feedgen prepends entries
        entry = feed.add_entry()
        entry.id(str(row["atom_id"]))
        entry.title(str(row["atom_title"]))
        entry.updated(updated)
        link = row["atom_link"] if "atom_link" in columns else None
        content = row["atom_content"] if "atom_content" in columns else None
        article = row["article"] if "article" in columns else None
        if article is not None:
            page = datasette.absolute_url(request, datasette.urls.row(database, "articles", str(article)))
            entry.link(href=page, rel="alternate", type="text/html")
        if link:
            entry.link(href=link, rel="related" if article is not None else "alternate")
        if content or not (link or article is not None):  # Atom wants a link or a content element in every entry
            entry.content(content or str(row["atom_title"]), type="text")
        if "atom_author_name" in columns and row["atom_author_name"]:
            entry.author({"name": row["atom_author_name"]})
    return Response(feed.atom_str(pretty=True), content_type=CONTENT_TYPE)
