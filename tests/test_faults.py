"""The hostile web: crawl the fault-injection outlet (tests/faults/) and check what the archive holds.

One routine crawl, then a second one, as cron would run them. Each test is one fault: the
article it should still get, or the failure row (with its reason) it should leave, and what the
servers saw, so "nothing off-site was fetched" is checked on the off-site host's own log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from w3lib.url import canonicalize_url

from .conftest import ROOT
from .faults.server import SITE, SOURCE_DIR, SPIDER, URDU_SLUG, FaultServers

ENV = {**os.environ, "PKUS_SOURCES": str(SOURCE_DIR)}


def url(path: str) -> str:
    return canonicalize_url(SITE + path)


def run_crawl(db: Path, base: str) -> dict:
    """`pkus crawl faults` in a child process; its exit status, output, time and peak memory."""
    out, err = db.with_suffix(".out"), db.with_suffix(".err")
    started = time.monotonic()
    with open(out, "w") as stdout, open(err, "w") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--site", f"{SPIDER}={base}",
                                  "--db", str(db)], cwd=ROOT, env=ENV, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)  # wait4: this child's own peak RSS
    return {"code": os.waitstatus_to_exitcode(status), "stdout": out.read_text(), "stderr": err.read_text(),
            "seconds": time.monotonic() - started, "max_rss_mib": usage.ru_maxrss / 1024}


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    db = folder / "archive.db"
    with FaultServers() as servers:
        first = run_crawl(db, servers.site.base)
        counts_first = dict(servers.site.counts)
        shutil.copy(db, folder / "first.db")  # the archive after one run (WAL checkpointed on close)
        second = run_crawl(db, servers.site.base)
        yield {"first": first, "second": second, "db": sqlite_utils.Database(folder / "first.db"),
               "db2": sqlite_utils.Database(db), "site": servers.site, "counts_first": counts_first}


def failures(db, path: str) -> list[dict]:
    return list(db.query("select stage, reason, http_status from failures where url = ?", [url(path)]))


def state(db, path: str) -> str | None:
    row = db.execute("select state from urls where url = ?", [url(path)]).fetchone()
    return row[0] if row else None


def article(db, path: str) -> dict | None:
    rows = list(db.query("select * from articles where url = ?", [url(path)]))
    return rows[0] if rows else None


def assert_failed(faults, path: str, reason: str, url_state: str = "failed", stage: str = "fetch") -> None:
    db = faults["db"]
    rows = failures(db, path)
    assert len(rows) == 1, rows  # recorded once, not once per retry
    assert rows[0]["reason"].startswith(reason) and rows[0]["stage"] == stage, rows
    assert state(db, path) == url_state
    assert article(db, path) is None
    assert db.execute("select count(*) from pages where url = ?", [url(path)]).fetchone()[0] == 0


# -- the crawl itself ------------------------------------------------------------------------

def test_both_crawls_finished_with_one_summary_line_and_nothing_on_stderr(faults):
    for run in (faults["first"], faults["second"]):
        assert run["code"] == 0, run
        assert run["stdout"].startswith("faults: finished,") and run["stdout"].count("\n") == 1, run["stdout"]
        assert run["stderr"] == "", run["stderr"]  # under cron: the summary, nothing else
    statuses = [r["status"] for r in faults["db2"].query("select status from crawl_runs order by id")]
    assert statuses == ["finished", "finished"]


def test_the_control_article_is_archived(faults):
    assert article(faults["db"], "/news/control")["title"] == "Fault control: Pakistan and US widen trade"


def test_nothing_was_fetched_from_the_offsite_host_not_even_its_robots_txt(faults):
    assert faults["site"].offsite_hits() == []
    stolen = faults["db2"].execute("select count(*) from articles where title like 'Stolen%' or body like '%Stolen%'")
    assert stolen.fetchone()[0] == 0


# -- off-site, loops, private addresses --------------------------------------------------------

def test_offsite_302_is_refused_and_recorded(faults):
    assert_failed(faults, "/news/offsite-redirect", "off-site redirect (HTTP 302) to http://127.0.0.2:", "refused")


def test_offsite_meta_refresh_is_refused_and_recorded(faults):
    assert_failed(faults, "/news/offsite-meta-refresh", "off-site meta refresh to http://127.0.0.2:", "refused")


def test_offsite_and_link_local_child_sitemaps_are_refused(faults):
    db = faults["db"]
    reasons = [r["reason"] for r in db.query("select reason from failures where url like 'http://127.0.0.2%' "
                                             "or url like 'http://169.254.169.254%' order by url")]
    assert len(reasons) == 2 and all(r.startswith("off-site URL") for r in reasons), reasons


def test_an_article_redirected_to_the_home_page_is_not_archived(faults):
    assert_failed(faults, "/news/gone-to-home", "redirected to a page that is not an article: " + SITE + "/",
                  stage="page")
    assert state(faults["db"], "/") is None and article(faults["db"], "/") is None


def test_an_endless_redirect_chain_stops(faults):
    assert_failed(faults, "/news/chain-1", "too many redirects")
    assert faults["counts_first"]["/news/chain-21"] == 1 and "/news/chain-22" not in faults["counts_first"]


def test_redirect_loop_is_recorded_once_and_backed_off(faults):
    assert_failed(faults, "/news/loop-a", "redirect loop:")
    assert failures(faults["db"], "/news/loop-a")[0]["reason"].endswith("/news/loop-b -> http://" +
                                                                          faults["site"].base[7:] + "/news/loop-a")
    # the second run does not ask again (its back-off is not over), nor records it again
    assert faults["site"].counts["/news/loop-a"] == faults["counts_first"]["/news/loop-a"] == 1
    assert len(failures(faults["db2"], "/news/loop-a")) == 1


# -- sizes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/news/huge-page", "/news/huge-stream"])
def test_huge_pages_are_too_large_and_not_retried(faults, path):
    assert_failed(faults, path, "too large: over the download cap", "refused")
    assert faults["site"].counts[path] == 1  # neither retried in the run nor by the next one


def test_gzip_bomb_stops_at_the_cap_and_memory_stays_small(faults):
    assert_failed(faults, "/news/gzip-bomb", "too large: over the download cap once decompressed", "refused")
    assert faults["site"].counts["/news/gzip-bomb"] == 1
    # 1 GiB inflated would show here; the crawl's whole process stays well under that
    assert faults["first"]["max_rss_mib"] < 400, faults["first"]["max_rss_mib"]


def test_a_body_that_is_not_the_gzip_it_claims_is_recorded(faults):
    assert_failed(faults, "/news/bad-gzip", "bad compressed body:")


# -- text encodings ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/news/cp1252-header", "/news/cp1252-meta", "/news/cp1252-unlabelled",
                                  "/news/cp1252-as-utf8", "/news/utf8-bom"])
def test_the_text_is_decoded_as_the_page_was_written(faults, path):
    body = article(faults["db"], path)["body"]
    assert "Exporters’ “café culture” deals — worth €5m — were signed." in body
    assert "\ufffd" not in body


def test_pages_keep_their_bytes_and_content_type(faults):
    import zlib

    row = next(faults["db"].query("select html, content_type from pages where url = ?", [url("/news/cp1252-header")]))
    assert row["content_type"] == "text/html; charset=windows-1252"
    assert "café".encode("cp1252") in zlib.decompress(row["html"])


# -- throttling and transient errors -----------------------------------------------------------

def test_retry_after_503_is_waited_for_then_the_article_archived(faults):
    hits = faults["site"].fetched("/news/retry-after-503")
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 1.9
    assert article(faults["db"], "/news/retry-after-503") is not None
    assert failures(faults["db"], "/news/retry-after-503") == []


def test_retry_after_429_pauses_the_outlet_then_is_recorded(faults):
    hits = faults["site"].fetched("/news/retry-after-429")
    assert len(hits) == 3  # the first try and Scrapy's two retries
    assert all(b.at - a.at >= 0.9 for a, b in zip(hits, hits[1:]))
    assert_failed(faults, "/news/retry-after-429", "HTTP 429 (Retry-After 1 s)")


def test_retry_after_beyond_the_cap_is_left_for_a_later_run(faults):
    assert faults["counts_first"]["/news/retry-after-long"] == 1  # not retried within the run
    assert_failed(faults, "/news/retry-after-long", "HTTP 503 (Retry-After 3600 s)")


def test_server_error_is_retried_then_recorded(faults):
    assert faults["counts_first"]["/news/server-error"] == 3
    assert_failed(faults, "/news/server-error", "HTTP 500")
    assert failures(faults["db"], "/news/server-error")[0]["http_status"] == 500


def test_timeout_is_recorded(faults):
    assert_failed(faults, "/news/slow", "timeout:")


def test_connection_reset_is_recorded(faults):
    assert_failed(faults, "/news/reset", "connection lost:")


def test_truncated_body_is_recorded_not_archived(faults):
    assert_failed(faults, "/news/truncated", "truncated body:")


def test_failed_urls_wait_for_their_back_off(faults):
    row = next(faults["db"].query("select u.tries, u.next_try, f.at from urls u join failures f on f.url = u.url "
                                  "where u.url = ?", [url("/news/server-error")]))
    assert row["tries"] == 1 and row["next_try"] > row["at"]
    for path in ("/news/server-error", "/news/slow", "/news/reset", "/news/truncated"):
        assert faults["site"].counts[path] == faults["counts_first"][path]  # not asked again by run two


# -- entry points ----------------------------------------------------------------------------

def test_broken_sitemap_xml_is_recorded_and_what_it_still_lists_is_followed(faults):
    rows = list(faults["db"].query("select reason from failures where url = ?", [url("/sitemap-broken.xml")]))
    assert len(rows) == 1 and rows[0]["reason"].startswith("bad sitemap XML:")
    assert article(faults["db"], "/news/from-broken-sitemap") is not None


def test_robots_disallow_is_obeyed_and_recorded(faults):
    assert_failed(faults, "/private/disallowed", "disallowed by robots.txt", "disallowed")
    assert faults["site"].fetched("/private/disallowed") == []


def test_tracking_parameter_duplicates_are_one_article_fetched_once(faults):
    assert article(faults["db"], "/news/tracked") is not None
    assert faults["db"].execute("select count(*) from urls where url like '%/news/tracked%'").fetchone()[0] == 1
    assert len(faults["site"].fetched("/news/tracked")) == 1


def test_urdu_slug_matches_the_articles_pattern(faults):
    found = article(faults["db"], "/news/" + URDU_SLUG)
    assert found is not None and found["title"] == "Urdu slug: Pakistan and US trade"


# -- not articles -------------------------------------------------------------------------------

def test_cloudflare_challenge_is_blocked_not_an_article(faults):
    assert_failed(faults, "/news/challenge", "blocked: Cloudflare challenge page (HTTP 403)", "blocked")


def test_bot_challenge_with_status_200_is_blocked(faults):
    assert_failed(faults, "/news/challenge-200", "blocked: Cloudflare challenge page", "blocked", stage="page")


def test_soft_404_is_recorded_as_what_it_is(faults):
    assert_failed(faults, "/news/soft-404", "soft 404:", stage="page")


def test_pdf_is_not_an_article(faults):
    assert_failed(faults, "/news/pdf-report", "not HTML: application/pdf", "refused", stage="page")


def test_empty_page_is_recorded(faults):
    assert_failed(faults, "/news/empty", "empty page", stage="page")


# -- changes and dates ------------------------------------------------------------------------

def test_a_page_that_changes_between_fetches_keeps_its_earlier_text(faults):
    assert "First version." in article(faults["db"], "/news/changing")["body"]
    now = article(faults["db2"], "/news/changing")
    assert "Second version" in now["body"]
    versions = list(faults["db2"].query("select body from article_versions where url = ?", [url("/news/changing")]))
    assert len(versions) == 1 and "First version." in versions[0]["body"]
    assert faults["site"].counts["/news/changing"] == 2


def test_a_date_in_2099_is_not_stored(faults):
    published = article(faults["db"], "/news/future-date")["published"]
    assert not published.startswith(("2098", "2099")), published
