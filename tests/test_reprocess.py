"""pkus reclassify and pkus reextract: re-process the archive from stored text and pages, no fetching."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlite_utils
from crawler.run import writer_lock
from crawler.topics import default_model

from .conftest import datasette_get, live_url, manifest, run_pkus

SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"


@pytest.fixture
def archive_copy(demo_db, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(demo_db["db"], db)
    return db


def state(db, url: str) -> str:
    return sqlite_utils.Database(db)["urls"].get(url)["state"]


def integrity(db) -> None:
    database = sqlite_utils.Database(db)
    database.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    assert database.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_crawled_articles_carry_score_terms_version_sectors_and_entities(demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    row = db["articles"].rows_where("url = ?", [live_url("diplomaticinsight", SEED_000)]).__next__()
    assert row["relevance_version"] == default_model().version and row["relevance"] >= default_model().threshold
    assert json.loads(row["relevance_terms"])["investment"] > 0
    assert {"investment", "mining-minerals", "energy"} <= set(json.loads(row["sectors"]))
    assert {"Muhammad Aurangzeb", "Howard Lutnick", "US Department of Commerce",
            "US Chamber of Commerce"} <= set(json.loads(row["entities"]))
    linked = {r["name"]: r["mentions"] for r in db.query(
        "select name, mentions from article_entities join entities on entities.id = entity_id where article_id = ?",
        [row["id"]])}
    assert linked["Muhammad Aurangzeb"] >= 2 and linked.keys() == set(json.loads(row["entities"]))


def test_raising_the_threshold_demotes_and_lowering_it_promotes_again(archive_copy):
    db = sqlite_utils.Database(archive_copy)
    before = {r["url"]: r["relevance"] for r in db.query("select url, relevance from articles")}
    cut = sorted(before.values())[len(before) // 2]  # half the articles fall under it
    out = run_pkus("reclassify", "--db", str(archive_copy), "--threshold", str(cut)).stdout
    dropped = [url for url, score in before.items() if score < cut]
    assert f"{len(dropped)} demoted" in out
    for url in dropped:
        assert state(archive_copy, url) == "irrelevant"
    assert db["articles"].count == len(before) - len(dropped)
    assert db.execute("select count(*) from article_entities where article_id not in (select id from articles)"
                      ).fetchone()[0] == 0
    integrity(archive_copy)

    out = run_pkus("reclassify", "--db", str(archive_copy)).stdout  # topics.toml's threshold: back as they were
    assert f"{len(dropped)} promoted" in out
    assert {r["url"] for r in db.query("select url from articles")} == set(before)
    assert all(state(archive_copy, url) == "archived" for url in before)
    assert db.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
    integrity(archive_copy)


def test_reextract_rebuilds_bodies_from_stored_pages_and_keeps_the_old_text(archive_copy):
    db = sqlite_utils.Database(archive_copy)
    url = live_url("diplomaticinsight", SEED_000)
    truth = next(a for a in manifest("diplomaticinsight") if a["url"] == SEED_000)
    # as an older extractor might have left it: boilerplate in the body
    db.execute("update articles set body = body || '\n\nRead More: subscribe', content_hash = 'old' where url = ?",
               [url])
    out = run_pkus("reextract", "--db", str(archive_copy), "--source", "diplomaticinsight").stdout
    assert "1 with a new body" in out and "0 promoted, 0 demoted, 0 failed" in out
    row = next(db["articles"].rows_where("url = ?", [url]))
    assert row["body"] == "\n\n".join(truth["body"])
    versions = list(db["article_versions"].rows_where("url = ?", [url]))
    assert versions[-1]["body"].endswith("Read More: subscribe") and versions[-1]["article_id"] == row["id"]
    integrity(archive_copy)


def test_reprocessing_waits_for_no_crawl(archive_copy):
    with writer_lock(archive_copy):
        result = run_pkus("reclassify", "--db", str(archive_copy), check=False)
    assert result.returncode != 0 and "another crawl is writing" in result.stderr


def test_reextract_rejects_an_unknown_source(archive_copy):
    result = run_pkus("reextract", "--db", str(archive_copy), "--source", "nosuch", check=False)
    assert result.returncode == 2 and "unknown spider nosuch" in result.stderr


async def test_datasette_facets_on_sectors_and_entities(demo_db):
    response = await datasette_get(demo_db["db"], "/archive/articles.json?_facet_array=sectors"
                                                  "&_facet_array=entities&_size=0")
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    sectors = {f["value"] for f in facets["sectors"]["results"]}
    people = {f["value"] for f in facets["entities"]["results"]}
    assert {"trade-tariffs", "investment", "remittances"} <= sectors
    assert {"Muhammad Aurangzeb", "Howard Lutnick"} <= people
