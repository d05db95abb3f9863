"""The articles table page at a million rows: what Datasette's table view runs, kept cheap.

Datasette's table page runs, besides the page itself, a full count, a count per facet and, per
column, the queries behind "suggested facets"; each reads every matching row, which at a million
articles costs seconds. Here, through Datasette's plugin hooks (nothing in metadata.yml to change):

- ``?_search=`` on the articles table is ranked and limited in SQL (:func:`ranked_search`): the
  :data:`SEARCH_CAP` best matches by bm25 with the headline weighted (as on /search), among the
  newest :data:`RANK_WINDOW` matches of a very common word, found once and handed to Datasette as
  a list of ids; the page, its count and its facets then read at most that many rows. The page
  lists them in the table's order (newest first) or the one the reader picks; the count says
  "1,000 best of more" when the cap was reached. Datasette's own ``?_search=`` filter would match
  every article containing the word, for the page, the count and each facet again.
- No facet suggestions on the articles table (:func:`quiet_facets`).
- The whole table's count and facet counts (no filter, no search) are computed once, with a
  longer time limit than a page query, and kept (:func:`cache_whole_table`); after the archive
  changes the last figures are shown while they are counted again in the background, at most
  once per :data:`RECOUNT_EVERY` seconds (a crawl commits every few seconds).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import time

from datasette.database import QueryInterrupted, Results
from datasette.utils import escape_sqlite

from ..search import RANK
from .pages import aggregate, signature

SEARCH_CAP = 1000  # Datasette's max_returned_rows: a table page can never show more
RANK_WINDOW = 10_000  # matches ranked at most; bm25 costs microseconds per match
RECOUNT_EVERY = 300.0  # seconds: the whole table's counts are at most this much behind a crawl
WARM_FROM = 50_000  # articles: a smaller archive counts its whole table in a blink, at the first view
IDS_CACHED = 64  # searches whose ids are kept (the next page, a facet clicked, the .json of the page)
RANKED_SQL = f"""select rowid from (
  select rowid, {RANK} as score from articles_fts where articles_fts match {{match}}
  order by rowid desc limit {RANK_WINDOW}
) order by score, rowid limit {SEARCH_CAP + 1}"""
# A statement that counts over the articles table with no where clause: Datasette's
# "select count(*) from articles " and its facets' "... from (select ... from articles ) ...".
_WHOLE_TABLE = re.compile(r"\bfrom articles\s*(\)|$)")
_SELECT_LIST = re.compile(r"^select (.*?) from articles ", re.DOTALL)
KEPT = 64  # whole-table statements kept (the configured facets, and any ?_facet= a reader adds)
_ids: dict[tuple, list[int]] = {}
# Set while Datasette builds the archive's articles table page (its filters hook runs first), so
# only that page's count and facets are kept, never SQL a reader writes on the query page.
TABLE_PAGE: contextvars.ContextVar[bool] = contextvars.ContextVar("pkus_articles_table_page", default=False)


def is_archive_articles(datasette, database: str, table: str | None) -> bool:
    """The archive's articles table (one with the articles_fts index beside it)?"""
    if table != "articles" or database not in datasette.databases:
        return False
    return getattr(datasette.get_database(database), "pkus_archive", False)


def _is_datasette_search(hook) -> bool:
    return getattr(hook, "__module__", "") == "datasette.filters" and \
        getattr(hook, "__qualname__", "").startswith("search_filters.")


def replace_search(outcome, request, database, table, datasette, typed: str) -> None:
    """In ``filters_from_request``'s results: Datasette's own ?_search= filter swapped for :func:`ranked_search`."""
    if not is_archive_articles(datasette, database, table):
        return
    TABLE_PAGE.set(True)
    if "_search" not in request.args \
            or request.path.endswith(".csv"):  # an export of a search is every match, as Datasette has it
        return
    hooks = outcome.get_result()
    if any(_is_datasette_search(h) for h in hooks):
        outcome.force_result([h for h in hooks if not _is_datasette_search(h)]
                             + [ranked_search(request, database, datasette, typed)])


def ranked_search(request, database, datasette, typed: str):
    from datasette.filters import FilterArguments

    async def inner():
        search = request.args.get("_search", "")
        if not search.strip():
            return FilterArguments([], extra_context={"supports_search": True, "search": search})
        db = datasette.get_database(database)
        escaped = request.args.get("_searchmode") == "escaped"
        key = (database, escaped, search, signature(db))
        ids = _ids.get(key)
        if ids is None:
            sql = RANKED_SQL.format(match="escape_fts(:search)" if escaped else ":search")
            ids = [row[0] for row in (await db.execute(sql, {"search": search})).rows]
            while len(_ids) >= IDS_CACHED:
                del _ids[next(iter(_ids))]
            _ids[key] = ids
        capped = len(ids) > SEARCH_CAP
        described = f'search matches "{typed or search}"' + (f": the {SEARCH_CAP:,} best of more" if capped else "")
        return FilterArguments(["rowid in (select value from json_each(:pkus_ids))"],
                               {"pkus_ids": json.dumps(ids[:SEARCH_CAP])}, [described],
                               {"supports_search": True, "search": search, "pkus_search_capped": capped})

    return inner


_quiet: dict[type, type] = {}


def narrowed(sql: str, columns: list[str]) -> str:
    """``select <every column> from articles ...`` reading only ``columns``: the array facet sorts
    whole rows (bodies and all) to drop repeated values; it needs the id and its column."""
    return _SELECT_LIST.sub(lambda _: f"select {', '.join(dict.fromkeys(columns))} from articles ", sql, count=1)


def quiet_facets(classes: list[list[type]]) -> list[list[type]]:
    """The facet classes, on the archive's articles table suggesting nothing and reading only the
    columns they count."""
    def quiet(klass: type) -> type:
        if klass not in _quiet:
            async def suggest(self):
                if is_archive_articles(self.ds, self.database, self.table):
                    return []
                return await klass.suggest(self)

            async def facet_results(self):
                if is_archive_articles(self.ds, self.database, self.table):
                    columns = [c["config"].get("column") or c["config"]["simple"] for c in self.get_configs()]
                    self.sql = narrowed(self.sql, ["id", *(escape_sqlite(c) for c in columns)])
                return await klass.facet_results(self)

            _quiet[klass] = type(klass.__name__, (klass,), {"suggest": suggest, "facet_results": facet_results,
                                                              "__module__": __name__})
        return _quiet[klass]

    return [[quiet(k) for k in group] for group in classes]


def cache_whole_table(db) -> None:
    """Counts over the whole articles table on ``db`` computed once, then again at most every
    RECOUNT_EVERY seconds after the archive changed (in the background, the last figures shown
    meanwhile). One that takes longer than AGGREGATE_TIME_LIMIT_MS is not tried again before then.
    A search's count and facets, over its list of ids, are kept too, until the archive changes."""
    execute = db.execute
    kept: dict[str, tuple] = {}  # sql -> (signature, computed at, Results or the QueryInterrupted)
    running: dict[str, asyncio.Task] = {}
    counted: dict[tuple, Results] = {}  # a search's count and facet counts (see over_ids)

    async def make(sql):
        version = signature(db)
        try:
            kept[sql] = (version, time.monotonic(), await db.execute_fn(aggregate(sql)))
        except QueryInterrupted as exc:
            kept[sql] = (version, time.monotonic(), exc)
        while len(kept) > KEPT:
            del kept[next(iter(kept))]

    def count(sql) -> asyncio.Task:
        """The count of ``sql`` under way, started if none is: two pages never count the same twice."""
        if sql not in running:
            running[sql] = asyncio.get_running_loop().create_task(make(sql))
            running[sql].add_done_callback(lambda _: running.pop(sql, None))
        return running[sql]

    async def over_ids(sql, params, *args, **kwargs):
        # a search's count and facets read its ids alone: the same until the archive changes
        key = (sql, tuple(sorted(params.items())), signature(db))
        if key not in counted:
            while len(counted) >= IDS_CACHED * 4:
                del counted[next(iter(counted))]
            counted[key] = await execute(sql, params, *args, **kwargs)
        return counted[key]

    async def cached_execute(sql, params=None, *args, **kwargs):
        if not TABLE_PAGE.get():  # the query page and canned queries run as Datasette runs them
            return await execute(sql, params, *args, **kwargs)
        if params and "pkus_ids" in params and "count(" in sql:
            return await over_ids(sql, params, *args, **kwargs)
        if params or "count(" not in sql or not _WHOLE_TABLE.search(sql):
            return await execute(sql, params, *args, **kwargs)
        if sql not in kept:
            await count(sql)
        version, at, results = kept[sql]
        if version != signature(db) and time.monotonic() - at >= RECOUNT_EVERY:
            count(sql)  # in the background; this page shows the last figures
        if isinstance(results, QueryInterrupted):
            raise results
        return results

    db.execute = cached_execute


async def prepare(datasette) -> None:
    """At startup: mark the archive's databases, cache their whole-table counts, and (for a big
    archive) count them now in the background, so the first reader of the table page does not wait."""
    for name, db in datasette.databases.items():
        if {"articles", "articles_fts", "sources", "stories"} <= set(await db.table_names()):
            db.pkus_archive = True
            cache_whole_table(db)
            size = (await db.execute("select max(rowid) from articles")).single_value() or 0
            if size >= WARM_FROM:
                warm = datasette.urls.table(name, "articles", format="json") + "?_size=1"
                asyncio.get_running_loop().create_task(datasette.client.get(warm))

