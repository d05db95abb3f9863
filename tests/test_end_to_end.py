"""The whole slice, offline: crawl every outlet copy, then check the archive against the manifests."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from crawler.cli import DATASETTE_DIR
from crawler.sitecopy import available_copies

from .conftest import ROOT, crawl, live_url, manifest, run_pkus

OUTLETS = sorted(available_copies())
SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"


def utc(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(timezone.utc).isoformat()


def archived(db_path) -> dict[str, dict]:
    db = sqlite_utils.Database(db_path)
    return {row["url"]: row for row in db["articles"].rows}


@pytest.mark.parametrize("spider", OUTLETS)
def test_every_relevant_article_is_archived_with_the_manifest_fields(demo_db, spider):
    rows = archived(demo_db["db"])
    problems = []
    for truth in manifest(spider):
        url = live_url(spider, truth["url"])
        if not truth["relevant"]:
            continue
        row = rows.get(url)
        if row is None:
            problems.append(f"missing: {url}")
            continue
        expected = {
            "title": truth["title"], "author": truth["author"], "published": utc(truth["published"]),
            "modified": utc(truth["modified"]), "tags": truth["tags"], "body": "\n\n".join(truth["body"]),
        }
        got = {**{k: row[k] for k in expected}, "tags": json.loads(row["tags"])}
        for key in expected:
            if got[key] != expected[key]:
                problems.append(f"{url} {key}: expected {expected[key]!r}, got {got[key]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("spider", OUTLETS)
def test_irrelevant_articles_are_remembered_but_not_archived(demo_db, spider):
    db = sqlite_utils.Database(demo_db["db"])
    rows = archived(demo_db["db"])
    for truth in manifest(spider):
        if truth["relevant"]:
            continue
        url = live_url(spider, truth["url"])
        assert url not in rows, f"near miss archived: {truth['title']}"
        state = db["urls"].get(url)["state"]
        assert state == "irrelevant", f"{url} is {state}"


def test_seed_000_is_archived_clean(demo_db):
    row = archived(demo_db["db"])[live_url("diplomaticinsight", SEED_000)]
    assert row["title"] == "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
    assert row["author"] == "Sohail Majeed"
    assert json.loads(row["tags"]) == ["Pakistan", "Economic", "Cooperation", "Muhammad Aurangzeb", "trade"]
    assert row["body"].startswith("Washington (TDI):")
    for boilerplate in ("Read More", "RELATED ARTICLES", "Facebook", "WhatsApp", "+ posts", "Trending Now",
                        "Field Correspondent", "LEAVE A REPLY", "Advertisement", "Diplomacy"):
        assert boilerplate not in row["body"], boilerplate
    assert row["published_from"] == "json-ld" and row["published"] == "2026-03-11T14:21:37+00:00"


def test_pkus_search_finds_seed_000(demo_db):
    result = run_pkus("search", "Lutnick", "--db", str(demo_db["db"]))
    assert "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors" in result.stdout
    assert live_url("diplomaticinsight", SEED_000) in result.stdout


def test_pkus_search_survives_stray_quotes(demo_db):
    result = run_pkus("search", '"Lutnick AND (', "--db", str(demo_db["db"]))
    assert result.returncode == 0


async def test_datasette_full_text_search_finds_seed_000(demo_db):
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text())
    ds = Datasette([str(demo_db["db"])], metadata=metadata)
    await ds.invoke_startup()
    response = await ds.client.get("/archive/articles.json?_search=Lutnick&_shape=array")
    assert response.status_code == 200
    urls = [row["url"] for row in response.json()]
    assert live_url("diplomaticinsight", SEED_000) in urls


def test_fts_index_is_consistent(demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    db.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_unchanged_recrawl_fetches_no_article_page(tmp_path, copies):
    from crawler.sitecopy import serve_copies, stop_all

    running = serve_copies({"diplomaticinsight": copies["diplomaticinsight"]})
    try:
        server = running["diplomaticinsight"]
        db = tmp_path / "archive.db"
        crawl(db, running, since="2025-01-01")
        first = archived(db)
        server.copy.log.clear()
        crawl(db, running)
        fetched = server.copy.fetched(status=None)
        articles = [p for p in fetched if p.strip("/").count("/") == 0 and p not in ("/robots.txt",)
                    and not p.startswith("/feed") and not p.endswith(".xml")]
        assert articles == [], f"article pages fetched again: {articles}"
        assert archived(db).keys() == first.keys()
        runs = list(sqlite_utils.Database(db).query("select * from crawl_runs order by id"))
        assert len(runs) == 2
        assert runs[1]["articles_new"] == 0 and runs[1]["articles_updated"] == 0
        assert runs[1]["requests"] == len(fetched)  # entry points (+ robots.txt) only
        assert runs[1]["status"] == "finished"
    finally:
        stop_all(running)


# Where each outlet's publication date comes from, and what its raw string looks like.
DATE_ORIGINS = {
    "diplomaticinsight": ({"json-ld"}, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$"),
    "dawn": ({"meta"}, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+05:00$"),  # a space, Pakistan time
    "brecorder": ({"json-ld"}, r"\+05:00$"),
    "tribune": ({"json-ld"}, r"\+00:00$"),
    "thenews": ({"json-ld"}, r"\+05:00$"),
    "app": ({"json-ld"}, r"\+05:00$"),
    "arabnews": ({"json-ld"}, r"\+03:00$"),  # Riyadh time
    "nation": ({"json-ld"}, r"\+05:00$"),
    "wenews": ({"feed", "sitemap"}, r"(GMT|\+05:00)$"),  # the page itself prints only "Sat Nov 08 2025"
}


@pytest.mark.parametrize("spider", sorted(set(OUTLETS) & set(DATE_ORIGINS)))
def test_dates_keep_their_raw_string_and_origin(demo_db, spider):
    import re

    origins, raw_pattern = DATE_ORIGINS[spider]
    db = sqlite_utils.Database(demo_db["db"])
    rows = list(db.query("select url, published, published_raw, published_from from articles where source = ?", [spider]))
    assert rows
    for row in rows:
        assert row["published_from"] in origins, row
        assert re.search(raw_pattern, row["published_raw"]), row
        assert row["published"].endswith("+00:00")
