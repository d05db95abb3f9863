"""The reading room: pkus-archive as a Datasette plugin.

Installed with the project (entry point ``datasette`` in pyproject.toml), so ``pkus serve`` and
plain ``datasette archive.db -m datasette/metadata.yml`` serve the same thing: this module's
hooks, its ``templates/`` and ``static/``.

- ``/search`` (and ``/search.json``), ``/coverage``: the plugin's own pages (:mod:`.pages`); the
  home page gets an overview of the archive.
- One search language everywhere (:mod:`crawler.query`): the search page, ``?_search=`` on
  tables (repaired before Datasette hands it to FTS5) and the ``pkus_fts(text)`` SQL function.
- Article and story row pages get their data here and render it in autoescaped templates;
  nothing scraped is ever marked safe (only the ``<mark>`` tags around highlighted words are).
- Dates are shown in Pakistan time, with UTC on hover.
- Static files get an ETag and a ``Cache-Control``; datasette-gzip compresses every response.
- ``.atom`` output for any query returning ``atom_id``, ``atom_title``, ``atom_updated``:
  see :mod:`.atom`.
- The whole database file may not be downloaded, whatever the settings.
- The articles table page stays fast at a million rows (ranked, limited search; no facet
  suggestions; the whole table's counts kept): see :mod:`.tables`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from asgi_gzip import GZipMiddleware
from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound
from markupsafe import Markup, escape

from .. import localtime
from ..query import fts_query
from ..search import json_list
from .atom import render_atom
from .pages import ROUTES, archive_database, overview
from .tables import is_archive_articles, prepare, quiet_facets, replace_search

STATIC = Path(__file__).parent / "static"
TYPED_SEARCH = "pkus.typed_search"  # ASGI scope key: ?_search= as typed, before the rewrite
CSS_VERSION = hashlib.sha256((STATIC / "pkus.css").read_bytes()).hexdigest()[:10]
# the articles table's columns worth reading; the others (body, hashes, raw dates, relevance terms)
# are one click away ("all columns"), or any ?_col= / ?_nocol= the reader picks
ARTICLE_COLUMNS = ["id", "title", "source", "published", "sectors", "author", "word_count", "story_id"]
READING_COLUMNS = ARTICLE_COLUMNS[1:]  # as ?_col= (the primary key always comes)
TIME_COLUMNS = {"published", "modified", "first_seen", "last_seen", "first_published", "last_published",
                "started", "finished", "at", "fetched", "last_fetched", "replaced", "updated", "last_article",
                "last_successful_run", "next_try"}
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
STORY_PICKER_SQL = """
select id, title, article_count, last_published from stories
order by last_published desc, id desc limit 200
"""


@hookimpl
def prepare_connection(conn):
    conn.create_function("pkus_fts", 1, fts_query, deterministic=True)


@hookimpl
def startup(datasette):
    return lambda: prepare(datasette)


@hookimpl(hookwrapper=True)
def filters_from_request(request, database, table, datasette):
    outcome = yield
    replace_search(outcome, request, database, table, datasette, request.scope.get(TYPED_SEARCH))


@hookimpl(hookwrapper=True)
def register_facet_classes():
    outcome = yield
    outcome.force_result(quiet_facets(outcome.get_result()))


def _repair_search(app):
    """Read ``?_search=`` with the archive's search language before Datasette hands it to FTS5
    (searchmode raw); what was typed stays in the scope for the page's links."""

    async def repaired(scope, receive, send):
        if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
            pairs = parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True)
            typed = dict(pairs).get("_search", "")
            pairs = [(k, fts_query(v) if k.startswith("_search") and k != "_searchmode" and v.strip() else v)
                     for k, v in pairs]
            scope = {**scope, "query_string": urlencode(pairs).encode(), TYPED_SEARCH: typed}
        await app(scope, receive, send)

    return repaired


def reading_columns(args) -> bool:
    """Does the page show the reading columns, the reader having chosen no others?"""
    if "_nocol" in args or "_allcols" in args:
        return False
    return args.getlist("_col") in ([], READING_COLUMNS) if hasattr(args, "getlist") else not args.get("_col")


def _reading_columns_only(app, datasette):
    """The articles table page (HTML) selects only the reading columns unless the reader chose:
    rendering every cell of ~30 columns costs more than the page's queries. Its links then carry
    them (``_col=``); the JSON and CSV of the table keep every column."""

    async def narrowed(scope, receive, send):
        parts = scope.get("path", "").strip("/").split("/")
        if scope.get("type") == "http" and len(parts) == 2 and is_archive_articles(datasette, tilde_decode(parts[0]), parts[1]):
            pairs = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
            if not any(k in ("_col", "_nocol", "_allcols") for k, _ in pairs):
                scope = {**scope, "query_string": urlencode(pairs + [("_col", c) for c in READING_COLUMNS]).encode()}
        await app(scope, receive, send)

    return narrowed


def _cache_static(app):
    """Static files get a validator and a lifetime, so a browser downloads each once.

    A URL with a version (``?v=...``, ``app.css?hash``) never changes: cached for a year. Others
    for an hour, then revalidated with the ETag (a 304, no body)."""

    async def cached(scope, receive, send):
        if scope.get("type") != "http" or "/-/static" not in scope.get("path", ""):
            await app(scope, receive, send)
            return
        start, body = {}, []

        async def collect(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await app(scope, receive, collect)
        content = b"".join(body)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"cache-control", b"etag")]
        status = start.get("status", 200)
        if status == 200:
            etag = b'W/"' + hashlib.sha256(content).hexdigest()[:20].encode() + b'"'
            lifetime = b"public, max-age=31536000, immutable" if scope.get("query_string") else b"public, max-age=3600"
            headers += [(b"etag", etag), (b"cache-control", lifetime)]
            asked = dict(scope.get("headers") or []).get(b"if-none-match", b"")
            if etag in [t.strip() for t in asked.split(b",")]:
                status, content = 304, b""
                headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return cached


# datasette-gzip compresses at level 9: ~0.1 s of CPU for one page of articles' JSON, several times
# the query. Level 1 costs a fifth of that for a fifth more bytes; datasette-gzip passes an already
# compressed response through.
GZIP_LEVEL = 1


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: GZipMiddleware(_reading_columns_only(_repair_search(_cache_static(app)), datasette),
                                      compresslevel=GZIP_LEVEL)


@hookimpl
def register_routes():
    return ROUTES


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/search"), "label": "Search the articles"},
            {"href": datasette.urls.path("/coverage"), "label": "Coverage per month"}]


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
    return [datasette.urls.static_plugins("pkus-archive", "pkus.css") + f"?v={CSS_VERSION}"]


def local_time(value, with_time: bool = True) -> Markup | str:
    """``<time>`` in Pakistan time, UTC in its hover title; a bare date stays that date."""
    shown = localtime.shown(value if isinstance(value, str) else None, with_time=with_time)
    if shown is None:
        return value if value else "unknown"
    return Markup('<time datetime="{}" title="{}">{}</time>').format(shown.iso, shown.utc, shown.text)


def marked(parts) -> Markup:
    """Text pieces from crawler.search, escaped, with the highlighted ones in <mark>."""
    return Markup("").join(Markup("<mark>{}</mark>").format(text) if hit else escape(text) for text, hit in parts)


def when(value: str | None) -> str:
    """Plain text Pakistan time, for places that cannot hold markup (titles)."""
    shown = localtime.shown(value)
    return shown.text if shown else "unknown"


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["pkus_time"] = local_time
    env.filters["pkus_when"] = when
    env.filters["pkus_marked"] = marked


BODY_PREVIEW = 280


def _sector_chips(value, href: str) -> Markup | None:
    sectors = json_list(value)
    if not sectors:
        return None
    return Markup(" ").join(Markup('<a class="pkus-tag" href="{}?{}">{}</a>').format(
        href, urlencode({"sectors__arraycontains": s}), s) for s in sectors)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Titles link to the article page; text in lists is a short preview; times are local; sectors are chips.

    In query results the link needs an ``article`` column (the article's id) in the row.
    """
    keys = row.keys()
    if column in TIME_COLUMNS and isinstance(value, str) and localtime.parse(value) is not None:
        return local_time(value)
    if column == "sectors" and isinstance(value, str):
        return _sector_chips(value, datasette.urls.table(database, "articles"))
    article = row["id"] if table == "articles" and "id" in keys else (
        row["article"] if table is None and "article" in keys else None)
    if table == "articles" and column == "body" and isinstance(value, str) and len(value) > BODY_PREVIEW:
        return value[:BODY_PREVIEW].rsplit(" ", 1)[0] + " …"
    if not isinstance(article, int) or column not in ("title", "article"):
        return None
    text = f"#{article}" if column == "article" else (value or "(untitled)")
    href = datasette.urls.row(database, "articles", str(article))
    return Markup('<a href="{}">{}</a>').format(href, escape(text))


async def _rows(db, sql: str, params: dict) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def article_page(db, article_id: str) -> dict | None:
    rows = await _rows(db, ARTICLE_PAGE_SQL, {"id": article_id})
    if not rows:
        return None
    article = rows[0]
    article["paragraphs"] = [p for p in (article["body"] or "").split("\n\n") if p.strip()]
    article["sectors"] = json_list(article["sectors"])
    article["tags"] = json_list(article["tags"])
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
    story["articles"] = await _rows(db, STORY_ARTICLES_SQL, {"story": story["id"]})
    names = {r["spider"]: r["name"] for r in await _rows(db, "select spider, name from sources", {})}
    story["outlets"] = [names.get(o, o) for o in json_list(story["outlets"])] or \
        list(dict.fromkeys(a["outlet"] for a in story["articles"]))
    return story


async def _is_archive(db) -> bool:
    return {"articles", "sources", "stories"} <= set(await db.table_names())


@hookimpl
def extra_template_vars(view_name, table, request, datasette):
    async def inner():
        if request is None:
            return {}
        if view_name == "index":
            try:
                database, db = await archive_database(datasette)
            except NotFound:  # no archive served: the plain Datasette index
                return {}
            return {"pkus_db": database, "pkus_overview": await overview(datasette, db)}
        database = request.url_vars.get("database")
        if not database or database not in datasette.databases:
            return {}
        db = datasette.get_database(database)
        if not await _is_archive(db):
            return {}
        if view_name == "table" and table == "articles":
            search = request.scope.get(TYPED_SEARCH, request.args.get("_search", ""))
            feed = datasette.urls.query(database, "feed", format="atom")
            return {"pkus_feed": feed + ("?" + urlencode({"q": search}) if search else ""), "pkus_typed": search,
                    "pkus_columns": ARTICLE_COLUMNS if reading_columns(request.args) else None,
                    "pkus_all_columns": len(await db.table_columns("articles")),
                    "pkus_search_link": datasette.urls.path("/search") + ("?" + urlencode({"q": search}) if search else "")}
        if view_name in ("query", "table") and request.url_vars.get("table") == "story_timeline":
            return {"pkus_stories": await _rows(db, STORY_PICKER_SQL, {}),
                    "pkus_story_choice": request.args.get("story", "")}
        if view_name != "row" or table not in ("articles", "stories"):
            return {}
        key = tilde_decode(request.url_vars["pks"])
        if table == "articles":
            return {"pkus_article": await article_page(db, key)}
        return {"pkus_story": await story_page(db, key)}

    return inner
