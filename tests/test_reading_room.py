"""The Datasette reading room, in process: metadata, canned queries, search, feeds, safety.

Datasette is built the way plain `datasette archive.db -m datasette/metadata.yml` builds it, so
the project's own plugin (crawler.reading_room, an installed entry point) is what is tested.
Every page is checked on the demo archive and on an empty one.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import feedparser
import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette
from datasette.plugins import get_plugins
from markupsafe import escape

from crawler.archive import connect
from crawler.cli import DATASETTE_DIR
from crawler.query import NOTHING, fts_query, is_valid, parse

from .conftest import live_url, run_pkus
from .datasette_servers import free_port, pkus_serve, plain_datasette, running

METADATA = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["archive"]["queries"]
SEED_000_TITLE = "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"
NASTY = ['"', '"Lutnick', 'Lutnick AND (', "((", ")(", "OR", "NOT", "AND b", "a OR", "*", "^", '"""', "'",
         "title:", "nosuchcolumn:lutnick", "NEAR(", "Lutnick\"s", "C++", "-tariff", "a AND OR b", "\\", ";--"]
# Plugins that may run here: none of them writes (see README, Datasette, "Safe by default").
ALLOWED_PLUGINS = {"pkus-archive", "datasette-block-robots", "datasette-gzip"}


def datasette_for(db_path) -> Datasette:
    return Datasette([str(db_path)], metadata=METADATA,
                     settings=json.loads((DATASETTE_DIR / "settings.json").read_text()))


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("empty") / "archive.db"
    connect(path).conn.close()  # the schema, every migration, no rows
    return path


@pytest.fixture(params=["demo", "empty"])
async def ds(request, demo_db, empty_db):
    app = datasette_for(demo_db["db"] if request.param == "demo" else empty_db)
    await app.invoke_startup()
    app.archive_kind = request.param
    return app


@pytest.fixture
async def demo(demo_db):
    app = datasette_for(demo_db["db"])
    await app.invoke_startup()
    return app


async def get_json(app, path):
    response = await app.client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


# -- search repair ------------------------------------------------------------------------------

@pytest.mark.parametrize("query", NASTY)
def test_fts_query_always_gives_valid_fts5(query):
    assert is_valid(fts_query(query))


def test_fts_query_never_fails_on_random_input():
    import random

    pieces = ['"', "(", ")", "AND", "OR", "NOT", "NEAR", "NEAR(", "-", "*", "^", ":", "title:", "body:", ",", "5",
              "tariff", "Reko", "Diq", "x*", "US-Pakistan", "'", "\\", "{", "}", "+", "é", "  "]
    rng = random.Random(7)
    for _ in range(3000):
        typed = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 12)))
        tree = parse(typed).tree  # the parser's own output, not the last-resort fallback, is valid
        assert tree is None or is_valid(tree.fts()), typed
        assert is_valid(fts_query(typed)), typed


FTS5_VALID = ['"Reko Diq"', "tarif*", "Lutnick OR Rubio", "IMF NOT tariff", "title:lutnick", "Lutnick Aurangzeb",
              "NEAR(Lutnick Aurangzeb, 10)", "^Pakistan", "(IMF OR tariff) NOT India", "title:(IMF OR tariff)",
              "a OR b c", "Lutnick NOT Aurangzeb OR remittances"]


@pytest.mark.parametrize("query", FTS5_VALID)
def test_a_query_fts5_accepts_finds_what_fts5_finds(demo_db, query):
    """The parser rewrites every query (terms quoted, groups bracketed) but must not change its meaning."""
    db = sqlite_utils.Database(demo_db["db"])
    find = "select rowid from articles_fts where articles_fts match ?"
    assert {r[0] for r in db.execute(find, [fts_query(query)])} == {r[0] for r in db.execute(find, [query])}


@pytest.mark.parametrize("typed, repaired", [
    ('"Reko Diq', '"Reko Diq"'),
    ("Lutnick AND (", '"Lutnick"'),
    ("a AND OR b", '"a" OR "b"'),
    ("tariff -IMF", '"tariff" NOT "IMF"'),
    ('tariff -"Reko Diq"', '"tariff" NOT "Reko Diq"'),
    ("-tariff", '"tariff"'),  # nothing to subtract from: the word is searched
    ('title:"reko diq"', 'title:"reko diq"'),
    ("US-Pakistan", '"US-Pakistan"'),
    ("a*", '"a"'),  # a one-letter prefix would expand to half the index
    ("x OR y z NOT w", '"x" OR (("y" AND "z") NOT "w")'),
    ("invest* AND (", '"invest"*'),
    ("OR", NOTHING),
    ("", NOTHING),
])
def test_fts_query_repairs_what_fts5_rejects(typed, repaired):
    assert fts_query(typed) == repaired


@pytest.mark.parametrize("query", NASTY)
async def test_table_search_never_errors(demo, query):
    response = await demo.client.get("/archive/articles.json", params={"_search": query, "_shape": "array"})
    assert response.status_code == 200, response.text[:300]
    response = await demo.client.get("/archive/articles", params={"_search": query})
    assert response.status_code == 200


async def search_titles(app, query) -> set[str]:
    rows = await get_json(app, "/archive/articles.json?" + _qs({"_search": query, "_shape": "array", "_size": "max"}))
    return {row["title"] for row in rows}


def _qs(params: dict) -> str:
    return urlencode(params)


async def test_search_understands_phrases_operators_and_prefixes(demo):
    lutnick = await search_titles(demo, "Lutnick")
    assert SEED_000_TITLE in lutnick
    assert SEED_000_TITLE in await search_titles(demo, '"Howard A. Lutnick"')
    assert SEED_000_TITLE not in await search_titles(demo, '"Lutnick Howard"')  # a phrase, not two words
    assert SEED_000_TITLE in await search_titles(demo, "Lutn*")
    assert SEED_000_TITLE not in await search_titles(demo, "Lutnick NOT Aurangzeb")
    assert lutnick <= await search_titles(demo, "Lutnick OR remittances")
    assert await search_titles(demo, "Lutnick AND remittances") <= lutnick
    assert SEED_000_TITLE in await search_titles(demo, '"Howard A. Lutnick')  # unclosed quote: still the phrase


# -- metadata and facets ------------------------------------------------------------------------

async def test_articles_table_sorts_newest_first_with_facets(ds):
    data = await get_json(ds, "/archive/articles.json?_size=max")
    assert "sorted by published descending" in data["human_description_en"]
    assert set(data["facet_results"]) >= {"source", "sectors", "published_month"}
    published = [row[data["columns"].index("published")] for row in data["rows"]]
    assert published == sorted(published, reverse=True)
    if ds.archive_kind == "demo":
        months = {item["value"] for item in data["facet_results"]["published_month"]["results"]}
        assert "2026-03" in months
        sectors = {item["value"] for item in data["facet_results"]["sectors"]["results"]}
        assert {"trade-tariffs", "investment"} <= sectors


async def test_sortable_columns_and_label_exist_in_the_schema(empty_db):
    columns = {c.name for c in sqlite_utils.Database(empty_db)["articles"].columns} | {"published_month"}
    config = METADATA["databases"]["archive"]["tables"]["articles"]
    assert set(config["sortable_columns"]) <= columns
    assert config["label_column"] in columns and config["sort_desc"] in columns


async def test_internals_are_hidden(ds):
    tables = {t["name"]: t for t in (await get_json(ds, "/archive.json"))["tables"]}
    assert tables["pages"]["hidden"] and tables["urls"]["hidden"]
    assert all(tables[name]["hidden"] for name in ("story_features", "story_df", "story_meta", "story_pending"))
    assert not tables["articles"]["hidden"] and not tables["stories"]["hidden"]


async def test_published_month_is_derived_from_published(demo):
    rows = await get_json(demo, "/archive/articles.json?_shape=array&_col=published&_col=published_month&_size=max")
    assert rows and all(r["published_month"] == (r["published"] or "")[:7] or r["published"] is None for r in rows)


# -- canned queries -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_every_canned_query_runs(ds, name):
    rows = await get_json(ds, f"/archive/{name}.json?_shape=array")
    assert isinstance(rows, list)
    page = await ds.client.get(f"/archive/{name}")
    assert page.status_code == 200 and str(escape(QUERIES[name]["title"])) in page.text
    if ds.archive_kind == "empty":
        assert rows == []


@pytest.mark.parametrize("name, params", [
    ("who_said_what", {"person": "Lutnick"}),
    ("feed", {"q": "Lutnick", "sector": "investment"}),
])
async def test_parameterised_queries_find_seed_000(demo, name, params):
    rows = await get_json(demo, f"/archive/{name}.json?" + _qs({**params, "_shape": "array"}))
    titles = [r.get("title") or r.get("atom_title") for r in rows]
    assert SEED_000_TITLE in titles


async def test_latest_is_newest_first_and_links_to_article_pages(demo):
    rows = await get_json(demo, "/archive/latest.json?_shape=array")
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    html = (await demo.client.get("/archive/latest")).text
    assert f'<a href="/archive/articles/{rows[0]["article"]}">' in html


async def test_coverage_counts_add_up(demo, demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    by_outlet = await get_json(demo, "/archive/coverage_by_outlet.json?_shape=array&_size=max")
    assert sum(r["articles"] for r in by_outlet) == db.execute(
        "select count(*) from articles where published is not null").fetchone()[0]
    by_sector = await get_json(demo, "/archive/coverage_by_sector.json?_shape=array&_size=max")
    assert sum(r["articles"] for r in by_sector) == db.execute(
        "select count(*) from articles a, json_each(a.sectors) where published is not null").fetchone()[0]


async def test_outlet_health_reports_each_outlet(demo, demo_db):
    rows = {r["spider"]: r for r in await get_json(demo, "/archive/outlet_health.json?_shape=array")}
    db = sqlite_utils.Database(demo_db["db"])
    assert set(rows) == {r["spider"] for r in db["sources"].rows}
    tdi = rows["diplomaticinsight"]
    assert tdi["articles"] > 0 and tdi["last_successful_run"] and tdi["last_article"].startswith("2026-")


async def test_story_timeline_and_who_said_what_use_stories_and_entities(tmp_path):
    """On a small archive whose stories and entities are filled, as the topic model fills them."""
    path = tmp_path / "archive.db"
    db = connect(path)
    db["sources"].insert_all([{"spider": "dawn", "name": "Dawn"}, {"spider": "app", "name": "APP"}])
    db["stories"].insert({"id": 7, "title": "Aurangzeb meets Lutnick", "outlets": '["dawn", "app"]', "article_count": 2})
    for n, (source, published) in enumerate([("dawn", "2026-03-12T09:00:00+00:00"),
                                             ("app", "2026-03-11T15:00:00+00:00")], start=1):
        db["articles"].insert({"id": n, "url": f"https://example.org/{n}", "source": source, "story_id": 7,
                               "title": f"Talks {n}", "published": published, "first_seen": published,
                               "body": "Finance Minister Aurangzeb met Commerce Secretary Howard Lutnick.",
                               "sectors": '["trade-tariffs"]'})
    db["entities"].insert({"id": 1, "name": "Howard Lutnick", "kind": "person", "aliases": '["Lutnick"]'})
    db["article_entities"].insert({"article_id": 1, "entity_id": 1, "mentions": 1})
    db.conn.close()
    app = datasette_for(path)
    timeline = await get_json(app, "/archive/story_timeline.json?story=7&_shape=array")
    assert [(r["outlet"], r["article"]) for r in timeline] == [("APP", 2), ("Dawn", 1)]  # oldest first
    said = await get_json(app, "/archive/who_said_what.json?person=Howard+Lutnick&_shape=array")
    assert {r["article"] for r in said} == {1, 2}
    assert {r["article"]: r["mentions"] for r in said} == {1: "Howard Lutnick ×1", 2: None}
    assert "»Lutnick«" in said[0]["passage"] or "»Howard Lutnick«" in said[0]["passage"]
    story = (await app.client.get("/archive/stories/7")).text
    assert "Aurangzeb meets Lutnick" in story and story.index("Talks 2") < story.index("Talks 1")


# -- article page -------------------------------------------------------------------------------

async def test_article_page_reads_like_an_article(demo, demo_db):
    article = sqlite_utils.Database(demo_db["db"])["articles"].rows_where(
        "url = ?", [live_url("diplomaticinsight", SEED_000)])
    article = next(article)
    html = (await demo.client.get(f"/archive/articles/{article['id']}")).text
    assert f"<h1>{SEED_000_TITLE}</h1>" in html
    assert "By Sohail Majeed" in html
    # 14:21 UTC is 19:21 in Pakistan; UTC on hover
    assert '<time datetime="2026-03-11T14:21:37+00:00" title="11 Mar 2026, 14:21 UTC">11 Mar 2026, 19:21 PKT</time>' in html
    assert f'href="{article["url"]}"' in html and "The Diplomatic Insight" in html
    paragraphs = article["body"].split("\n\n")
    assert html.count("<p>") >= len(paragraphs)
    assert 'href="/search?sector=investment"' in html
    assert 'href="/archive/who_said_what?person=Sohail' not in html  # bylines are not entities
    assert "/archive/who_said_what?person=Howard%20Lutnick" in html  # people link to who said what


async def test_scraped_markup_is_escaped_on_the_article_page(tmp_path):
    path = tmp_path / "archive.db"
    db = connect(path)
    db["sources"].insert({"spider": "x", "name": "<b>Outlet</b>"})
    db["articles"].insert({"id": 1, "url": "javascript:alert(1)", "source": "x", "first_seen": "2026-01-01",
                           "title": "<script>alert(1)</script>", "body": 'One\n\n<img src=x onerror="alert(1)">',
                           "author": "<i>me</i>", "sectors": '["<svg onload=alert(1)>"]'})
    db.conn.close()
    app = datasette_for(path)
    html = (await app.client.get("/archive/articles/1")).text
    for raw in ("<script>alert(1)</script>", "<img src=x", "<b>Outlet</b>", "<i>me</i>", "<svg onload"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


# -- feeds and exports --------------------------------------------------------------------------

async def test_atom_feed_follows_a_search(demo):
    response = await demo.client.get("/archive/feed.atom?q=Lutnick")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Pakistan–US economic news: Lutnick"
    titles = [e.title for e in feed.entries]
    assert SEED_000_TITLE in titles
    entry = feed.entries[titles.index(SEED_000_TITLE)]
    links = {link.rel: link.href for link in entry.links}
    assert entry.link == links["alternate"] and links["alternate"].endswith(f"/archive/articles/{entry_id(entry)}")
    assert links["related"] == live_url("diplomaticinsight", SEED_000) and entry.author == "Sohail Majeed"


def entry_id(entry) -> str:
    return entry.link.rstrip("/").rsplit("/", 1)[1]


async def test_atom_feed_is_valid_when_nothing_matches(ds):
    for path in ("/archive/feed.atom?q=zzzznothing", "/archive/feed.atom?q=%22Reko%20Diq", "/archive/feed.atom"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        root = ET.fromstring(response.text)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"


async def test_table_search_page_links_its_feed(demo):
    html = (await demo.client.get("/archive/articles?_search=Reko+Diq")).text
    assert 'href="/archive/feed.atom?q=Reko+Diq"' in html


@pytest.mark.parametrize("path", ["/archive/articles.csv?_search=Lutnick", "/archive/latest.csv?_size=max",
                                  "/archive/articles.json?_search=Lutnick", "/archive/who_said_what.csv?person=Lutnick"])
async def test_csv_and_json_exports(demo, path):
    response = await demo.client.get(path)
    assert response.status_code == 200
    assert SEED_000_TITLE in response.text


# -- safe by default ----------------------------------------------------------------------------

async def test_read_only_no_write_sql(demo, demo_db):
    before = sqlite_utils.Database(demo_db["db"])["articles"].count
    for sql in ("delete from articles", "update articles set title = 'x'", "drop table articles",
                "insert into sources (spider) values ('x')", "pragma writable_schema = on"):
        response = await demo.client.get("/archive.json?" + _qs({"sql": sql}))
        assert response.status_code in (400, 403), sql
    assert sqlite_utils.Database(demo_db["db"])["articles"].count == before


async def test_no_plugin_that_writes(demo):
    names = {p["name"] for p in get_plugins() if not p["name"].startswith("datasette.")}
    assert names == ALLOWED_PLUGINS


async def test_robots_are_blocked(demo):
    response = await demo.client.get("/robots.txt")
    assert response.text.splitlines() == ["User-agent: *", "Disallow: /"]


async def test_whole_database_download_is_refused_even_when_immutable(demo_db):
    app = Datasette(immutables=[str(demo_db["db"])], metadata=METADATA)  # no settings: the plugin alone
    await app.invoke_startup()
    assert (await app.client.get("/archive.db")).status_code == 403


def test_pkus_serve_and_plain_datasette_serve_the_same(demo_db, tmp_path):
    pages = ["/-/plugins.json", "/-/metadata.json", "/robots.txt", "/archive/articles/1", "/", "/search?q=Lutnick",
             "/archive/feed.atom?q=Lutnick", "/archive/articles.json?_search=%22Lutnick&_shape=array"]
    seen = {}
    for name, command in (("pkus", pkus_serve), ("plain", plain_datasette)):
        port = free_port()
        with running(command(demo_db["db"], port), port, tmp_path / f"{name}.log") as base:
            bodies = {}
            for page in pages:
                with urllib.request.urlopen(base + page) as response:
                    bodies[page] = response.read().decode().replace(base, "BASE")
            try:
                urllib.request.urlopen(base + "/archive.db")
                bodies["download"] = "allowed"
            except urllib.error.HTTPError as exc:
                bodies["download"] = exc.code
        seen[name] = bodies
    for page in seen["pkus"]:
        a, b = seen["pkus"][page], seen["plain"][page]
        if page in ("/", "/search?q=Lutnick") or page.startswith("/archive/articles/"):  # the footer shows query time
            a, b = (x.split('<footer class="ft">')[0] for x in (a, b))
        assert a == b, page
    assert seen["pkus"]["download"] == 403
    assert "pkus-article" in seen["plain"]["/archive/articles/1"]


# -- the search page (/search) and `pkus search`: one search --------------------------------------

async def search_json(app, **params) -> dict:
    return await get_json(app, "/search.json?" + _qs(params))


async def page_ids(app, **params) -> list[int]:
    """The article ids the HTML page lists, in order."""
    response = await app.client.get("/search?" + _qs(params))
    assert response.status_code == 200, response.text[:300]
    return [int(i) for i in re.findall(r'<li class="pkus-hit" data-id="(\d+)"', response.text)]


def fts5_ids(db_path, fts: str | None) -> set[int]:
    db = sqlite_utils.Database(db_path)
    if fts is None:
        return set()
    return {r[0] for r in db.execute("select rowid from articles_fts where articles_fts match ?", [fts])}


# typed query -> the FTS5 query a careful analyst would have written by hand (None: finds nothing)
QUERY_TABLE = [
    ("Lutnick", "lutnick"),
    ("tariff OR IMF", "tariff OR imf"),
    ("tariff NOT IMF", "tariff NOT imf"),
    ("tariff -IMF", "tariff NOT imf"),
    ('"Reko Diq"', '"reko diq"'),
    ('"Reko Diq', '"reko diq"'),  # stray quote: closed
    ("invest*", "invest*"),
    ("title:lutnick", "title:lutnick"),
    ('title:"trade deal"', 'title:"trade deal"'),
    ("(IMF OR remittances) NOT tariff", "(imf OR remittances) NOT tariff"),
    ("Lutnick AND (", "lutnick"),  # dangling operator and bracket: dropped
    ("US-Pakistan", '"us pakistan"'),
    ('Lutnick"s', "lutnick AND s"),
    ('""', None),
    ('"', None),
    ("OR", None),
]


@pytest.mark.parametrize("typed, meant", QUERY_TABLE)
async def test_pkus_search_and_the_web_page_give_the_same_results(demo, demo_db, typed, meant):
    """For each query: the CLI, the search page (HTML and JSON) and Datasette's ?_search= find the
    same articles, and exactly what FTS5 finds for the hand-written query."""
    expected = fts5_ids(demo_db["db"], meant)
    cli = json.loads(run_pkus("search", typed, "--json", "--limit", "1000", "--db", str(demo_db["db"])).stdout)
    web = await search_json(demo, q=typed)
    assert {r["id"] for r in cli["results"]} == expected
    assert cli["total"] == web["total"] == len(expected)
    cli_top = json.loads(run_pkus("search", typed, "--json", "--db", str(demo_db["db"])).stdout)  # 20, like a page
    assert [r["id"] for r in cli_top["results"]] == [r["id"] for r in web["results"]] == await page_ids(demo, q=typed)
    table = await get_json(demo, "/archive/articles.json?" + _qs({"_search": typed, "_shape": "array", "_size": "max"}))
    assert {r["id"] for r in table} == (expected if typed.strip() else {r["id"] for r in table})
    for sort in ("newest", "rank"):
        newest = json.loads(run_pkus("search", typed, "--json", "--sort", sort, "--db", str(demo_db["db"])).stdout)
        assert [r["id"] for r in newest["results"]] == await page_ids(demo, q=typed, sort=sort)


def test_pkus_search_options_match_the_page_filters(demo_db):
    db = str(demo_db["db"])
    everything = json.loads(run_pkus("search", "tariff", "--json", "--limit", "1000", "--db", db).stdout)["results"]
    dawn = json.loads(run_pkus("search", "tariff", "--json", "--limit", "1000", "--source", "dawn", "--db", db).stdout)
    assert dawn["results"] and {r["source"] for r in dawn["results"]} == {"dawn"}
    assert {r["id"] for r in dawn["results"]} == {r["id"] for r in everything if r["source"] == "dawn"}
    july = json.loads(run_pkus("search", "tariff", "--json", "--limit", "1000", "--since", "2025-07-01",
                               "--until", "2025-07-31", "--db", db).stdout)["results"]
    assert july and all(" Jul 2025, " in r["published_local"] for r in july)
    newest = json.loads(run_pkus("search", "tariff", "--json", "--sort", "newest", "--limit", "1000", "--db", db).stdout)
    published = [r["published"] for r in newest["results"]]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "0 is not in the range 1<=x<=1000"),
    (["--limit", "x"], "'x' is not a valid integer"),
    (["--source", "nosuch"], "unknown outlet nosuch"),
    (["--since", "2025-13-01"], "does not match the format '%Y-%m-%d'"),
    (["--since", "2025-08-01", "--until", "2025-07-01"], "--since is after --until"),
    (["--sort", "oldest"], "'oldest' is not one of 'rank', 'newest'"),
])
def test_pkus_search_validates_its_options(demo_db, args, message):
    result = run_pkus("search", "tariff", *args, "--db", str(demo_db["db"]), check=False)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_pkus_search_prints_results_and_ways_to_broaden(demo_db):
    db = str(demo_db["db"])
    out = run_pkus("search", "Lutnick", "--limit", "3", "--db", db).stdout
    assert re.match(r"\d+ articles match Lutnick, best match first:", out)
    assert "PKT" in out and "https://" in out and "(more: raise --limit, now 3)" in out
    none = run_pkus("search", "Aurangzaib Lutnik", "--db", db).stdout
    assert "no articles match" in none and "pkus search 'Aurangzaib OR Lutnik'" in none and "Aurangz*" in none
    assert run_pkus("search", '""', "--db", db).returncode == 0


async def test_search_page_ranks_highlights_and_dates(demo):
    data = await search_json(demo, q="Lutnick")
    assert data["total"] >= 10 and data["sort"] == "rank"
    titles = [r["title"] for r in data["results"]]
    assert any("Lutnick" in t for t in titles[:3])  # a headline match outranks a passing mention
    assert SEED_000_TITLE in titles
    html = (await demo.client.get("/search?q=Lutnick")).text
    assert "<mark>Lutnick</mark>" in html and 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/archive/feed.atom?q=Lutnick"' in html
    assert re.search(r'<time datetime="[^"]+\+00:00" title="[^"]+ UTC">[^<]+ PKT</time>', html)


async def test_search_page_facets_and_dates_narrow_the_list(demo):
    whole = await search_json(demo, q="tariff")
    facets = {f: {v["value"]: v["count"] for v in values} for f, values in whole["facets"].items()}
    assert set(facets) == {"source", "sector", "month", "person"}
    source, count = next(iter(facets["source"].items()))
    narrowed = await search_json(demo, q="tariff", source=source)
    assert narrowed["total"] == count < whole["total"]
    assert {r["source"] for r in narrowed["results"]} == {source}
    textiles = await search_json(demo, q="tariff", sector="textiles")
    assert textiles["total"] == facets["sector"]["textiles"] and all("textiles" in r["sectors"] for r in textiles["results"])
    month = max(facets["month"])
    dated = await search_json(demo, q="tariff", month=month)
    assert dated["total"] == facets["month"][month]
    first_day = f"{month}-01"
    since = await search_json(demo, q="tariff", since=first_day)
    assert 0 < since["total"] < whole["total"]
    # the page shows the chosen filter and a way to drop it
    html = (await demo.client.get("/search?" + _qs({"q": "tariff", "source": source}))).text
    assert 'class="pkus-chip"' in html and 'href="/search?q=tariff"' in html


async def test_group_by_story_shows_one_row_per_story(demo, demo_db):
    grouped = await search_json(demo, q="tariff", group="story")
    every = await search_json(demo, q="tariff")
    stories = [r["story_id"] for r in grouped["results"]]
    assert len(stories) == len(set(stories)) < every["total"]
    db = sqlite_utils.Database(demo_db["db"])
    expected = db.execute("select count(distinct coalesce(a.story_id, -a.id)) from articles_fts "
                          "join articles a on a.id = articles_fts.rowid where articles_fts match 'tariff'").fetchone()[0]
    assert len(stories) == expected == grouped["stories"]
    biggest = max(grouped["results"], key=lambda r: r.get("story", {}).get("articles", 0))
    assert len(biggest["story"]["outlets"]) > 1
    html = (await demo.client.get("/search?q=tariff&group=story")).text
    assert "one row per story" in html and 'class="pkus-story-line"' in html


async def test_search_page_empty_result_says_how_to_broaden(demo):
    html = (await demo.client.get("/search?" + _qs({"q": "Aurangzaib Lutnik", "source": "dawn"}))).text
    assert "No article matches" in html and "To broaden the search" in html
    assert "q=Aurangzaib+OR+Lutnik" in html and "Aurangz%2A" in html and "drop the filter" in html
    html = (await demo.client.get("/search?q=%22")).text
    assert "There is nothing to search for" in html


async def test_search_page_pages(demo):
    first = await search_json(demo, q="tariff OR IMF")
    second = await search_json(demo, q="tariff OR IMF", page=2)
    assert first["has_next"] and len(first["results"]) == 20
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    html = (await demo.client.get("/search?q=tariff+OR+IMF")).text
    assert 'rel="next" href="/search?q=tariff+OR+IMF&amp;page=2"' in html


async def test_search_page_browses_everything_without_a_query(ds):
    data = await search_json(ds)
    published = [r["published"] for r in data["results"]]
    assert published == sorted(published, reverse=True)
    assert (data["total"] > 0) == (ds.archive_kind == "demo")
    assert (await ds.client.get("/search")).status_code == 200


async def test_search_page_escapes_scraped_text_around_highlights(tmp_path):
    path = tmp_path / "archive.db"
    db = connect(path)
    db["sources"].insert({"spider": "x", "name": "<b>Outlet</b>"})
    db["articles"].insert({"id": 1, "url": "https://example.org/1", "source": "x", "first_seen": "2026-01-01",
                           "published": "2025-10-23T20:30:00+00:00", "sectors": '["<svg onload=alert(1)>"]',
                           "title": "Lutnick <script>alert(1)</script>", "description": "<img src=x onerror=alert(1)>",
                           "body": 'Lutnick said <img src=x onerror="alert(1)"> and </mark><script>alert(2)</script>'})
    db.conn.close()
    app = datasette_for(path)
    html = (await app.client.get("/search?q=Lutnick")).text
    for raw in ("<script>alert", "<img src=x", "<b>Outlet</b>", "<svg onload", "</mark><script>"):
        assert raw not in html
    assert "<mark>Lutnick</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;/mark&gt;&lt;script&gt;alert(2)" in html
    assert "24 Oct 2025, 01:30 PKT" in html and 'title="23 Oct 2025, 20:30 UTC"' in html  # a day later in Pakistan


async def test_dates_show_in_pakistan_time_and_bare_dates_stay_put(tmp_path):
    path = tmp_path / "archive.db"
    db = connect(path)
    db["sources"].insert({"spider": "x", "name": "X"})
    for n, published in enumerate(["2025-10-23T20:30:00+00:00", "2025-02-05"], start=1):
        db["articles"].insert({"id": n, "url": f"https://example.org/{n}", "source": "x", "first_seen": "2026-01-01",
                               "published": published, "title": f"Trade {n}", "body": "tariff talks"})
    db.conn.close()
    app = datasette_for(path)
    table = (await app.client.get("/archive/articles")).text
    assert ">24 Oct 2025, 01:30 PKT</time>" in table and 'title="23 Oct 2025, 20:30 UTC"' in table
    assert '<time datetime="2025-02-05" title="date only, no time given">5 Feb 2025</time>' in table
    months = {v["value"] for v in (await search_json(app, q="tariff"))["facets"]["month"]}
    assert months == {"2025-10", "2025-02"}
    assert [r["id"] for r in (await search_json(app, q="tariff", since="2025-10-24", until="2025-10-24"))["results"]] == [1]
    assert [r["id"] for r in (await search_json(app, q="tariff", since="2025-02-05", until="2025-02-05"))["results"]] == [2]
    assert (await search_json(app, q="tariff", until="2025-10-23"))["total"] == 1  # the 24th in Pakistan


# -- pages that read well -----------------------------------------------------------------------

async def test_articles_table_shows_reading_columns_and_chips(demo, demo_db):
    html = (await demo.client.get("/archive/articles")).text
    headers = re.findall(r'<th [^>]*data-column="([^"]+)"', html)
    assert sorted(headers) == sorted(["id", "title", "source", "published", "sectors", "author", "word_count", "story_id"])
    assert 'class="pkus-tag" href="/archive/articles?sectors__arraycontains=' in html
    assert re.search(r'<a href="/archive/articles\?_allcols=1">show all \d+</a>', html)
    every = (await demo.client.get("/archive/articles?_allcols=1")).text
    columns = {c.name for c in sqlite_utils.Database(demo_db["db"])["articles"].columns}
    assert columns <= set(re.findall(r'<th [^>]*data-column="([^"]+)"', every))
    chosen = (await demo.client.get("/archive/articles?_col=title&_col=body")).text
    assert re.findall(r'<th [^>]*data-column="([^"]+)"', chosen) == ["id", "title", "body"]
    assert 'rel="alternate" type="application/atom+xml"' in html


async def test_story_page_names_outlets_and_timeline_has_a_picker(demo, demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    story = db.execute("select id from stories order by article_count desc limit 1").fetchone()[0]
    html = (await demo.client.get(f"/archive/stories/{story}")).text
    names = {r[0] for r in db.execute("select name from sources")}
    assert sum(name in html for name in names) >= 2
    assert "diplomaticinsight," not in html
    picker = (await demo.client.get(f"/archive/story_timeline?story={story}")).text
    assert 'class="pkus-picker"' in picker and f'<option value="{story}" selected>' in picker


async def test_home_page_overview(ds):
    html = (await ds.client.get("/")).text
    assert 'action="/search"' in html and 'name="q"' in html
    if ds.archive_kind == "demo":
        assert re.search(r"<strong>\d+</strong> articles\s+in \d+ stories\s+from 10 outlets", html)
        assert "Latest headlines" in html and html.count('class="pkus-dot ') == 10
        assert '<svg class="pkus-chart"' in html and "The Diplomatic Insight (" in html
    else:
        assert "Nothing archived yet" in html


async def test_coverage_charts_have_continuous_months_and_outlet_names(demo, demo_db):
    html = (await demo.client.get("/coverage")).text
    assert html.count('<svg class="pkus-chart"') == 2
    assert "Business Recorder (" in html and "brecorder (" not in html
    db = sqlite_utils.Database(demo_db["db"])
    first, last = db.execute("select min(published), max(published) from articles").fetchone()
    months = re.findall(r"<tr><td>(\d{4}-\d{2})</td>", html.split('data-by="sector"')[0])
    assert months[0] <= first[:7] and months[-1] >= last[:7]
    gapless = [f"{y}-{m:02d}" for y in range(int(months[0][:4]), int(months[-1][:4]) + 1) for m in range(1, 13)]
    assert months == [m for m in gapless if months[0] <= m <= months[-1]]  # empty months are there, as zeros


async def test_static_files_are_compressed_and_cached(demo):
    css_url = re.search(r'href="(/-/static-plugins/pkus-archive/pkus.css\?v=[0-9a-f]+)"',
                        (await demo.client.get("/")).text).group(1)
    first = await demo.client.get(css_url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert "immutable" in first.headers["cache-control"] and first.headers["etag"]
    again = await demo.client.get(css_url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    js = await demo.client.get("/-/static/table.js", headers={"Accept-Encoding": "gzip"})
    assert js.headers["content-encoding"] == "gzip" and "max-age=3600" in js.headers["cache-control"]
    page = await demo.client.get("/search?q=tariff", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"


async def test_archived_images_point_at_the_live_site(demo_db):
    """Copies are served on a temporary 127.0.0.1 port; the archive keeps the live origin's address."""
    db = sqlite_utils.Database(demo_db["db"])
    images = [r[0] for r in db.execute("select image from articles where image is not null")]
    assert images and not [i for i in images if "127.0.0.1" in i or "localhost" in i]
    assert all(i.startswith("https://") for i in images)


def test_a_search_too_slow_to_rank_comes_newest_first_and_never_fails(demo_db, monkeypatch):
    """Ranking every match of a very common word can outlast the time limit (on a million articles):
    the page then comes newest first and says why; if even that is too slow, it says so."""
    import sqlite3
    import time as clock

    from crawler import search as searching

    conn = sqlite3.connect(f"file:{demo_db['db']}?mode=ro", uri=True)
    conn.create_function("slow", 1, lambda x: clock.sleep(0.005) or 0)
    monkeypatch.setattr(searching, "RANK", searching.RANK + " + slow(articles_fts.rowid)")
    monkeypatch.setattr(searching, "PROGRESS_STEPS", 1)  # a small archive: look at the clock at every step
    results = searching.run(conn, searching.Search(q="tariff"), time_limit=0.05, facet_time_limit=0.05)
    assert results.newest_instead and not results.too_slow and results.total == 39
    published = [h["published"] for h in results.hits]
    assert published == sorted(published, reverse=True)
    assert results.as_json()["sort"] == "newest"
    hopeless = searching.run(conn, searching.Search(q="tariff OR IMF"), time_limit=1e-9)
    assert hopeless.too_slow and not hopeless.hits
    conn.close()


def test_a_very_common_word_is_ranked_among_its_newest_matches(demo_db, monkeypatch):
    """Past RANK_ALL matches, best match ranks the newest RANK_ALL (by rowid) and says so; newest
    first walks the date index. Same answers as SQL written out by hand."""
    import sqlite3

    from crawler import search as searching

    monkeypatch.setattr(searching, "RANK_ALL", 5)
    conn = sqlite3.connect(f"file:{demo_db['db']}?mode=ro", uri=True)
    results = searching.run(conn, searching.Search(q="tariff"))
    newest5 = [r[0] for r in conn.execute("select rowid from articles_fts where articles_fts match 'tariff' "
                                          "order by rowid desc limit 5")]
    expected = [r[0] for r in conn.execute(
        f"select rowid from articles_fts where articles_fts match 'tariff' and rowid >= {min(newest5)} "
        f"order by {searching.RANK}, rowid")]
    assert results.ranked_among == 5 and [h["id"] for h in results.hits] == expected
    assert results.total == 39 and not results.total_capped  # the words alone are counted exactly
    dated = searching.run(conn, searching.Search(q="tariff", sort="newest"))
    by_date = [r[0] for r in conn.execute("select a.id from articles_fts join articles a on a.id = articles_fts.rowid "
                                          "where articles_fts match 'tariff' order by a.published desc, a.id desc limit 20")]
    assert [h["id"] for h in dated.hits] == by_date
    narrow = searching.run(conn, searching.Search(q="tariff", sources=("dawn",)))  # few of dawn's among the newest 5
    assert narrow.newest_instead and narrow.hits
    conn.close()
