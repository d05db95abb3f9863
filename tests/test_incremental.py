"""Incremental crawls: an outlet that "publishes" between two runs, back-fills, failures and retries.

The outlet is The Diplomatic Insight's copy rendered with ``build_site(..., as_of=...)`` into a
temporary folder and served by ``crawler.sitecopy``; rebuilding the same folder at a later moment
makes the outlet publish the articles of the time in between (and update one article).
About the copy server: it derives the ETag from the content and Last-Modified from the file's
mtime. A rebuild gives every file a new mtime, but the spider sends If-None-Match, which the
server checks first, so an unchanged feed or sitemap still answers 304 after a rebuild.
"""

from __future__ import annotations

import socket
from datetime import datetime

import pytest
import sqlite_utils

from crawler.outlets import load_sources
from crawler.sitecopy import SiteCopy, SiteServer
from tests.sites.build import articles_at, build_site

from .conftest import crawl, live_url, manifest, run_pkus

SPIDER = "diplomaticinsight"
UPDATED = "/pakistani-us-firms-sign-investment-deals-at-washington-forum/"
# after the updated article's first version went up, before its correction (2026-04-01T10:26:48+05:00)
FIRST = datetime.fromisoformat("2026-03-31T23:00:00+05:00")
SECOND = datetime.fromisoformat("2026-05-20T00:00:00+05:00")


class Outlet:
    """One outlet's copy, built as of a moment into a folder and served on loopback."""

    def __init__(self, folder, as_of: datetime):
        self.folder = folder
        self.publish(as_of)
        self.server = SiteServer(SiteCopy(root=folder, origin=load_sources()[SPIDER].site))
        self.servers = {SPIDER: self.server}

    def publish(self, as_of: datetime) -> None:
        build_site(SPIDER, out=self.folder, as_of=as_of)

    def crawl(self, db, **kwargs):
        self.server.copy.log.clear()
        return crawl(db, self.servers, SPIDER, **kwargs)

    def requested(self) -> list[str]:
        return self.server.copy.fetched(status=None)

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def outlet(tmp_path):
    running = Outlet(tmp_path / "site", FIRST)
    yield running
    running.stop()


def article_paths(paths: list[str]) -> set[str]:
    """The article pages among requested paths (posts live at /<slug>/ on this outlet)."""
    source = load_sources()[SPIDER]
    return {p for p in paths if source.is_article_path(p)}


def last_run(db) -> dict:
    return next(sqlite_utils.Database(db).query("select * from crawl_runs order by id desc limit 1"))


def published_between(start: datetime | None, end: datetime) -> set[str]:
    return {a["url"] for a in articles_at(manifest(SPIDER), end)
            if start is None or datetime.fromisoformat(a["published"]) > start}


def test_second_run_fetches_only_new_and_changed_articles(tmp_path, outlet):
    db = tmp_path / "archive.db"
    outlet.crawl(db, since="2025-01-01")
    assert article_paths(outlet.requested()) == published_between(None, FIRST)
    first_title = sqlite_utils.Database(db).execute(
        "select title from articles where url = ?", [live_url(SPIDER, UPDATED)]).fetchone()[0]
    assert first_title == "Pakistani, US Firms Sign Investment Deals at Washington Forum"

    outlet.publish(SECOND)
    result = outlet.crawl(db)
    requested = outlet.requested()
    new = published_between(FIRST, SECOND)
    assert len(new) == 5
    assert article_paths(requested) == new | {UPDATED}
    assert len(requested) == len(set(requested)), "a page was fetched twice"
    # the entry points: the news sitemap and the one post sitemap whose lastmod moved (it lists the
    # correction); the older post sitemap and the page sitemap did not change and are not read
    entry = set(requested) - article_paths(requested)
    assert {"/robots.txt", "/feed/", "/sitemap_index.xml", "/news-sitemap.xml", "/post-sitemap.xml"} <= entry
    assert not entry & {"/post-sitemap2.xml", "/page-sitemap.xml"}
    assert all(p.startswith("/category/") for p in entry - {"/robots.txt", "/feed/"} if not p.endswith(".xml"))
    run = last_run(db)
    assert run["requests"] == len(requested)  # robots.txt + entry points + exactly those articles
    assert run["status"] == "finished"
    assert run["articles_updated"] == 1
    assert run["articles_new"] + run["irrelevant"] == len(new)
    assert f"{run['articles_new']} new, 1 updated" in result.stdout

    archive = sqlite_utils.Database(db)
    article = archive.execute("select id, title, body from articles where url = ?",
                              [live_url(SPIDER, UPDATED)]).fetchone()
    assert article[1] == "Pakistani, American Firms Sign 14 MoUs Worth $3.4bn at Washington Forum"
    versions = list(archive.query("select * from article_versions"))
    assert len(versions) == 1
    truth = next(a for a in manifest(SPIDER) if a["url"] == UPDATED)
    assert versions[0]["article_id"] == article[0]
    assert versions[0]["title"] == truth["earlier"][0]["title"]
    assert versions[0]["body"] == "\n\n".join(truth["earlier"][0]["body"])
    assert article[2] == "\n\n".join(truth["body"])

    # nothing published since: every entry point answers 304 and no article page is requested
    outlet.crawl(db)
    requested = outlet.requested()
    assert article_paths(requested) == set()
    assert set(outlet.server.copy.fetched(status=200)) <= {"/robots.txt"}
    run = last_run(db)
    assert run["requests"] == len(requested)
    assert (run["articles_new"], run["articles_updated"], run["irrelevant"]) == (0, 0, 0)


BACKFILL_FROM = "2025-11-01"


def test_since_backfills_sitemaps_to_that_date_after_routine_runs(tmp_path):
    outlet = Outlet(tmp_path / "site", SECOND)
    try:
        db = tmp_path / "archive.db"
        outlet.crawl(db)  # a routine run stores the feeds' and sitemaps' validators
        routine = article_paths(outlet.requested())
        outlet.crawl(db, since=BACKFILL_FROM)
        backfill = article_paths(outlet.requested())
    finally:
        outlet.stop()
    urls = {row["url"]: row["state"] for row in sqlite_utils.Database(db)["urls"].rows}
    since = datetime.fromisoformat(BACKFILL_FROM + "T00:00:00+00:00")
    missing = [p for p in published_between(since, SECOND) if urls.get(live_url(SPIDER, p)) not in
               ("archived", "irrelevant")]
    assert missing == []
    # a World piece from November is only in the post sitemap: the back-fill read it despite its 304s
    assert "/pakistan-presses-for-loss-and-damage-finance-at-cop30-in-belem/" in backfill - routine
    # older pieces outside the listings are left alone: one by its lastmod in a sitemap that was read,
    # two because their whole sitemap (post-sitemap2.xml) changed before that date
    for older in ("/us-china-agree-one-year-trade-truce-after-trump-xi-meeting-in-busan/",
                  "/india-us-trade-talks-stall-over-farm-and-dairy-access/",
                  "/us-doubles-tariff-on-indian-goods-to-50pc-over-russian-oil-purchases/"):
        assert older not in routine | backfill
    assert not backfill & routine, "the back-fill fetched again what the routine run had"


MISSING = "/pakistans-it-exports-to-us-cross-1-5bn-in-ten-months/"


def url_row(db, path: str) -> dict:
    return sqlite_utils.Database(db)["urls"].get(live_url(SPIDER, path))


def make_due(db, path: str) -> None:
    """Skip the back-off wait without sleeping: move the next try into the past."""
    sqlite_utils.Database(db)["urls"].update(live_url(SPIDER, path), {"next_try": "2000-01-01T00:00:00+00:00"})


def minutes_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60


def test_failed_fetch_is_recorded_retried_with_growing_backoff_then_given_up(tmp_path, outlet):
    db = tmp_path / "archive.db"
    page = outlet.folder / MISSING.strip("/") / "index.html"
    outlet.publish(SECOND)
    saved = page.read_bytes()
    page.unlink()  # the outlet answers 404 for this article

    result = outlet.crawl(db, since="2025-01-01")
    assert "1 failures" in result.stdout
    failures = list(sqlite_utils.Database(db).query("select * from failures"))
    assert [(f["url"], f["stage"], f["reason"], f["http_status"]) for f in failures] == [
        (live_url(SPIDER, MISSING), "fetch", "HTTP 404", 404)]
    assert failures[0]["run_id"] == last_run(db)["id"]
    row = url_row(db, MISSING)
    assert (row["state"], row["tries"], row["error"]) == ("failed", 1, "fetch: HTTP 404")
    assert abs(minutes_between(row["last_fetched"], row["next_try"]) - 30) < 0.1  # PKUS_RETRY_BASE_MINUTES

    outlet.crawl(db)  # still backing off: not asked for
    assert MISSING not in outlet.requested()

    make_due(db, MISSING)
    outlet.crawl(db)  # due: retried although no feed lists it any more (all answer 304)
    assert MISSING in outlet.requested()
    row = url_row(db, MISSING)
    assert (row["state"], row["tries"]) == ("failed", 2)
    assert abs(minutes_between(row["last_fetched"], row["next_try"]) - 60) < 0.1  # twice as long

    make_due(db, MISSING)
    outlet.crawl(db, env={"PKUS_MAX_TRIES": "2"})  # given up after two tries
    assert MISSING not in outlet.requested()
    assert url_row(db, MISSING)["tries"] == 2

    page.write_bytes(saved)  # the outlet fixes the page
    make_due(db, MISSING)
    result = outlet.crawl(db)
    assert MISSING in outlet.requested()
    row = url_row(db, MISSING)
    assert (row["state"], row["tries"], row["next_try"], row["error"]) == ("archived", 0, None, None)
    assert "1 new" in result.stdout
    assert len(list(sqlite_utils.Database(db).query("select * from failures"))) == 2  # the history stays


def test_extraction_failure_is_recorded_with_its_reason(tmp_path, outlet):
    db = tmp_path / "archive.db"
    # a page with text but no article in it (an empty one is an "empty page": crawler.pagecheck)
    (outlet.folder / UPDATED.strip("/") / "index.html").write_text(
        "<html><head><title>Updated</title></head><body><nav><ul><li><a href='/'>Home</a></li></ul></nav></body></html>")
    outlet.crawl(db, since="2025-01-01")
    failure = next(sqlite_utils.Database(db).query("select * from failures"))
    assert (failure["url"], failure["stage"]) == (live_url(SPIDER, UPDATED), "extract")
    assert "no article text" in failure["reason"]
    assert url_row(db, UPDATED)["state"] == "failed"


def test_outlet_down_gives_a_failed_run_and_exit_status_1(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = tmp_path / "archive.db"
    result = run_pkus("crawl", SPIDER, "--db", str(db), "--site", f"{SPIDER}=http://127.0.0.1:{port}", check=False)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{SPIDER}: failed, ")
    run = last_run(db)
    assert run["status"] == "failed" and run["finished"] and run["requests"] > 0
    reasons = {row["reason"] for row in sqlite_utils.Database(db).query("select reason from failures")}
    assert reasons == {"connection refused"}


def test_have_we_got_this_is_one_indexed_lookup(tmp_path):
    from crawler.archive import connect
    from crawler.spiders.news import KNOWN_SQL, RETRY_SQL

    db = connect(tmp_path / "archive.db")
    for sql, params in ((KNOWN_SQL, ["https://example.com/a/"]), (RETRY_SQL, ["x", 5, "2026-01-01"])):
        plan = " ".join(row[3] for row in db.execute(f"explain query plan {sql}", params).fetchall())
        assert "SEARCH urls USING" in plan and "SCAN" not in plan, plan
