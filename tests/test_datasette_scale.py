"""The articles table page keeps to what stays cheap at a million rows (crawler/reading_room/tables.py).

Behaviour, not timings (those are in bench/search_scale.py): Datasette built from
datasette/metadata.yml, as plain `datasette archive.db -m datasette/metadata.yml` builds it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from datasette.app import Datasette

from crawler.archive import connect
from crawler.cli import DATASETTE_DIR
from crawler.reading_room import READING_COLUMNS, tables

METADATA = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
ARTICLES = METADATA["databases"]["archive"]["tables"]["articles"]
STRONG, WEAK = 1000, 60  # more matches than the table page keeps (tables.SEARCH_CAP)
FILLER = " ".join(["the ministry said the talks would continue next week"] * 40)


def add_articles(path, rows) -> None:
    db = connect(path)
    db.execute("BEGIN IMMEDIATE")
    db["sources"].insert_all([{"spider": s, "name": s.title()} for s in ("dawn", "app")], replace=True)
    db["articles"].insert_all(rows)
    db.execute("COMMIT")
    db.conn.close()


def article(n: int, title: str, body: str, published: datetime) -> dict:
    return {"url": f"https://example.org/{n}", "source": "dawn" if n % 3 else "app", "title": title,
            "body": body, "published": published.isoformat(), "first_seen": published.isoformat(),
            "sectors": json.dumps(["trade-tariffs", "energy"] if n % 2 else ["finance-imf"]), "word_count": 400}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Headlines about tariffs (strong matches), then newer articles that mention one in passing
    at the end of a long text (weak): newest first alone would put the weak ones on top."""
    path = tmp_path_factory.mktemp("scale") / "archive.db"
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = [article(n, f"Tariff talks, round {n}", f"Tariff schedules for round {n}. {FILLER}", start + timedelta(hours=n))
            for n in range(STRONG)]
    rows += [article(STRONG + n, f"Weekly roundup {n}", f"{FILLER} {FILLER} and a tariff.", start + timedelta(days=400, hours=n))
             for n in range(WEAK)]
    add_articles(path, rows)
    return path


async def started(path) -> Datasette:
    app = Datasette([str(path)], metadata=METADATA)
    await app.invoke_startup()
    return app


async def get_json(app, path: str) -> dict:
    response = await app.client.get(path + ("&" if "?" in path else "?") + "_shape=objects")
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


async def test_search_keeps_the_best_matches_not_the_newest(big):
    app = await started(big)
    data = await get_json(app, "/archive/articles.json?_search=tariff&_size=max&_col=title")
    titles = [row["title"] for row in data["rows"]]
    assert data["filtered_table_rows_count"] == tables.SEARCH_CAP == len(titles)
    assert all(t.startswith("Tariff talks") for t in titles), "a passing mention outranked a headline"
    assert "best of more" in data["human_description_en"]
    # listed in the table's order (newest first) or the one asked for
    published = [row["published"] for row in (await get_json(app, "/archive/articles.json?_search=tariff&_col=published"))["rows"]]
    assert published == sorted(published, reverse=True)
    oldest = await get_json(app, "/archive/articles.json?_search=tariff&_sort=published&_col=title&_size=1")
    assert oldest["rows"][0]["title"] == "Tariff talks, round 0"
    # an export of a search has every match
    csv = (await app.client.get("/archive/articles.csv?_search=tariff&_stream=on&_col=title")).text
    assert len(csv.strip().splitlines()) == 1 + STRONG + WEAK


async def test_a_search_with_few_matches_is_counted_whole_and_pages_on(big):
    app = await started(big)
    data = await get_json(app, "/archive/articles.json?_search=roundup&_col=title&_size=50")
    assert data["filtered_table_rows_count"] == WEAK and "best" not in data["human_description_en"]
    following = await get_json(app, f"/archive/articles.json?_search=roundup&_col=title&_size=50&_next={data['next']}")
    seen = [r["title"] for r in data["rows"] + following["rows"]]
    assert len(seen) == len(set(seen)) == WEAK
    # a phrase, an operator, and what the reader typed shown back (the archive's search language)
    assert (await get_json(app, '/archive/articles.json?_search="weekly roundup" NOT tariff'))["filtered_table_rows_count"] == 0
    html = (await app.client.get("/archive/articles?_search=roundup")).text
    assert "60 rows where search matches &#34;roundup&#34;" in html


async def test_facets_count_the_results_and_nothing_is_suggested(big):
    app = await started(big)
    for path in ("/archive/articles.json", "/archive/articles.json?_search=roundup", "/archive/articles.json?source=app"):
        data = await get_json(app, path)
        assert data["suggested_facets"] == [], path  # each suggestion reads every row
        assert set(data["facet_results"]) == {"source", "sectors", "published_month"}, path
        assert all(f["results"] for f in data["facet_results"].values()), path  # none timed out
    facets = (await get_json(app, "/archive/articles.json?_search=roundup"))["facet_results"]
    assert sum(v["count"] for v in facets["source"]["results"]) == WEAK
    sectors = {v["value"]: v["count"] for v in facets["sectors"]["results"]}
    assert sectors == {"finance-imf": WEAK // 2, "trade-tariffs": WEAK // 2, "energy": WEAK // 2}
    # other tables keep Datasette's suggestions
    assert "suggested_facets" in await get_json(app, "/archive/sources.json")


async def test_whole_table_counts_are_kept_and_follow_the_archive(tmp_path, monkeypatch):
    path = tmp_path / "archive.db"
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    add_articles(path, [article(n, f"Article {n}", "Text about trade.", start + timedelta(days=n)) for n in range(5)])
    app = await started(path)
    assert (await get_json(app, "/archive/articles.json"))["filtered_table_rows_count"] == 5
    add_articles(path, [article(5, "Article 5", "More text.", start + timedelta(days=5))])
    # kept: the page does not count the whole table again straight away
    assert (await get_json(app, "/archive/articles.json"))["filtered_table_rows_count"] == 5
    # SQL a reader writes is never kept
    rows = (await get_json(app, "/archive.json?sql=select+count(*)+as+n+from+articles"))["rows"]
    assert rows == [{"n": 6}]
    monkeypatch.setattr(tables, "RECOUNT_EVERY", 0)
    assert (await get_json(app, "/archive/articles.json"))["filtered_table_rows_count"] == 5  # recount started
    for _ in range(50):
        await asyncio.sleep(0.05)
        data = await get_json(app, "/archive/articles.json")
        if data["filtered_table_rows_count"] == 6:
            break
    assert data["filtered_table_rows_count"] == 6
    assert {v["value"]: v["count"] for v in data["facet_results"]["source"]["results"]} == {"dawn": 4, "app": 2}
    # a filtered page is always counted as it is
    assert (await get_json(app, "/archive/articles.json?source=app"))["filtered_table_rows_count"] == 2


def test_every_sort_and_facet_offered_has_an_index(tmp_path):
    db = connect(tmp_path / "archive.db")
    leading = {index.columns[0] for index in db["articles"].indexes}
    offered = set(ARTICLES["sortable_columns"]) | {ARTICLES["sort_desc"]}
    offered |= {f if isinstance(f, str) else next(iter(f.values())) for f in ARTICLES["facets"]}
    assert offered <= leading, offered - leading
    plan = " ".join(r[3] for r in db.execute("explain query plan select * from articles order by word_count desc limit 101"))
    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan


async def test_html_page_reads_only_the_reading_columns(big):
    app = await started(big)
    html = (await app.client.get("/archive/articles")).text
    assert 'data-column="body"' not in html and 'data-column="title"' in html
    assert '<a href="/archive/articles?_allcols=1">show all' in html
    # the reader's own choice of columns, and the JSON, are left alone
    assert 'data-column="body"' in (await app.client.get("/archive/articles?_allcols=1")).text
    assert 'data-column="url"' in (await app.client.get("/archive/articles?_col=url")).text
    data = await get_json(app, "/archive/articles.json")
    assert "body" in data["columns"] and set(READING_COLUMNS) <= set(data["columns"])
