"""Stories across outlets and wire copies: the seeds, archived directly beside the TDI copy's crawl."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from collections import Counter

from crawler.archive import Archive, connect, content_hash
from crawler import stories
from crawler.stories import features, numbers, regroup
from crawler.topics import classify, default_model

from crawler.sitecopy import available_copies

from .conftest import live_url, manifest

SEEDS = Path("/work/shared/seeds")
WIRE = Path(__file__).parent / "sites" / "_shared" / "wire.json"
SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"


def seed_text(number: str) -> tuple[str, str]:
    """Headline and body of a seed file (its first line is the headline)."""
    path = next(SEEDS.glob(f"{number}_*.txt"))
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0], "\n\n".join(lines[1:])


def archive_text(archive: Archive, url: str, title: str, body: str, published: str, source="diplomaticinsight"):
    verdict = classify(title, body)
    assert verdict.relevant, (url, verdict.terms)
    archive.rescore_article({"url": url, "source": source, "title": title, "body": body, "published": published,
                             "content_hash": content_hash(body), **verdict.fields()})


@pytest.fixture
def seeded(demo_db, tmp_path):
    """The demo crawl plus seeds 001-004 and two republished copies of the APP wire story (seed 002)."""
    if not SEEDS.is_dir():
        pytest.skip("the seed texts live in /work/shared/seeds")
    db = tmp_path / "archive.db"
    shutil.copy(demo_db["db"], db)
    wire = json.loads(WIRE.read_text(encoding="utf-8"))[0]
    archive = Archive(db)
    title_001, body_001 = seed_text("001")
    archive_text(archive, "https://example.test/nation/001", "Aurangzeb, Lutnick talks signal push for US investment",
                 f"{title_001}\n\n{body_001}", "2026-03-11T09:00:00+00:00")
    for n, (url, published) in enumerate([("https://example.test/app/w1", "2026-03-11T16:10:00+00:00"),
                                          ("https://example.test/brecorder/w1", "2026-03-11T18:00:00+00:00"),
                                          ("https://example.test/thenews/w1", "2026-03-12T01:30:00+00:00")]):
        archive_text(archive, url, wire["title"], "\n\n".join(wire["body"]), published)
    archive_text(archive, "https://example.test/dawn/003", "Pakistan-US cooperation", seed_text("003")[1],
                 "2025-07-27T01:00:00+00:00")
    archive_text(archive, "https://example.test/wenews/004", *seed_text("004"), "2025-11-08T06:00:00+00:00")
    regroup(archive)  # incremental, as after a crawl
    yield archive
    archive.close()


def story_of(archive: Archive, url: str) -> int:
    return archive.db.execute("select story_id from articles where url = ?", [url]).fetchone()[0]


def test_seeds_000_001_002_are_one_story_003_and_004_others(seeded):
    story = story_of(seeded, live_url("diplomaticinsight", SEED_000))
    assert story is not None
    assert story_of(seeded, "https://example.test/nation/001") == story
    assert story_of(seeded, "https://example.test/app/w1") == story
    others = {story_of(seeded, "https://example.test/dawn/003"), story_of(seeded, "https://example.test/wenews/004")}
    assert story not in others and len(others) == 2
    row = seeded.db["stories"].get(story)
    assert row["article_count"] >= 5 and row["first_published"] <= "2026-03-11T09:00:00+00:00"


def test_rewrites_of_one_event_join_the_copy_outlets_own_report(seeded):
    # Dawn's editorial on the Dar–Rubio meeting joins TDI's report of it; WE News joins TDI on Sheikh–Kapur
    dar_rubio = live_url("diplomaticinsight", "/dar-rubio-discuss-trade-and-critical-minerals-as-tariff-deal-nears/")
    sheikh = live_url("diplomaticinsight",
                      "/ambassador-sheikh-paul-kapur-discuss-economically-entrenched-pak-us-partnership/")
    assert story_of(seeded, "https://example.test/dawn/003") == story_of(seeded, dar_rubio)
    assert story_of(seeded, "https://example.test/wenews/004") == story_of(seeded, sheikh)


def test_wire_copies_point_at_the_earliest_copy(seeded):
    wire = json.loads(WIRE.read_text(encoding="utf-8"))[0]
    rows = list(seeded.db.query("select id, url, published, duplicate_of from articles where body = ? "
                                "order by published, id", ["\n\n".join(wire["body"])]))
    assert len(rows) >= 3
    original = rows[0]
    assert original["duplicate_of"] is None
    assert all(r["duplicate_of"] == original["id"] for r in rows[1:])
    # rewrites are not copies: seed 001 and TDI's report of the same meeting stand on their own
    assert seeded.db.execute("select duplicate_of from articles where url = ?",
                             ["https://example.test/nation/001"]).fetchone()[0] is None


def test_story_ids_are_stable_across_regrouping(seeded):
    def stories():
        return {r["url"]: r["story_id"] for r in seeded.db.query("select url, story_id from articles")}

    seed_story = story_of(seeded, live_url("diplomaticinsight", SEED_000))
    regroup(seeded, full=True)  # a rebuild may move a borderline article, but reuses the ids
    assert story_of(seeded, live_url("diplomaticinsight", SEED_000)) == seed_story
    rebuilt = stories()
    regroup(seeded, full=True)
    regroup(seeded)
    assert stories() == rebuilt


def test_every_crawled_article_has_a_story(demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    assert db.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
    counts = db.execute("select sum(article_count) from stories").fetchone()[0]
    assert counts == db["articles"].count


def test_numbers_are_normalised_across_styles():
    assert numbers("$3.4bn and $3.4 billion") == ["$3.4b", "$3.4b"]
    assert numbers("19pc, 19 per cent, 19%") == ["19%", "19%", "19%"]
    assert numbers("on March 31, and 31 March") == ["date:mar-31", "date:mar-31"]


def seed_urls() -> dict[str, list[str]]:
    """Seed number -> archive URLs of the outlet articles that reproduce it (manifest `seed`)."""
    found: dict[str, list[str]] = {}
    for spider in available_copies():
        for article in manifest(spider):
            if article.get("seed"):
                found.setdefault(article["seed"][:3], []).append(live_url(spider, article["url"]))
    return found


def test_demo_crawl_groups_the_seeds_and_marks_wire_copies(demo_db):
    seeds = seed_urls()
    if not all(n in seeds for n in ("000", "001", "002", "003", "004")):
        pytest.skip("not every seed is in an outlet copy yet")
    db = sqlite_utils.Database(demo_db["db"])
    rows = {r["url"]: r for r in db.query("select id, url, source, story_id, duplicate_of from articles")}
    story = {rows[url]["story_id"] for n in ("000", "001", "002") for url in seeds[n]}
    assert len(story) == 1, story
    assert {rows[url]["story_id"] for url in seeds["003"] + seeds["004"]}.isdisjoint(story)
    assert rows[seeds["003"][0]]["story_id"] != rows[seeds["004"][0]]["story_id"]
    for spider in available_copies():  # every republished APP wire story points at APP's original
        for article in manifest(spider):
            if article.get("wire_of"):
                original = next(r for u, r in rows.items() if r["source"] == "app"
                                and u.endswith(article["wire_of"].split(":", 1)[1].rstrip("/").rsplit("/", 1)[-1] + "/"))
                copy = rows[live_url(spider, article["url"])]
                assert copy["duplicate_of"] == original["id"] and copy["story_id"] == original["story_id"]


# -- stored features: the incremental regroup reads only the window, and must lose nothing --

def grouping(archive: Archive) -> tuple[list, list]:
    """Every article's story and original, and every story row."""
    return (archive.db.execute("select id, story_id, duplicate_of from articles order by id").fetchall(),
            archive.db.execute("select * from stories order by id").fetchall())


def stored_frequencies_are_the_counts(archive: Archive) -> None:
    """story_df holds, for each feature, how many articles' stored bags have it; every article has a bag."""
    bags = [json.loads(bag) for (bag,) in archive.db.execute("select bag from story_features")]
    assert len(bags) == archive.db["articles"].count
    assert dict(archive.db.execute("select feature, articles from story_df")) == Counter(f for b in bags for f in b)
    assert archive.db.execute("select count(*) from story_pending").fetchone()[0] == 0


def test_incremental_regroup_gives_the_full_regroups_stories(seeded, tmp_path):
    stored_frequencies_are_the_counts(seeded)
    incremental = grouping(seeded)
    copy = sqlite3.connect(tmp_path / "full.db")
    seeded.db.conn.backup(copy)  # with what the WAL holds
    copy.close()
    full = Archive(tmp_path / "full.db")
    regroup(full, full=True)
    assert grouping(full) == incremental
    full.close()


def test_articles_arriving_in_any_order_group_as_a_full_regroup(demo_db, tmp_path):
    # the demo's articles written again in rounds, shuffled (a back-fill lands before stored
    # articles), regrouped after each round as after a crawl, then against a rebuild
    rows = list(sqlite_utils.Database(demo_db["db"]).query(
        "select url, source, title, description, body, published, entities, content_hash, first_seen, last_seen "
        "from articles order by content_hash"))
    archive = Archive(tmp_path / "rounds.db")
    for start in range(0, len(rows), 30):
        for row in rows[start:start + 30]:
            archive.import_article(row)
        regroup(archive)
    stored_frequencies_are_the_counts(archive)
    incremental = grouping(archive)
    assert archive.db.execute("select count(*) from articles where duplicate_of is not null").fetchone()[0] > 0
    regroup(archive, full=True)
    assert grouping(archive) == incremental
    archive.close()


def test_rows_older_than_the_stored_features_get_them(demo_db, tmp_path, monkeypatch):
    monkeypatch.setattr(stories, "PARALLEL_FROM", 1)  # featurised on every core, as a big archive is
    db = tmp_path / "old.db"
    shutil.copy(demo_db["db"], db)
    archive = Archive(db)
    before = grouping(archive)
    conn = archive.db.conn  # the archive as it was before m007: no stored features
    for table in ("story_features", "story_df", "story_pending", "story_meta"):
        conn.execute(f"drop table {table}")
    for trigger in ("story_pending_ai", "story_pending_au", "story_pending_ad"):
        conn.execute(f"drop trigger {trigger}")
    conn.execute("delete from _sqlite_migrations where name = 'm007_story_features'")
    archive.close()
    archive = Archive(db)  # m007 runs: every article is queued
    assert archive.db.execute("select count(*) from story_pending").fetchone()[0] == archive.db["articles"].count
    regroup(archive)
    stored_frequencies_are_the_counts(archive)
    assert grouping(archive) == before
    archive.close()


def test_a_changed_article_updates_its_features_and_frequencies(seeded):
    url = "https://example.test/wenews/004"
    row = seeded.db.execute("select id, title, body from articles where url = ?", [url]).fetchone()
    body = (f"{row[2]}\n\nPakistan and the United States said the Reko Diq consortium will raise $7.25bn from "
            "Sardar Qaisrani Holdings by June 30.")
    archive_text(seeded, url, row[1], body, "2025-11-08T06:00:00+00:00")  # as reextract stores a new text
    assert seeded.db.execute("select count(*) from story_pending where article_id = ?", [row[0]]).fetchone()[0] == 1
    regroup(seeded)
    bag = json.loads(seeded.db.execute("select bag from story_features where article_id = ?", [row[0]]).fetchone()[0])
    entities = json.loads(seeded.db.execute("select entities from articles where id = ?", [row[0]]).fetchone()[0])
    assert bag == features(row[1], body, entities, default_model())
    assert bag["n:$7.25b"] == 2 and "p:sardar qaisrani holdings" in bag
    stored_frequencies_are_the_counts(seeded)
    seeded.demote_article(url, "diplomaticinsight", 0.1)  # no longer an article: its features go
    regroup(seeded)
    stored_frequencies_are_the_counts(seeded)
    assert seeded.db.execute("select count(*) from story_df where feature = 'n:$7.25b'").fetchone()[0] == 0
    assert seeded.db.execute("select sum(article_count) from stories").fetchone()[0] == seeded.db["articles"].count


def test_the_window_is_read_by_index(seeded):
    plan = " ".join(r[3] for r in seeded.db.execute(
        "explain query plan select article_id from story_features where at between ? and ?", ["2026", "2027"]))
    assert "USING INDEX story_features_at" in plan or "USING COVERING INDEX story_features_at" in plan, plan
    assert connect  # the archive module opened it: m007 is a migration like the others
