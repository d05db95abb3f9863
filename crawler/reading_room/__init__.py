"""The reading room: pkus-archive as a Datasette plugin.

Installed with the project (entry point ``datasette`` in pyproject.toml), so ``pkus serve`` and
plain ``datasette archive.db -m datasette/metadata.yml`` serve the same thing: this module's
hooks, its ``templates/`` (article and story pages, home page) and ``static/``.

- ``pkus_fts(text)`` SQL function and ``?_search=`` repair: see :mod:`.search`.
- Article and story row pages get their data here and render it in autoescaped templates;
  nothing scraped is ever marked safe.
- ``.atom`` output for any query returning ``atom_id``, ``atom_title``, ``atom_updated``:
  see :mod:`.atom`.
- The whole database file may not be downloaded, whatever the settings.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup, escape

from .atom import render_atom
from .search import fts_query

ARTICLE_PAGE_SQL = """
select a.*, s.name as outlet, s.site as outlet_site, s.description as outlet_description,
       (select count(*) from article_versions v where v.article_id = a.id) as earlier_versions
from articles a left join sources s on s.spider = a.source
where a.id = :id
"""
STORY_ARTICLES_SQL = """
select a.id, a.title, a.published, a.author, a.url, a.duplicate_of, coalesce(s.name, a.source) as outlet
from articles a left join sources s on s.spider = a.source
where a.story_id = :story
order by a.published, a.id
"""
ARTICLE_ENTITIES_SQL = """
select e.name, e.kind, ae.mentions from article_entities ae join entities e on e.id = ae.entity_id
where ae.article_id = :id order by ae.mentions desc, e.name
"""


@hookimpl
def prepare_connection(conn):
    conn.create_function("pkus_fts", 1, fts_query, deterministic=True)


@hookimpl
def asgi_wrapper():
    """Repair ``?_search=`` values before Datasette hands them to FTS5 (searchmode raw)."""

    def wrap(app):
        async def repaired(scope, receive, send):
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                pairs = parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True)
                pairs = [(k, fts_query(v) if k.startswith("_search") and k != "_searchmode" and v.strip() else v)
                         for k, v in pairs]
                scope = {**scope, "query_string": urlencode(pairs).encode()}
            await app(scope, receive, send)

        return repaired

    return wrap


@hookimpl
def permission_allowed(action):
    if action == "view-database-download":
        return False  # article text belongs to its publishers: no one-click copy of the whole archive
    return None


@hookimpl
def register_output_renderer():
    return {"extension": "atom", "render": render_atom,
            "can_render": lambda columns: {"atom_id", "atom_title", "atom_updated"} <= set(columns)}


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("pkus-archive", "pkus.css")]


def when(value: str | None) -> str:
    """``2026-03-11T14:21:37+00:00`` as ``11 Mar 2026, 14:21 UTC`` (archive times are UTC)."""
    if not value:
        return "unknown"
    try:
        if len(value) == 10:  # a date the page gave without a time of day: no made-up midnight
            return datetime.fromisoformat(value).strftime("%-d %b %Y")
        return datetime.fromisoformat(value).strftime("%-d %b %Y, %H:%M UTC")
    except ValueError:
        return value


def chart(color: str) -> str:
    """datasette-vega's URL fragment for a stacked bar chart of articles per month, coloured by ``color``."""
    return urlencode({"g.mark": "bar", "g.x_column": "month", "g.x_type": "ordinal", "g.y_column": "articles",
                      "g.y_type": "quantitative", "g.color_column": color, "g.color_type": "nominal"})


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["pkus_when"] = when
    env.globals["pkus_chart"] = chart


BODY_PREVIEW = 280


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Titles link to the article page; article text in lists is a short preview.

    In query results the link needs an ``article`` column (the article's id) in the row.
    """
    keys = row.keys()
    article = row["id"] if table == "articles" and "id" in keys else (
        row["article"] if table is None and "article" in keys else None)
    if table == "articles" and column == "body" and isinstance(value, str) and len(value) > BODY_PREVIEW:
        return value[:BODY_PREVIEW].rsplit(" ", 1)[0] + " …"
    if not isinstance(article, int) or column not in ("title", "article"):
        return None
    text = f"#{article}" if column == "article" else (value or "(untitled)")
    href = datasette.urls.row(database, "articles", str(article))
    return Markup('<a href="{}">{}</a>').format(href, escape(text))


def _json_list(value) -> list:
    try:
        parsed = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


async def _rows(db, sql: str, params: dict) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def article_page(db, article_id: str) -> dict | None:
    rows = await _rows(db, ARTICLE_PAGE_SQL, {"id": article_id})
    if not rows:
        return None
    article = rows[0]
    article["paragraphs"] = [p for p in (article["body"] or "").split("\n\n") if p.strip()]
    article["sectors"] = _json_list(article["sectors"])
    article["tags"] = _json_list(article["tags"])
    article["people"] = await _rows(db, ARTICLE_ENTITIES_SQL, {"id": article["id"]})
    article["story"] = None
    if article["story_id"] is not None:
        story = await _rows(db, "select * from stories where id = :id", {"id": article["story_id"]})
        article["story"] = story[0] if story else {"id": article["story_id"], "title": None}
        article["story_articles"] = [a for a in await _rows(db, STORY_ARTICLES_SQL, {"story": article["story_id"]})
                                     if a["id"] != article["id"]]
    return article


async def story_page(db, story_id: str) -> dict | None:
    rows = await _rows(db, "select * from stories where id = :id", {"id": story_id})
    if not rows:
        return None
    story = rows[0]
    story["outlets"] = _json_list(story["outlets"])
    story["articles"] = await _rows(db, STORY_ARTICLES_SQL, {"story": story["id"]})
    return story


async def _is_archive(db) -> bool:
    return {"articles", "sources", "stories"} <= set(await db.table_names())


async def _archive_name(datasette) -> str | None:
    """The database that holds the archive (the file may have any name)."""
    for name, db in datasette.databases.items():
        if await _is_archive(db):
            return name
    return None


@hookimpl
def extra_template_vars(view_name, table, request, datasette):
    async def inner():
        if view_name == "index":
            return {"pkus_db": await _archive_name(datasette)}
        if view_name == "table" and table == "articles" and request is not None:
            database = request.url_vars["database"]
            search = request.args.get("_search", "")
            feed = datasette.urls.query(database, "feed", format="atom")
            return {"pkus_feed": feed + ("?" + urlencode({"q": search}) if search else "")}
        if view_name != "row" or table not in ("articles", "stories") or request is None:
            return {}
        db = datasette.get_database(request.url_vars["database"])
        if not await _is_archive(db):
            return {}
        key = tilde_decode(request.url_vars["pks"])
        if table == "articles":
            return {"pkus_article": await article_page(db, key)}
        return {"pkus_story": await story_page(db, key)}

    return inner
