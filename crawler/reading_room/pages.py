"""The reading room's own pages: search (``/search``), coverage charts (``/coverage``), and the
home page's overview. Registered with Datasette's ``register_routes``, so plain ``datasette``
serves them too.
"""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import urlencode

from datasette.database import QueryInterrupted, Results
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from .. import localtime
from ..search import Search, run, time_limit
from .charts import month_label, series_by_month, stacked_months

LATEST_SQL = """
select a.id, a.title, a.published, coalesce(s.name, a.source) as outlet
from articles a left join sources s on s.spider = a.source
order by a.published desc, a.id desc limit :n
"""
SPAN_SQL = """
select (select count(*) from articles) as articles, (select count(*) from stories) as stories,
       (select count(*) from sources) as outlets,
       (select min(published) from articles) as first, (select max(published) from articles) as last
"""
COVERAGE_SQL = {
    # grouped on the (source, published) index alone; outlet names joined to the groups, not the rows
    "outlet": f"""
        select month, key, coalesce((select name from sources where spider = key), key) as label, articles
        from (select {localtime.LOCAL_MONTH_SQL.format(col="published")} as month, source as key, count(*) as articles
              from articles where published is not null group by month, source)""",
    "sector": f"""
        select {localtime.LOCAL_MONTH_SQL.format(col="a.published")} as month, sector.value as key,
               sector.value as label, count(*) as articles
        from articles a join json_each(coalesce(a.sectors, '[]')) sector
        where a.published is not null group by month, sector.value""",
}
# one row per outlet: how it is doing, at a glance (the outlet_health canned query has the details)
HEALTH_SQL = """
select s.spider, s.name,
       (select count(*) from articles a where a.source = s.spider) as articles,
       (select max(a.published) from articles a where a.source = s.spider) as newest,
       (select max(r.finished) from crawl_runs r where r.spider = s.spider and r.status = 'finished') as last_ok,
       (select r.status from crawl_runs r where r.spider = s.spider order by r.started desc limit 1) as last_status,
       (select count(*) from urls u where u.source = s.spider and u.state = 'failed') as failing
from sources s order by s.name
"""
CHIP_NAMES = {"source": "outlet", "sector": "sector", "month": "month", "person": "person", "since": "from",
              "until": "to"}
_cache: dict = {}
# Aggregates over every article run once per change of the archive, so they may take longer than
# Datasette's per-query limit (1 s); past this they are left out rather than holding the page up.
AGGREGATE_TIME_LIMIT_MS = 10_000


def signature(db) -> tuple:
    """Changes whenever the archive does: the file and its WAL (a commit lands in the WAL first)."""
    stats = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(str(db.path) + suffix)
            stats.append((st.st_mtime_ns, st.st_size))
        except (OSError, TypeError):
            stats.append(None)
    return tuple(stats)


async def cached(db, key: str, sql: str, params: dict | None = None) -> list[dict] | None:
    """Rows of an aggregate over the whole archive, computed again only after the archive changed
    (None if it took longer than AGGREGATE_TIME_LIMIT_MS: the page then goes without it)."""
    version = (db.name, key, signature(db))
    if version not in _cache:
        try:
            rows = [dict(r) for r in (await db.execute_fn(aggregate(sql, params))).rows]
        except QueryInterrupted:
            return None
        for old in [k for k in _cache if k[:2] == version[:2]]:
            del _cache[old]
        _cache[version] = rows
    return _cache[version]


def aggregate(sql: str, params: dict | None = None, seconds: float = AGGREGATE_TIME_LIMIT_MS / 1000):
    """For ``db.execute_fn``: ``sql`` with its own time limit (Datasette's ``custom_time_limit``
    may only shorten its 1 s ``sql_time_limit_ms``)."""
    def run(conn):
        try:
            with time_limit(conn, seconds):
                cursor = conn.execute(sql, params or {})
                return Results(cursor.fetchall(), False, cursor.description)
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc).lower():
                raise QueryInterrupted(exc, sql, params or {}) from exc
            raise

    return run


def coverage_chart(rows: list[dict] | None, by: str, title: str, **size) -> dict:
    if rows is None:
        return {"by": by, "title": title, "months": [], "series": [],
                "svg": Markup('<p class="pkus-chart-empty">Too many articles to count in time; see the canned query.</p>')}
    months, series = series_by_month(rows, "key", "label")
    return {"by": by, "title": title, "svg": stacked_months(months, series, title, **size), "months": months,
            "series": series}


async def overview(datasette, db) -> dict:
    """The home page's numbers: size, span, latest headlines, coverage per month, outlets' health."""
    span = (await cached(db, "span", SPAN_SQL) or [{"articles": 0, "stories": 0, "outlets": 0, "first": None,
                                                     "last": None}])[0]
    latest = [dict(r) for r in (await db.execute(LATEST_SQL, {"n": 8})).rows]
    health = []
    for row in await cached(db, "health", HEALTH_SQL) or []:
        state = "ok" if row["last_status"] == "finished" and not row["failing"] else (
            "never" if row["last_status"] is None else ("down" if row["last_status"] in ("failed", "killed") else "warn"))
        health.append({**row, "state": state})
    return {
        "span": {**span, "first_shown": localtime.shown(span["first"], with_time=False),
                 "last_shown": localtime.shown(span["last"], with_time=False)},
        "latest": latest,
        "chart": coverage_chart(await cached(db, "coverage-outlet", COVERAGE_SQL["outlet"]), "outlet",
                                "Articles per month by outlet"),
        "health": health,
    }


async def archive_database(datasette):
    """The database that holds the archive (the file may have any name)."""
    for name, db in datasette.databases.items():
        if {"articles", "sources", "stories"} <= set(await db.table_names()):
            return name, db
    raise NotFound("No pkus-archive database is being served")


def search_link(datasette, pairs: list[tuple[str, str]]) -> str:
    return datasette.urls.path("/search") + ("?" + urlencode(pairs) if pairs else "")


def feed_link(datasette, database: str, search: Search) -> str:
    """The Atom feed of this search (the feed takes one outlet and one sector)."""
    params = [("q", search.q)] if search.q else []
    if len(search.sources) == 1:
        params.append(("source", search.sources[0]))
    if len(search.sectors) == 1:
        params.append(("sector", search.sectors[0]))
    return datasette.urls.query(database, "feed", format="atom") + ("?" + urlencode(params) if params else "")


async def search_page(datasette, request):
    database, db = await archive_database(datasette)
    search = Search.from_args(request.args)
    limit = datasette.setting("sql_time_limit_ms") / 1000
    facet_limit = datasette.setting("facet_time_limit_ms") / 1000
    results = await db.execute_fn(lambda conn: run(conn, search, time_limit=limit, facet_time_limit=facet_limit))
    if request.url_vars.get("format") == "json":
        return Response.json(results.as_json())
    link = lambda **changes: search_link(datasette, search.args(**changes))  # noqa: E731
    names = {r["spider"]: r["name"] for r in (await db.execute("select spider, name from sources")).rows if r["name"]}
    for value in results.facets.get("source") or []:
        value["label"] = names.get(value["value"], value["label"])
    for value in results.facets.get("month") or []:
        value["label"] = month_label(value["value"])
    label = {"source": names.get, "month": lambda v, _: month_label(v)}
    chips = [(CHIP_NAMES[key], label.get(key, lambda v, d: d)(value, value), search_link(datasette, search.toggled(key, value)))
             for name, key in Search.PARAMS.items() for value in getattr(search, name)]
    chips += [(CHIP_NAMES[key], getattr(search, key).isoformat(), link(**{key: None, "page": 1}))
              for key in ("since", "until") if getattr(search, key)]
    context = {
        "database": database, "search": search, "results": results, "metadata": datasette.metadata(),
        "link": link, "toggle": lambda facet, value: search_link(datasette, search.toggled(facet, value)),
        "search_link": lambda pairs: search_link(datasette, pairs),
        "chips": chips,
        "feed": feed_link(datasette, database, search),
        "hidden": [(k, v) for k, v in search.args(page=1) if k not in ("q", "sort")],
        "json": datasette.urls.path("/search.json") + ("?" + urlencode(search.args()) if search.args() else ""),
        "first": (search.page - 1) * search.size + 1,
    }
    return Response.html(await datasette.render_template("pkus/search.html", context, request=request))


async def coverage_page(datasette, request):
    database, db = await archive_database(datasette)
    charts = [coverage_chart(await cached(db, f"coverage-{by}", COVERAGE_SQL[by]), by, title, height=300)
              for by, title in (("outlet", "Articles per month by outlet"),
                                ("sector", "Articles per month by sector (an article may count in several)"))]
    context = {"database": database, "charts": charts, "metadata": datasette.metadata()}
    return Response.html(await datasette.render_template("pkus/coverage.html", context, request=request))


ROUTES = [
    (r"^/search(\.(?P<format>json))?$", search_page),
    (r"^/coverage$", coverage_page),
]
