"""Search the archive: the one implementation behind the web search page and ``pkus search``.

:func:`run` takes a :class:`Search` (what was typed, filters, sort, page) and a sqlite3
connection, and returns :class:`Results`. The reading room calls it through Datasette's
``execute_fn`` and renders HTML; the CLI calls it on a read-only connection and prints text or
JSON; so both find the same articles in the same order.

Everything is ranked and limited in SQL, and the way to read the results depends on how many
articles match (:func:`_plan`), so a page stays cheap as the archive grows: ids first (bm25 with
the title weighted, or newest first), then headlines, snippets and highlights for those ids only.
The index counts the matches of the words exactly; a count through filters stops at
:data:`COUNT_CAP` (:data:`COMMON_COUNT_CAP` for a common word); facets are counted for up to
:data:`FACETS_UPTO` results, each within its own time limit, and left out, not waited for, past
that. ``bench/search_scale.py`` has the figures for a million articles.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable

from . import localtime
from .query import Query, parse

SORTS = ("rank", "newest")
PAGE_SIZE = 20
MAX_PAGE = 500  # page 500 of 20 is article 10,000: deeper than anyone reads, and OFFSET costs grow
COUNT_CAP = 10_000
RANK_ALL = 50_000  # rank every match up to this many; a word in more articles is ranked among its newest
COMMON_SHARE = 100  # a word in one article in 100 or more: newest first walks the date index
FACETS_UPTO = 10_000  # facets are counted for at most this many results
COMMON_COUNT_CAP = 1_000  # a common word through filters: each article counted costs an index lookup
# bm25 weights of articles_fts's columns: title, description, body, tags. A word in the headline
# says far more about what an article is about than the same word in paragraph twelve.
WEIGHTS = (10.0, 3.0, 1.0, 2.0)
RANK = "bm25(articles_fts, {})".format(", ".join(str(w) for w in WEIGHTS))
SNIPPET_TOKENS = 32
SNIPPET_TIME_LIMIT = 0.3  # seconds for passages and highlights; past it the page shows articles' openings
FACETS = ("source", "sector", "month", "person")
FACET_SIZE = 12
PROGRESS_STEPS = 1000  # SQLite VM steps between two looks at the clock (Datasette's own figure)
# Highlight markers nobody can type into a scraped page: everything between them is escaped
# text, and only the marks become <mark> (see reading_room).
_NONCE = secrets.token_hex(6)
OPEN, CLOSE = f"\x02{_NONCE}\x03", f"\x02/{_NONCE}\x03"
_MARKS = re.compile(f"({re.escape(OPEN)}|{re.escape(CLOSE)})")


@dataclass(frozen=True)
class Search:
    """One search, as the page's URL or the CLI's options give it."""

    q: str = ""
    sort: str = "rank"
    sources: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    months: tuple[str, ...] = ()  # YYYY-MM, Pakistan time
    people: tuple[str, ...] = ()
    since: date | None = None  # local days, both ends included
    until: date | None = None
    by_story: bool = False
    page: int = 1
    size: int = PAGE_SIZE

    PARAMS = {"sources": "source", "sectors": "sector", "months": "month", "people": "person"}

    @classmethod
    def from_args(cls, args) -> "Search":
        """From a query string (Datasette's ``request.args``, or a dict): bad values are ignored, never an error."""
        def many(key):
            values = args.getlist(key) if hasattr(args, "getlist") else _as_list(args.get(key))
            return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))

        months = tuple(m for m in many("month") if re.fullmatch(r"\d{4}-\d{2}", m) and 1 <= int(m[5:]) <= 12)
        return cls(q=(args.get("q") or "").strip()[:500], sort=args.get("sort") if args.get("sort") in SORTS else "rank",
                   sources=many("source"), sectors=many("sector"), months=months, people=many("person"),
                   since=_day(args.get("since")), until=_day(args.get("until")),
                   by_story=args.get("group") == "story", page=min(max(_int(args.get("page"), 1), 1), MAX_PAGE))

    def args(self, **changes) -> list[tuple[str, str]]:
        """This search as query-string pairs (with ``changes``), for links; defaults left out."""
        search = replace(self, **changes)
        pairs = [("q", search.q)] if search.q else []
        if search.sort != "rank":
            pairs.append(("sort", search.sort))
        for name, key in self.PARAMS.items():
            pairs += [(key, v) for v in getattr(search, name)]
        pairs += [(k, getattr(search, k).isoformat()) for k in ("since", "until") if getattr(search, k)]
        if search.by_story:
            pairs.append(("group", "story"))
        if search.page > 1:
            pairs.append(("page", str(search.page)))
        return pairs

    def toggled(self, facet: str, value: str) -> list[tuple[str, str]]:
        """Links of a facet value: adds it, or removes it when it is already chosen; back to page 1."""
        name = next(n for n, k in self.PARAMS.items() if k == facet)
        chosen = getattr(self, name)
        values = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
        return self.args(**{name: values, "page": 1})

    @property
    def filtered(self) -> bool:
        return bool(self.sources or self.sectors or self.months or self.people or self.since or self.until)


@dataclass
class Results:
    search: Search
    query: Query
    hits: list[dict]
    total: int  # articles matching (through filters: counted up to COUNT_CAP, then total_capped)
    has_next: bool
    facets: dict[str, list[dict] | None] = field(default_factory=dict)  # None: not counted in time
    too_slow: bool = False
    stories: int | None = None  # when grouped: stories matching, counted up to COUNT_CAP
    newest_instead: bool = False  # asked for best match, too many matches to rank in time
    ranked_among: int | None = None  # best match among this many newest matches (a very common word)
    total_capped: bool = False  # counted through filters and more than count_cap: total is count_cap + 1
    count_cap: int = COUNT_CAP

    def as_json(self) -> dict:
        """What ``pkus search --json`` prints and ``/search.json`` returns."""
        return {
            "query": self.search.q, "understood_as": self.query.shown, "fts": self.query.fts,
            "sort": "newest" if self.newest_instead else self.search.sort, "page": self.search.page,
            "by_story": self.search.by_story,
            "total": self.count_cap if self.total_capped else self.total, "total_is_at_least": self.total_capped,
            "has_next": self.has_next,
            "stories": None if self.stories is None else min(self.stories, COUNT_CAP),
            "ranked_among_newest": self.ranked_among, "newest_instead": self.newest_instead,
            "too_slow": self.too_slow,
            "results": [_hit_json(h) for h in self.hits],
            "facets": self.facets,
        }


def _hit_json(hit: dict) -> dict:
    out = {k: hit[k] for k in ("id", "title", "outlet", "source", "published", "url", "sectors", "story_id")}
    out["published_local"] = hit["when"].text if hit["when"] else None
    out["snippet"] = plain(hit["snippet"], "«", "»")
    if hit.get("story"):
        out["story"] = hit["story"]
    return out


def plain(parts: list[tuple[str, bool]], open_: str = "", close: str = "") -> str:
    return "".join(f"{open_}{text}{close}" if marked else text for text, marked in parts)


def marked_parts(text: str | None) -> list[tuple[str, bool]]:
    """Split a snippet()/highlight() result into (text, highlighted) pieces."""
    parts, marked = [], False
    for piece in _MARKS.split(text or ""):
        if piece == OPEN:
            marked = True
        elif piece == CLOSE:
            marked = False
        elif piece:
            parts.append((piece, marked))
    return parts


# -- SQL ---------------------------------------------------------------------------------------

def _filters(search: Search, skip: str | None = None) -> tuple[list[str], dict]:
    """WHERE conditions on ``articles a`` for the chosen filters (``skip``: one facet's own, for its counts)."""
    where, params = [], {}

    def values(prefix: str, items: Iterable[str]) -> str:
        names = []
        for i, item in enumerate(items):
            params[f"{prefix}{i}"] = item
            names.append(f":{prefix}{i}")
        return ", ".join(names)

    if search.sources and skip != "source":
        where.append(f"a.source in ({values('source', search.sources)})")
    if search.sectors and skip != "sector":
        where.append(f"exists (select 1 from json_each(coalesce(a.sectors, '[]')) where value in "
                     f"({values('sector', search.sectors)}))")
    if search.people and skip != "person":
        where.append("exists (select 1 from article_entities ae join entities e on e.id = ae.entity_id "
                     f"where ae.article_id = a.id and e.name in ({values('person', search.people)}))")
    if search.months and skip != "month":
        spans = []
        for i, month in enumerate(search.months):
            first = date(int(month[:4]), int(month[5:]), 1)
            last = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            params[f"month{i}_from"] = localtime.day_start_utc(first)
            params[f"month{i}_to"] = localtime.day_start_utc(last)
            spans.append(f"(a.published >= :month{i}_from and a.published < :month{i}_to)")
        where.append("(" + " or ".join(spans) + ")")
    if search.since:
        params["since"] = localtime.day_start_utc(search.since)
        where.append("a.published >= :since")
    if search.until:
        params["until"] = localtime.day_after_start_utc(search.until)
        where.append("a.published < :until")
    return where, params


def _base(search: Search, fts: str | None, skip: str | None = None, join: str = "",
          where: tuple[str, ...] = ()) -> tuple[str, dict]:
    """``from ... where ...`` of the articles this search finds (``join``/``where``: what a facet adds)."""
    conditions, params = _filters(search, skip)
    conditions = [*where, *conditions]
    source = "from articles a"
    if fts is not None:
        params["fts"] = fts
        source = "from articles_fts join articles a on a.id = articles_fts.rowid"
        conditions.insert(0, "articles_fts match :fts")
    return f"{source} {join}".rstrip() + (" where " + " and ".join(conditions) if conditions else ""), params


def _ordered_sql(search: Search, fts: str | None, n: int, plan: str, floor: int | None) -> tuple[str, dict]:
    """The first ``n`` results (id, story) in the page's order, by one of the plans :func:`run` picks:

    - ``browse``: no words; the date index, filters checked on the way;
    - ``rank``: every match ranked by bm25; ``rank-window``: only the newest matches, by rowid
      from ``:floor`` on (ranking costs a few microseconds per match: a million is seconds);
    - ``fts-newest``: every match sorted by date (few matches);
    - ``walk-newest``: the date index walked newest first, each article looked up in the index
      (a word in one article in a hundred is met within a few hundred steps, where sorting every
      match would read them all).
    """
    where, params = _filters(search)
    params.update(n=n, floor=floor)
    conditions = "".join(" and " + w for w in where)
    newest = "order by a.published desc, a.id desc limit :n"
    if plan == "browse":
        return f"select a.id, a.story_id from articles a where 1{conditions} {newest}", params
    params["fts"] = fts
    if plan == "walk-newest":
        return ("select a.id, a.story_id from articles a where exists (select 1 from articles_fts where "
                f"articles_fts.rowid = a.id and articles_fts match :fts){conditions} {newest}"), params
    window = " and articles_fts.rowid >= :floor" if plan == "rank-window" else ""
    if plan.startswith("rank") and not where and not search.by_story:
        # nothing to check on articles: rank inside the FTS index alone, no row lookup per match
        return (f"select rowid as id, null as story_id from articles_fts where articles_fts match :fts{window} "
                f"order by {RANK}, rowid limit :n"), params
    order = f"order by {RANK}, a.id limit :n" if plan.startswith("rank") else newest
    return (f"select a.id, a.story_id from articles_fts join articles a on a.id = articles_fts.rowid "
            f"where articles_fts match :fts{window}{conditions} {order}"), params


def _page(conn, search: Search, fts: str | None, plan: tuple[str, int | None],
          seconds: float | None) -> list[dict] | None:
    """One page of results and one more (to know there is a next page); one per story when grouped."""
    first = (search.page - 1) * search.size
    want = first + search.size + 1
    if not search.by_story:
        rows = _within(conn, *_ordered_sql(search, fts, want, *plan), seconds)
        return None if rows is None else rows[first:]
    n = want * 4  # a story has a few articles: read ahead, and further if the page is not full yet
    while True:
        rows = _within(conn, *_ordered_sql(search, fts, n, *plan), seconds)
        if rows is None:
            return None
        best: dict = {}
        for row in rows:  # in the page's order, so each story's first article is its best (or newest)
            best.setdefault(row["story_id"] if row["story_id"] is not None else -row["id"], row)
        if len(best) >= want or len(rows) < n:
            return list(best.values())[first:]
        n *= 4


HIT_COLUMNS = """a.id, a.title, a.source, coalesce(s.name, a.source) as outlet, a.published, a.url, a.sectors,
       a.story_id, a.description"""


def _hits_sql(fts: str | None, ids: list[int]) -> tuple[str, dict]:
    params = {f"id{i}": v for i, v in enumerate(ids)}
    listed = ", ".join(f":id{i}" for i in range(len(ids)))
    if fts is None:
        return (f"select {HIT_COLUMNS}, substr(a.body, 1, 400) as body_start from articles a "
                f"left join sources s on s.spider = a.source where a.id in ({listed})", params)
    params.update(fts=fts, open=OPEN, close=CLOSE)
    return (f"""select {HIT_COLUMNS},
       highlight(articles_fts, 0, :open, :close) as title_marked,
       snippet(articles_fts, 1, :open, :close, '…', {SNIPPET_TOKENS}) as description_snippet,
       snippet(articles_fts, 2, :open, :close, '…', {SNIPPET_TOKENS}) as body_snippet
from articles_fts join articles a on a.id = articles_fts.rowid left join sources s on s.spider = a.source
where articles_fts match :fts and articles_fts.rowid in ({listed})""", params)


FACET_SQL = {  # value, label, what to join, what to require, order
    "source": ("a.source", "coalesce((select name from sources where spider = a.source), a.source)", "", (),
               "count desc, label"),
    "sector": ("sector.value", "sector.value", "join json_each(coalesce(a.sectors, '[]')) sector", (),
               "count desc, value"),
    "month": (localtime.LOCAL_MONTH_SQL.format(col="a.published"), "null", "", ("a.published is not null",),
              "value desc"),
    "person": ("e.name", "e.name", "join article_entities ae on ae.article_id = a.id "
               "join entities e on e.id = ae.entity_id and e.kind = 'person'", (), "count desc, value"),
}


def _facet_sql(search: Search, fts: str | None, facet: str) -> tuple[str, dict]:
    """Counts of one facet's values among the results, with every filter but the facet's own."""
    value, label, join, where, order = FACET_SQL[facet]
    base, params = _base(search, fts, skip=facet, join=join, where=where)
    params["size"] = 24 if facet == "month" else FACET_SIZE
    return (f"select {value} as value, coalesce({label}, {value}) as label, count(*) as count {base} "
            f"group by value order by {order} limit :size", params)


# -- running it --------------------------------------------------------------------------------

@contextmanager
def time_limit(conn: sqlite3.Connection, seconds: float | None):
    """Interrupt a statement that runs past ``seconds`` (as Datasette's own SQL time limit does)."""
    if not seconds:
        yield
        return
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, PROGRESS_STEPS)
    try:
        yield
    finally:
        conn.set_progress_handler(None, PROGRESS_STEPS)


def _rows(conn, sql: str, params: dict, seconds: float | None = None) -> list[dict]:
    with time_limit(conn, seconds):
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def _within(conn, sql: str, params: dict, seconds: float | None) -> list[dict] | None:
    """The rows, or None when the statement ran past its time limit."""
    try:
        return _rows(conn, sql, params, seconds)
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc).lower():
            raise
        return None


def _common(conn, matches: int) -> bool:
    """Is a word in one article in COMMON_SHARE or more? Then walking the date index finds its matches soon."""
    articles = conn.execute("select max(rowid) from articles").fetchone()[0] or 0
    return matches * COMMON_SHARE >= articles


def _plan(conn, search: Search, fts: str | None, matches: int, seconds: float | None) -> tuple[str, int | None]:
    """How to read the results (see :func:`_ordered_sql`), from how many articles match."""
    if fts is None:
        return "browse", None
    if search.sort == "newest":
        return ("walk-newest" if _common(conn, matches) else "fts-newest"), None
    if matches <= RANK_ALL:
        return "rank", None
    floor = _within(conn, "select rowid from articles_fts where articles_fts match :fts order by rowid desc "
                          "limit 1 offset :k", {"fts": fts, "k": RANK_ALL - 1}, seconds)
    if floor is None:
        return "too-slow", None
    return ("rank-window", floor[0]["rowid"]) if floor else ("rank", None)


def _count_sql(search: Search, fts: str | None, common: bool, cap: int) -> tuple[str, dict]:
    """Articles matching through the filters, up to ``cap`` + 1: read from the filters' side when
    the word is common (each article looked up in the index), from the index's side when it is rare."""
    if fts is None or not common:
        base, params = _base(search, fts)
    else:
        base, params = _base(search, None, where=("exists (select 1 from articles_fts where articles_fts.rowid = a.id "
                                                  "and articles_fts match :fts)",))
        params["fts"] = fts
    return f"select count(*) as n from (select 1 {base} limit {cap + 1})", params


def run(conn: sqlite3.Connection, search: Search, facets: bool = True, time_limit: float | None = None,
        facet_time_limit: float | None = None) -> Results:
    """Run ``search``; never raises for anything a reader can type.

    A word in more than :data:`RANK_ALL` articles is ranked among its newest :data:`RANK_ALL`
    matches (``ranked_among``). A page that still takes longer than ``time_limit`` comes newest
    first (``newest_instead``), and if even that is too slow, empty with ``too_slow`` set."""
    query = parse(search.q)
    fts = query.fts
    results = Results(search, query, [], 0, False)
    if search.q and fts is None:
        return results  # only punctuation or operators: nothing to look for
    filtered = bool(_filters(search)[0])
    matches = None
    if fts is not None:  # the index counts its matches fast; a count through the filters is capped
        matches = _within(conn, "select count(*) as n from articles_fts where articles_fts match :fts",
                          {"fts": fts}, time_limit)
        matches = matches[0]["n"] if matches else RANK_ALL + 1
    plan = _plan(conn, search, fts, matches or 0, time_limit)
    page = None if plan[0] == "too-slow" else _page(conn, search, fts, plan, time_limit)
    if plan[0] == "rank-window" and page is not None and filtered and len(page) <= search.size and search.page == 1:
        page = None  # the filters left less than a page among the newest matches: newest first over them all
    if page is None and plan[0].startswith("rank"):
        newest = replace(search, sort="newest")
        page = _page(conn, newest, fts, _plan(conn, newest, fts, matches or 0, time_limit), time_limit)
        results.newest_instead = page is not None
    elif plan[0] == "rank-window":
        results.ranked_among = RANK_ALL
    if page is None:
        results.too_slow = True
        return results
    if fts is not None and not filtered:
        results.total = matches
    else:
        common = fts is not None and _common(conn, matches)
        cap = COMMON_COUNT_CAP if common else COUNT_CAP
        count = _within(conn, *_count_sql(search, fts, common, cap), time_limit)
        results.total = count[0]["n"] if count else cap + 1
        results.total_capped = results.total > cap
        results.count_cap = cap
    if search.by_story and not results.total_capped and results.total <= COUNT_CAP:
        base, params = _base(search, fts)
        stories = _within(conn, f"select count(distinct coalesce(a.story_id, -a.id)) as n {base}", params, time_limit)
        results.stories = stories[0]["n"] if stories else None
    results.has_next = len(page) > search.size
    ids = [row["id"] for row in page[:search.size]]
    if ids:  # a prefix matching very many words is slow to look up again: then no passages, only openings
        rows = _within(conn, *_hits_sql(fts, ids), SNIPPET_TIME_LIMIT if time_limit else None) \
            or _rows(conn, *_hits_sql(None, ids))
        found = {row["id"]: _hit(row) for row in rows}
        results.hits = [found[i] for i in ids if i in found]
    if search.by_story:
        _add_stories(conn, results.hits)
    for facet in FACETS if facets else ():
        # counting a facet reads every match: past FACETS_UPTO it would only run into its time limit
        rows = None if results.total_capped or results.total > FACETS_UPTO else _within(
            conn, *_facet_sql(search, fts, facet), facet_time_limit or time_limit)
        if rows is None:
            results.facets[facet] = None  # too many matches to count in time
            continue
        chosen = getattr(search, next(n for n, k in Search.PARAMS.items() if k == facet))
        listed = {r["value"] for r in rows}
        rows += [{"value": v, "label": v, "count": 0} for v in chosen if v not in listed]
        results.facets[facet] = [{**r, "selected": r["value"] in chosen} for r in rows if r["value"]]
    return results


def _hit(row: dict) -> dict:
    """A result as the front ends need it: pieces of text with their highlights, local time, lists."""
    snippet = []
    for key in ("body_snippet", "description_snippet"):
        parts = marked_parts(row.get(key))
        if any(marked for _, marked in parts):
            snippet = parts
            break
    if not snippet:  # matched in the headline or tags only, or no search words: the article's opening
        start = row.get("description") or row.get("body_start") or plain(marked_parts(row.get("body_snippet")))
        snippet = [(_shorten(start), False)] if start else []
    return {
        **{k: row[k] for k in ("id", "title", "source", "outlet", "published", "url", "story_id")},
        "title_parts": marked_parts(row.get("title_marked")) or [(row["title"] or "", False)],
        "snippet": snippet,
        "sectors": json_list(row.get("sectors")),
        "when": localtime.shown(row["published"]),
    }


def _add_stories(conn, hits: list[dict]) -> None:
    """For grouped results: each story's title, size and outlets (each linking to its first article there)."""
    stories = sorted({h["story_id"] for h in hits if h["story_id"] is not None})
    if not stories:
        return
    params = {f"s{i}": v for i, v in enumerate(stories)}
    listed = ", ".join(f":s{i}" for i in range(len(stories)))
    titles = {r["id"]: r for r in _rows(conn, f"select id, title from stories where id in ({listed})", params)}
    outlets: dict[int, list] = {}
    for r in _rows(conn, f"""select a.story_id, a.source, coalesce(s.name, a.source) as outlet,
                                    min(a.id) as article, count(*) as articles, min(a.published) as first
                             from articles a left join sources s on s.spider = a.source
                             where a.story_id in ({listed}) group by a.story_id, a.source order by first""", params):
        outlets.setdefault(r["story_id"], []).append(
            {"source": r["source"], "outlet": r["outlet"], "article": r["article"], "articles": r["articles"]})
    for hit in hits:
        if hit["story_id"] in outlets:
            hit["story"] = {"id": hit["story_id"], "title": (titles.get(hit["story_id"]) or {}).get("title"),
                            "outlets": outlets[hit["story_id"]],
                            "articles": sum(o["articles"] for o in outlets[hit["story_id"]])}


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def json_list(value) -> list:
    """A JSON array stored as text (tags, sectors), as a list of strings; anything else as []."""
    try:
        parsed = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value and value.strip() else None
    except ValueError:
        return None


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
