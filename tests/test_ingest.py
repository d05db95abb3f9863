"""Node exports (crawler.node) and `pkus ingest` (crawler.ingest), without Scrapyd.

A node-mode crawl is `scrapy crawl SPIDER -s PKUS_NODE=1 -o FILE.jl` against a snapshot;
its export, ingested on the writer, must give the archive a local crawl gives, however it
arrives: whole, in pieces while it is being written, twice, or with a broken line.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from crawler.archive import connect
from crawler.snapshot import take_snapshot

from .conftest import ROOT, crawl, run_pkus
from .test_nodes import archive_state

SPIDER = "diplomaticinsight"
SINCE = "2025-01-01"


def node_crawl(servers, snapshot, out, *settings) -> subprocess.CompletedProcess:
    """A node's crawl by hand, with Scrapy's own command: export to ``out``, read ``snapshot``."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-a", f"since={SINCE}", "-s", "PKUS_NODE=1",
         "-s", f"PKUS_DB={snapshot}", "-s", f"PKUS_SITES={json.dumps({SPIDER: servers[SPIDER].base})}",
         "-s", "LOG_LEVEL=WARNING", *settings, *(["-o", str(out)] if out else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def export(tmp_path_factory, servers):
    """One node-mode crawl of the outlet into an empty archive's snapshot, and a local crawl to compare."""
    folder = tmp_path_factory.mktemp("export")
    connect(folder / "empty.db").conn.close()
    snapshot = take_snapshot(folder / "empty.db", folder / "node" / "snapshot.db", urls_only=True)
    before = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    out = folder / "node" / f"{SPIDER}-job.jl"
    result = node_crawl(servers, snapshot, out)
    assert result.returncode == 0, result.stderr
    local = folder / "local.db"
    crawl(local, servers, SPIDER, since=SINCE)
    return {"path": out, "local": local, "snapshot": snapshot, "snapshot_sha": before}


def test_node_mode_writes_no_archive_and_ends_its_export_with_the_run(export, tmp_path):
    records = [json.loads(line) for line in export["path"].read_text().splitlines()]
    kinds = {r["type"] for r in records}
    assert kinds == {"entry", "article", "irrelevant", "end"}
    assert records[-1]["type"] == "end" and records[-1]["status"] == "finished"
    assert records[-1]["stats"]["item_scraped_count"] == len(records) - 1
    # the snapshot it read is untouched, and nothing else was written beside it
    assert hashlib.sha256(export["snapshot"].read_bytes()).hexdigest() == export["snapshot_sha"]
    assert sorted(p.name for p in export["snapshot"].parent.iterdir()) == [export["path"].name, "snapshot.db"]
    article = next(r for r in records if r["type"] == "article")
    assert {"url", "source", "title", "body", "published", "relevance", "sectors", "entities"} <= set(article)
    assert article["page"]["html"] and article["fetch"]["http_status"] == 200


def test_node_mode_without_a_feed_says_so(tmp_path, servers):
    result = node_crawl(servers, tmp_path / "none.db", None)
    assert result.returncode != 0
    assert "PKUS_NODE: a node crawl exports through FEEDS" in result.stderr


def test_ingest_gives_the_archive_a_local_crawl_gives_and_twice_changes_nothing(export, tmp_path):
    db = tmp_path / "archive.db"
    first = run_pkus("ingest", str(export["path"]), "--db", str(db))
    assert f"{SPIDER}: finished, " in first.stdout
    assert archive_state(db) == archive_state(export["local"])
    again = run_pkus("ingest", str(export["path"].parent), "--db", str(db))
    assert again.stdout.strip() == f"0 exports, 0 records ingested into {db}"
    assert sqlite_utils.Database(db)["crawl_runs"].count == 1
    assert archive_state(db) == archive_state(export["local"])


def test_an_export_ingested_while_still_being_written_continues_where_it_stopped(export, tmp_path):
    data = export["path"].read_bytes()
    growing = tmp_path / "exports" / "growing.jl"
    growing.parent.mkdir()
    db = tmp_path / "archive.db"
    cut = data.index(b'"type": "article"', len(data) // 2) + 100  # in the middle of an article's line
    growing.write_bytes(data[:cut])
    partial = run_pkus("ingest", str(growing.parent), "--db", str(db))
    assert f"{SPIDER}: killed" in partial.stdout  # no end record yet
    archive = sqlite_utils.Database(db)
    lines = data[:cut].count(b"\n")
    assert archive.execute("select records from node_exports").fetchone()[0] == lines
    archive.conn.close()
    growing.write_bytes(data)  # the rest arrives
    rest = run_pkus("ingest", str(growing.parent), "--db", str(db))
    assert f"{SPIDER}: finished" in rest.stdout
    assert sqlite_utils.Database(db)["crawl_runs"].count == 1
    assert archive_state(db) == archive_state(export["local"])


@pytest.mark.parametrize("line, message", [
    (b'{"type": "article", "url": \n', "not a JSON record"),
    (b'{"type": "bogus"}\n', "record type 'bogus' is not one of article, irrelevant, entry, failure, end"),
    (b'{"type": "article", "url": "https://www.dawn.com/news/1"}\n', "article record without source, page, fetch, at"),
])
def test_a_broken_line_stops_that_export_with_one_clear_error_and_keeps_the_lines_before(export, tmp_path, line,
                                                                                         message):
    lines = export["path"].read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.jl"
    broken.write_bytes(b"".join(lines[:5]) + line + b"".join(lines[5:]))
    db = tmp_path / "archive.db"
    result = run_pkus("ingest", str(broken), "--db", str(db), check=False)
    assert result.returncode == 1
    assert f"pkus ingest: {broken}:6: {message}" in result.stderr
    assert "the lines before it are in, this export stops there" in result.stderr
    assert sqlite_utils.Database(db).execute("select records from node_exports").fetchone()[0] == 5


def test_snapshot_is_a_read_only_friendly_copy(export, tmp_path):
    db = tmp_path / "archive.db"
    run_pkus("ingest", str(export["path"]), "--db", str(db))
    full = run_pkus("snapshot", str(tmp_path / "snap.db"), "--db", str(db))
    assert full.stdout.startswith(f"snapshot of {db}: {tmp_path / 'snap.db'}")
    nodes = run_pkus("snapshot", str(tmp_path / "urls.db"), "--db", str(db), "--urls-only")
    assert "(urls only)" in nodes.stdout
    for name in ("snap.db", "urls.db"):  # one file, readable read-only with nothing beside it
        (tmp_path / name).chmod(0o444)
        with sqlite3.connect(f"file:{tmp_path / name}?mode=ro", uri=True) as reader:
            assert reader.execute("select count(*) from urls").fetchone()[0] > 0
        assert not (tmp_path / f"{name}-wal").exists()
    snap = sqlite_utils.Database(tmp_path / "snap.db")
    assert snap.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert archive_state(tmp_path / "snap.db") == archive_state(db)
    urls = sqlite_utils.Database(tmp_path / "urls.db")
    assert urls.table_names() == ["urls"]
    assert list(urls.query("select * from urls order by url")) == \
        list(sqlite_utils.Database(db).query("select * from urls order by url"))


def test_snapshot_of_a_missing_archive_says_so(tmp_path):
    result = run_pkus("snapshot", str(tmp_path / "snap.db"), "--db", str(tmp_path / "none.db"), check=False)
    assert result.returncode == 1
    assert f"no archive at {tmp_path / 'none.db'}" in result.stderr
    assert not (tmp_path / "snap.db").exists()


async def test_a_datasette_replica_serves_a_snapshot_read_only(export, tmp_path):
    import yaml
    from datasette.app import Datasette

    from crawler.cli import DATASETTE_DIR

    db = tmp_path / "archive.db"
    run_pkus("ingest", str(export["path"]), "--db", str(db))
    replica = tmp_path / "replica" / "archive.db"
    run_pkus("snapshot", str(replica), "--db", str(db))
    ds = Datasette(immutables=[str(replica)], metadata=yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text()))
    await ds.invoke_startup()
    rows = (await ds.client.get("/archive/articles.json?_shape=array&_size=max&_col=url")).json()
    assert sorted(r["url"] for r in rows) == sorted(archive_state(db)["articles"])
    assert (await ds.client.get("/archive/latest")).status_code == 200
    assert (await ds.client.get("/archive.db")).status_code == 403  # no download of the whole database
    assert not ds.databases["archive"].is_mutable
