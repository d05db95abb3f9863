"""A crawl killed with SIGKILL mid-way leaves a consistent archive, and the next run completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import sqlite_utils

from crawler.outlets import load_sources
from crawler.sitecopy import SiteCopy, SiteServer, copy_root

from .conftest import ROOT, crawl, live_url, manifest

SPIDER = "diplomaticinsight"


def archived_count(db) -> int:
    """Poll the archive the way a reader would: read-only, never in the writer's way."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as reader:
            return reader.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def start_crawl(db, base: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--db", str(db),
                             "--site", f"{SPIDER}={base}", "--since", "2025-01-01"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            # commit each article as it comes, so the kill lands between commits
                            env={**os.environ, "PKUS_WRITE_BATCH": "1"})


def test_sigkilled_crawl_leaves_a_consistent_archive_and_the_next_run_completes_it(tmp_path):
    db = tmp_path / "archive.db"
    slow = SiteCopy(root=copy_root(SPIDER), origin=load_sources()[SPIDER].site, delay=0.5)
    server = SiteServer(slow)
    try:
        child = start_crawl(db, server.base)
        try:
            deadline = time.monotonic() + 120
            while archived_count(db) < 3 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert child.poll() is None, "the crawl ended before it could be killed; slow the copy down"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL

        archive = sqlite_utils.Database(db)
        assert archive.execute("pragma integrity_check").fetchone()[0] == "ok"
        archive.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
        before = {row["url"] for row in archive["articles"].rows}
        killed = next(archive.query("select * from crawl_runs order by id desc limit 1"))
        assert killed["status"] == "running" and killed["pid"] == child.pid
        archive.conn.close()

        slow.delay = 0
        slow.log.clear()
        result = crawl(db, {SPIDER: server}, since="2025-01-01")
        refetched = {live_url(SPIDER, path) for path in slow.fetched()} & before
    finally:
        server.stop()

    archive = sqlite_utils.Database(db)
    assert archive.execute("pragma integrity_check").fetchone()[0] == "ok"
    archive.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    runs = [(r["id"], r["status"]) for r in archive.query("select id, status from crawl_runs order by id")]
    assert runs == [(killed["id"], "killed"), (killed["id"] + 1, "finished")]

    # complete: every article of the outlet was decided, exactly once
    states = {row["url"]: row["state"] for row in archive["urls"].rows}
    undecided = [a["url"] for a in manifest(SPIDER) if states.get(live_url(SPIDER, a["url"])) not in
                 ("archived", "irrelevant")]
    assert undecided == []
    articles = [row["url"] for row in archive["articles"].rows]
    assert len(articles) == len(set(articles))
    assert before < set(articles), "the killed run had archived everything; nothing was left to resume"
    assert refetched == set(), "the second run fetched again what the killed one had archived"
    assert archive["article_versions"].count == 0  # nothing was archived twice as a "change"
    assert f"{len(articles) - len(before)} new" in result.stdout
