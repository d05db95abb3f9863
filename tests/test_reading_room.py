"""The Datasette reading room, in process: metadata, canned queries, search, feeds, safety.

Datasette is built the way plain `datasette archive.db -m datasette/metadata.yml` builds it, so
the project's own plugin (crawler.reading_room, an installed entry point) is what is tested.
Every page is checked on the demo archive and on an empty one.
"""

from __future__ import annotations

import json
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
from crawler.reading_room.search import NOTHING, fts_query, is_valid

from .conftest import live_url
from .datasette_servers import free_port, pkus_serve, plain_datasette, running

METADATA = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["archive"]["queries"]
SEED_000_TITLE = "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"
NASTY = ['"', '"Lutnick', 'Lutnick AND (', "((", ")(", "OR", "NOT", "AND b", "a OR", "*", "^", '"""', "'",
         "title:", "nosuchcolumn:lutnick", "NEAR(", "Lutnick\"s", "C++", "-tariff", "a AND OR b", "\\", ";--"]
# Plugins that may run here: none of them writes (see README, Datasette, "Safe by default").
ALLOWED_PLUGINS = {"pkus-archive", "datasette-block-robots", "datasette-vega"}


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


@pytest.mark.parametrize("query", ['"Reko Diq"', "tarif*", "Lutnick OR Rubio", "IMF NOT tariff", "title:lutnick",
                                   "NEAR(Lutnick Aurangzeb, 10)", "^Pakistan"])
def test_fts_query_keeps_what_fts5_accepts(query):
    assert fts_query(query) == query


@pytest.mark.parametrize("typed, repaired", [
    ('"Reko Diq', '"Reko Diq"'),
    ("Lutnick AND (", '"Lutnick"'),
    ("a AND OR b", '"a" AND "b"'),
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
    ("search", {"q": "Lutnick", "source": "diplomaticinsight", "since": "2026-03-11", "until": "2026-03-11"}),
    ("who_said_what", {"person": "Lutnick"}),
    ("feed", {"q": "Lutnick", "sector": "investment"}),
])
async def test_parameterised_queries_find_seed_000(demo, name, params):
    rows = await get_json(demo, f"/archive/{name}.json?" + _qs({**params, "_shape": "array"}))
    titles = [r.get("title") or r.get("atom_title") for r in rows]
    assert SEED_000_TITLE in titles


async def test_search_query_honours_the_date_range_and_outlet(demo):
    inside = await get_json(demo, "/archive/search.json?" + _qs(
        {"q": "Lutnick", "since": "2026-03-11", "until": "2026-03-11", "_shape": "array"}))
    assert {r["published"][:10] for r in inside} == {"2026-03-11"}
    elsewhere = await get_json(demo, "/archive/search.json?" + _qs({"q": "Lutnick", "source": "dawn-nope", "_shape": "array"}))
    assert elsewhere == []
    march = await get_json(demo, "/archive/search.json?" + _qs(
        {"q": "", "since": "2026-03-01", "until": "2026-03-31", "_shape": "array"}))  # no words: the whole range
    assert march and {r["published"][:7] for r in march} == {"2026-03"}
    assert {r["title"] for r in inside} <= {r["title"] for r in march}


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
    assert "By Sohail Majeed" in html and "11 Mar 2026, 14:21 UTC" in html
    assert f'href="{article["url"]}"' in html and "The Diplomatic Insight" in html
    paragraphs = article["body"].split("\n\n")
    assert html.count("<p>") >= len(paragraphs)
    assert "sectors__arraycontains=investment" in html


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
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    feed = feedparser.parse(response.text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Pakistan–US economic news: Lutnick"
    titles = [e.title for e in feed.entries]
    assert SEED_000_TITLE in titles
    entry = feed.entries[titles.index(SEED_000_TITLE)]
    assert entry.link == live_url("diplomaticinsight", SEED_000) and entry.author == "Sohail Majeed"


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
    pages = ["/-/plugins.json", "/-/metadata.json", "/robots.txt", "/archive/articles/1", "/",
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
        if page == "/" or page.startswith("/archive/articles/"):  # the footer shows query time
            a, b = (x.split('<footer class="ft">')[0] for x in (a, b))
        assert a == b, page
    assert seen["pkus"]["download"] == 403
    assert "pkus-article" in seen["plain"]["/archive/articles/1"]
