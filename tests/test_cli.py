"""The pkus command: clear errors, extract, sources, the writer lock and the demo."""

from __future__ import annotations

import json
import shutil
import socket

import sqlite_utils

from crawler.outlets import load_sources
from crawler.run import writer_lock
from crawler.sitecopy import SiteCopy, SiteServer, copy_root

from .conftest import live_url, manifest, run_pkus

SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"


def test_unknown_spider_is_a_usage_error(tmp_path):
    result = run_pkus("crawl", "nosuchoutlet", "--db", str(tmp_path / "a.db"), check=False)
    assert result.returncode == 2
    assert "unknown spider nosuchoutlet" in result.stderr and "diplomaticinsight" in result.stderr


def test_crawl_needs_spiders_or_all(tmp_path):
    result = run_pkus("crawl", "--db", str(tmp_path / "a.db"), check=False)
    assert result.returncode == 2 and "--all" in result.stderr


def test_missing_archive_is_a_clear_error(tmp_path):
    for args in (["search", "tariff"], ["serve"]):
        result = run_pkus(*args, "--db", str(tmp_path / "none.db"), check=False)
        assert result.returncode == 1
        assert "no archive at" in result.stderr and "pkus crawl" in result.stderr


def test_serve_refuses_a_busy_port(demo_db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_pkus("serve", "--db", str(demo_db["db"]), "--port", str(port), check=False)
    assert result.returncode == 1 and f"port {port} on 127.0.0.1 is in use" in result.stderr


def test_extract_prints_the_article_as_json(tmp_path):
    html = copy_root("diplomaticinsight") / SEED_000.strip("/") / "index.html"
    url = live_url("diplomaticinsight", SEED_000)
    result = run_pkus("extract", str(html), "--url", url)  # outlet guessed from the URL
    article = json.loads(result.stdout)
    assert article["title"] == "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
    assert article["published"] == "2026-03-11T14:21:37+00:00" and article["published_from"] == "json-ld"
    assert article["body"].startswith("Washington (TDI):") and "Read More" not in article["body"]
    assert {"author", "modified", "tags", "description", "image", "language", "published_raw"} <= article.keys()


def test_extract_finds_the_outlet_from_the_page_canonical_link(tmp_path):
    html = copy_root("diplomaticinsight") / SEED_000.strip("/") / "index.html"
    result = run_pkus("extract", str(html))  # no --url: the page names its own address
    article = json.loads(result.stdout)
    assert (article["rules"], article["rules_from"]) == ("diplomaticinsight", "the page's canonical link")
    assert article["url"] == live_url("diplomaticinsight", SEED_000) and article["published_from"] == "json-ld"
    assert "applied the rules of diplomaticinsight" in result.stderr
    other = tmp_path / "other.html"
    other.write_text(html.read_text().replace("https://thediplomaticinsight.com", "https://example.org"))
    result = run_pkus("extract", str(other))
    assert json.loads(result.stdout)["rules"] is None and "applied no outlet's rules" in result.stderr


def test_extract_reads_standard_input(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    html = (copy_root("diplomaticinsight") / SEED_000.strip("/") / "index.html").read_bytes()
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "extract", "-", "--source", "diplomaticinsight"],
                            input=html, capture_output=True, cwd=ROOT, check=True)
    assert json.loads(result.stdout)["author"] == "Sohail Majeed"


def test_extract_of_a_page_with_no_article_fails_clearly(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    result = run_pkus("extract", str(empty), check=False)
    assert result.returncode == 1 and "no article found" in result.stderr


def test_sources_lists_every_outlet_with_its_counts(demo_db):
    result = run_pkus("sources", "--db", str(demo_db["db"]))
    db = sqlite_utils.Database(demo_db["db"])
    for name in load_sources():
        line = next(l for l in result.stdout.splitlines() if l.startswith(name + " "))
        count = db.execute("select count(*) from articles where source = ?", [name]).fetchone()[0]
        assert line.split()[1] == str(count)


def test_sources_check_reports_entry_points(servers):
    server = servers["diplomaticinsight"]
    result = run_pkus("sources", "check", "diplomaticinsight", "--site", f"diplomaticinsight={server.base}")
    lines = result.stdout.splitlines()
    assert any(l.split()[:2] == ["OK", "feed"] and "10 articles" in l for l in lines)
    assert any(l.split()[:2] == ["OK", "sitemap"] and "news-sitemap.xml" in l for l in lines)
    assert any(l.split()[:2] == ["OK", "listing"] and "next page link found" in l for l in lines)


def test_sources_check_flags_a_changed_site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(copy_root("diplomaticinsight"), root)
    shutil.rmtree(root / "feed")  # the feed moved
    listing = root / "category" / "economy" / "index.html"  # and the listing markup changed
    listing.write_text(listing.read_text().replace("td-ss-main-content", "new-layout"))
    with SiteServer(SiteCopy(root=root, origin=load_sources()["diplomaticinsight"].site)) as server:
        result = run_pkus("sources", "check", "diplomaticinsight", "--site", f"diplomaticinsight={server.base}",
                          check=False)
    assert result.returncode == 1
    assert any(l.split()[:2] == ["FAIL", "feed"] and "HTTP 404" in l for l in result.stdout.splitlines())
    assert any(l.split()[:2] == ["WARN", "listing"] and "layout changed" in l for l in result.stdout.splitlines())


def test_a_second_crawl_while_one_writes_exits_at_once(tmp_path):
    db = tmp_path / "archive.db"
    with writer_lock(db):
        result = run_pkus("crawl", "diplomaticinsight", "--db", str(db), "--site",
                          "diplomaticinsight=http://127.0.0.1:9", check=False)
    assert result.returncode == 0
    assert "another crawl is writing" in result.stdout


def test_demo_without_serving_crawls_every_outlet(tmp_path):
    db = tmp_path / "archive.db"
    result = run_pkus("demo", "--no-serve", "--db", str(db))
    assert "offline copy of The Diplomatic Insight at http://127.0.0.1:" in result.stdout
    archived = {r["url"] for r in sqlite_utils.Database(db).query("select url from articles")}
    for name in load_sources():
        assert f"{name}: finished" in result.stdout
        relevant = {live_url(name, a["url"]) for a in manifest(name) if a["relevant"]}
        assert relevant <= archived, f"{name}: not archived: {sorted(relevant - archived)}"


def test_scrapy_list_shows_every_outlet_and_scrapy_crawl_works(tmp_path, servers):
    import subprocess
    import sys

    from .conftest import ROOT

    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    required = {"diplomaticinsight", "dawn", "tribune", "brecorder", "thenews", "app", "arabnews", "wenews", "nation"}
    assert required <= set(listed) and set(listed) == set(load_sources())
    db = tmp_path / "archive.db"
    sites = json.dumps({"diplomaticinsight": servers["diplomaticinsight"].base})
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "diplomaticinsight", "-s", f"PKUS_DB={db}",
                    "-s", f"PKUS_SITES={sites}", "-a", "since=2025-01-01", "-s", "LOG_LEVEL=WARNING"],
                   cwd=ROOT, check=True, capture_output=True)
    assert sqlite_utils.Database(db)["articles"].count > 0
