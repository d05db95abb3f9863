"""Crawling on Scrapyd nodes: two real Scrapyd processes, the project deployed to them as an egg,
the scheduler's job spreading the offline outlets over them, one writer ingesting the exports.

The archive they build must be the one a local `pkus crawl --all` of the same copies builds;
a second round fetches no article page; a node killed mid-crawl leaves nothing half-imported
and the next round completes it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from crawler.nodes import build_egg
from crawler.outlets import load_sources
from crawler.scheduler import load_schedule, run_crawl_job
from crawler.sitecopy import SiteCopy, SiteServer, copy_root

from .conftest import ROOT, crawl, live_url, manifest, run_pkus
from .scrapyd_nodes import ScrapydNode

SINCE = date(2025, 1, 1)  # the copies hold articles from 2025 on


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """Two Scrapyd nodes with the project deployed (`pkus nodes deploy`: scrapyd-deploy's egg)."""
    folder = tmp_path_factory.mktemp("scrapyd")
    running = []
    try:
        for name in ("node1", "node2"):
            running.append(ScrapydNode(folder / name).start())
        result = run_pkus("nodes", "deploy", *[arg for node in running for arg in ("--node", node.url)])
        assert result.stdout.count("pkus-archive version") == 2, result.stdout
        assert f"{len(load_sources())} spiders" in result.stdout
        yield running
    finally:
        for node in running:
            node.stop()


def schedule_file(tmp_path: Path, nodes: list[ScrapydNode], servers: dict, exports: Path) -> Path:
    """A schedule whose jobs run on the nodes: a back-fill to SINCE, and a routine run."""
    sites = ", ".join(f'{name} = "{server.base}"' for name, server in servers.items())
    path = tmp_path / "nodes.toml"
    path.write_text(f"""
[scrapyd]
nodes = [{", ".join(f'"{node.url}"' for node in nodes)}]
exports = "{exports}"
poll = 0.3

[[job]]
id = "backfill"
spiders = "all"
cron = "40 3 * * sun"
since_days = {(date.today() - SINCE).days}
sites = {{ {sites} }}

[[job]]
id = "news"
spiders = "all"
cron = "*/30 * * * *"
sites = {{ {sites} }}
""")
    return path


def archive_state(db: Path) -> dict:
    """What two archives of the same crawl must share: every column but ids and times."""
    archive = sqlite_utils.Database(db)
    url_of = {row["id"]: row["url"] for row in archive.query("select id, url from articles")}
    articles = {}
    for row in archive.query("select * from articles"):
        row = {k: v for k, v in row.items() if k not in ("id", "story_id", "first_seen", "last_seen")}
        row["duplicate_of"] = url_of.get(row["duplicate_of"])
        articles[row["url"]] = row
    members: dict[int, list[str]] = {}
    for row in archive.query("select story_id, url from articles order by url"):
        members.setdefault(row["story_id"], []).append(row["url"])
    stories = {tuple(members.get(row["id"], [])): {k: row[k] for k in ("title", "first_published",
                                                                          "last_published", "outlets",
                                                                          "article_count")}
               for row in archive.query("select * from stories")}
    urls = {row["url"]: {k: v for k, v in row.items() if k not in ("first_seen", "last_fetched", "next_try")}
            for row in archive.query("select * from urls")}
    return {
        "articles": articles, "stories": stories, "urls": urls,
        "pages": {row["url"]: row["sha256"] for row in archive.query("select url, sha256 from pages")},
        "entities": sorted((url_of[r["article_id"]], r["entity_id"], r["mentions"])
                           for r in archive.query("select * from article_entities")),
        "versions": archive["article_versions"].count,
    }


def differences(db: Path, other: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Where two archives' states differ: table, key and field, both values (empty when the same)."""
    mine, theirs = archive_state(db), archive_state(other)
    out = []
    for table in set(mine) - set(skip):
        a, b = mine[table], theirs[table]
        if a == b:
            continue
        if not isinstance(a, dict):
            out.append(f"{table}: {a!r} != {b!r}")
            continue
        for key in sorted(set(a) | set(b), key=str):
            x, y = a.get(key), b.get(key)
            if x != y:
                fields = {f: (x.get(f), y.get(f)) for f in set(x) | set(y) if x.get(f) != y.get(f)} \
                    if isinstance(x, dict) and isinstance(y, dict) else (x, y)
                out.append(f"{table} {key}: {str(fields)[:300]}")
    return out


def article_fetches(servers: dict) -> dict[str, list[str]]:
    """The article pages each copy served since its log was cleared."""
    sources = load_sources()
    return {name: [p for p in server.copy.fetched(None) if sources[name].is_article_path(p)]
            for name, server in servers.items()}


def clear_logs(servers: dict) -> None:
    for server in servers.values():
        server.copy.log.clear()


def test_the_egg_carries_every_source_and_data_file(tmp_path):
    egg = build_egg(tmp_path / "pkus.egg")  # scrapyd-deploy --build-egg
    names = set(zipfile.ZipFile(egg).namelist())
    tracked = subprocess.run(["git", "ls-files", "crawler"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked and [f for f in tracked if f not in names] == []
    assert {f"crawler/sources/{spider}.toml" for spider in load_sources()} <= names
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points


def test_two_nodes_build_the_archive_one_machine_builds(tmp_path, servers, nodes):
    local = tmp_path / "local.db"
    crawl(local, servers, since=SINCE.isoformat())

    db, exports = tmp_path / "archive.db", tmp_path / "exports"
    plan = load_schedule(schedule_file(tmp_path, nodes, servers, exports))
    backfill, news = (job.kwargs(str(db)) for job in plan.jobs)
    clear_logs(servers)
    run_crawl_job(**backfill)  # what `pkus schedule` runs when the job fires

    assert differences(db, local) == []
    runs = list(sqlite_utils.Database(db).query("select * from crawl_runs order by spider"))
    assert [r["spider"] for r in runs] == sorted(servers)
    assert all(r["status"] == "finished" for r in runs), runs
    args = [json.loads(r["args"]) for r in runs]
    assert all(".egg/crawler" in a["code"] for a in args), args  # the spiders ran from the deployed egg
    per_node = Counter(a["export"].split("/")[-2] for a in args)
    assert len(per_node) == len(servers)
    finished = {node.url: {j["spider"] for j in node.jobs()["finished"]} for node in nodes}
    assert set().union(*finished.values()) == set(servers)
    assert abs(len(finished[nodes[0].url]) - len(finished[nodes[1].url])) <= 1, finished  # spread over both
    # every article page was fetched exactly once, as in a local crawl
    fetched = article_fetches(servers)
    assert all(len(paths) == len(set(paths)) for paths in fetched.values()), fetched

    # a second round, nothing new: no article page is fetched on either node
    clear_logs(servers)
    before = {node.url: len(node.jobs()["finished"]) for node in nodes}
    run_crawl_job(**news)
    assert article_fetches(servers) == {name: [] for name in servers}
    assert all(len(node.jobs()["finished"]) > before[node.url] for node in nodes), "a node got no job"
    crawl(local, servers)  # the same routine run on one machine: entry points answer 304 there too
    assert differences(db, local) == []
    second = list(sqlite_utils.Database(db).query("select * from crawl_runs where id > ?", [len(runs)]))
    assert len(second) == len(servers) and all(r["status"] == "finished" for r in second)
    assert all(r["articles_new"] == r["articles_updated"] == 0 for r in second)


def test_one_job_per_outlet_and_sigterm_to_a_round_cancels_its_jobs_and_ingests_what_they_exported(tmp_path, nodes):
    spider = "diplomaticinsight"
    db, exports = tmp_path / "archive.db", tmp_path / "exports"
    slow = SiteCopy(root=copy_root(spider), origin=load_sources()[spider].site, delay=0.6)  # slow enough to outlast the second round
    server = SiteServer(slow)
    try:
        round_ = subprocess.Popen([sys.executable, "-m", "crawler.cli", "nodes", "crawl", spider, "--db", str(db),
                                   "--node", nodes[0].url, "--exports", str(exports), "--poll", "0.3",
                                   "--since", SINCE.isoformat(), "--site", f"{spider}={server.base}"],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and round_.poll() is None and len(slow.fetched()) < 15:
                time.sleep(0.1)  # until the node is well into the article pages
            assert round_.poll() is None, "the round ended before the signal; slow the copy down"
            # meanwhile another round (the next firing of a schedule): the outlet is not sent twice
            again = run_pkus("nodes", "crawl", spider, "--db", str(db), "--node", nodes[0].url,
                             "--exports", str(exports), "--poll", "0.3", "--site", f"{spider}={server.base}")
            assert f"{spider}: still running on {nodes[0].url} from an earlier round; not sent again" in again.stdout
            assert [j["spider"] for j in nodes[0].jobs()["running"] + nodes[0].jobs()["pending"]] == [spider]
            round_.send_signal(signal.SIGTERM)  # as `pkus schedule` does when it stops
            output, _ = round_.communicate(timeout=180)
        finally:
            if round_.poll() is None:
                round_.kill()
                round_.wait()
    finally:
        server.stop()
    assert round_.returncode == 1, output  # as `pkus crawl`: no outlet finished its crawl
    assert f"{spider}: shutdown" in output and f"{spider}: cancelled on {nodes[0].url}" in output, output
    records, _ = export_lines(exports)
    assert records[-1]["type"] == "end" and records[-1]["status"] == "shutdown"  # Scrapy closed the spider
    archive = sqlite_utils.Database(db)
    assert [r["status"] for r in archive["crawl_runs"].rows] == ["shutdown"]
    assert archive["articles"].count == sum(r["type"] == "article" for r in records)
    assert all(row["etag"] is None for row in archive["urls"].rows if row["kind"] != "article")


def export_lines(exports: Path) -> tuple[list[dict], bytes]:
    """The complete records of the one export under ``exports``, and what follows the last one."""
    [path] = list(exports.rglob("*.jl"))
    data = path.read_bytes()
    complete, _, rest = data.rpartition(b"\n")
    return [json.loads(line) for line in complete.splitlines()], rest


def test_a_node_killed_mid_crawl_leaves_nothing_half_imported_and_the_next_round_completes_it(tmp_path, nodes):
    spider = "diplomaticinsight"
    victim, survivor = nodes[1], nodes[0]
    db, exports = tmp_path / "archive.db", tmp_path / "exports"
    command = [sys.executable, "-m", "crawler.cli", "nodes", "crawl", spider, "--db", str(db),
               "--node", victim.url, "--node", survivor.url,  # both idle: the first listed gets the job
               "--exports", str(exports), "--poll", "0.3", "--since", SINCE.isoformat()]
    slow = SiteCopy(root=copy_root(spider), origin=load_sources()[spider].site, delay=0.3)
    server = SiteServer(slow)
    try:
        site = ["--site", f"{spider}={server.base}"]
        round_ = subprocess.Popen(command + site, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and round_.poll() is None:
                if exports.is_dir() and list(exports.rglob("*.jl")):
                    if sum(r["type"] in ("article", "irrelevant") for r in export_lines(exports)[0]) >= 3:
                        break
                time.sleep(0.1)
            assert round_.poll() is None, "the round ended before its node could be killed; slow the copy down"
            victim.kill()
            output, _ = round_.communicate(timeout=120)
        finally:
            if round_.poll() is None:
                round_.kill()
                round_.wait()
        assert f"node {victim.url}: down" in output, output
        assert f"{spider}: killed" in output, output

        records, rest = export_lines(exports)
        archive = sqlite_utils.Database(db)
        assert archive.execute("pragma integrity_check").fetchone()[0] == "ok"
        archive.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
        assert [r["status"] for r in archive["crawl_runs"].rows] == ["killed"]
        assert not any(r["type"] == "end" for r in records)
        # every complete record is in, whole: article, page, URL state, entities, story
        articles = {r["url"] for r in records if r["type"] == "article"}
        assert articles and {row["url"] for row in archive["articles"].rows} == articles
        states = {row["url"]: row for row in archive["urls"].rows}
        assert all(states[url]["state"] == "archived" for url in articles)
        assert {r["url"] for r in records if r["type"] == "irrelevant"} == \
            {url for url, row in states.items() if row["state"] == "irrelevant"}
        assert {row["url"] for row in archive["pages"].rows} == {r["url"] for r in records if r.get("page")}
        assert archive.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
        assert archive.execute("select count(distinct article_id) from article_entities").fetchone()[0] == \
            sum(bool(r.get("entities")) for r in records if r["type"] == "article")
        if rest:  # the line the node was writing when it died: not a record, not imported
            assert not any(url.encode() in rest for url in states)  # (its URL is not even known)
        # the run did not finish: no entry point keeps validators, so the next round reads them all again
        assert all(row["etag"] is None for row in states.values() if row["kind"] != "article")
        archive.conn.close()

        slow.delay = 0
        slow.log.clear()
        result = run_pkus(*command[3:], *site)
        assert f"node {victim.url}: down" in result.stdout and f"{spider}: finished" in result.stdout
        refetched = {live_url(spider, path) for path in slow.fetched()} & articles

        local = tmp_path / "local.db"
        crawl(local, {spider: server}, since=SINCE.isoformat())
    finally:
        server.stop()

    archive = sqlite_utils.Database(db)
    assert [r["status"] for r in archive.query("select status from crawl_runs order by id")] == ["killed", "finished"]
    assert refetched == set(), "the next round fetched again what the killed one had brought in"
    states = {row["url"]: row["state"] for row in archive["urls"].rows}
    assert [a["url"] for a in manifest(spider) if states.get(live_url(spider, a["url"])) not in
            ("archived", "irrelevant")] == []
    assert articles < {row["url"] for row in archive["articles"].rows}
    # as if it had never been interrupted; stories aside: they grow incrementally (TF-IDF over what the
    # archive held at each round), as they do when a local crawl is killed and resumed
    assert differences(db, local, skip=("stories",)) == []
    assert archive.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
    assert archive.execute("select sum(article_count) from stories").fetchone()[0] == archive["articles"].count
