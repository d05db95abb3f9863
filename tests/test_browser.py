"""The reading room in a real browser: Debian's Chromium driven by Playwright.

The archive is crawled for real from an offline copy of The Diplomatic Insight, rebuilt into a
temp folder with one extra article whose headline and body carry literal ``<script>`` and
``onerror=`` text; `pkus serve` serves it as a separate process. Screenshots go to
test-artifacts/. Every request the pages make must stay on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import sqlite_utils

from crawler.outlets import load_sources
from crawler.sitecopy import SITES_DIR, serve_copies, stop_all
from tests.sites.build import build_site

from .conftest import ROOT, crawl, live_url, manifest
from .datasette_servers import free_port, pkus_serve, running

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
SPIDER = "diplomaticinsight"
SEED_000_TITLE = "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
SEED_000 = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"
PROBE_URL = "/pakistan-us-reko-diq-minerals-talks-continue/"
SCRIPT = "<script>window.__xss=1</script>"
ONERROR = '<img src=x onerror="window.__xss=1">'


def probe_article(seed: dict) -> dict:
    """A relevant article whose text carries markup, as an outlet might print it literally."""
    return {
        **{k: v for k, v in seed.items() if k not in ("seed", "read_more", "earlier")},
        "url": PROBE_URL, "id": seed["id"] + 1,
        "title": f"Pakistan, US Continue Reko Diq Minerals Talks {SCRIPT}",
        "description": f"Officials met again on the Reko Diq copper and gold project. {ONERROR}",
        "published": "2026-03-12T10:00:00+05:00", "modified": "2026-03-12T10:00:00+05:00",
        "body": [seed["body"][0], f"The statement quoted a web page that read {ONERROR} and {SCRIPT} verbatim.",
                 "Both sides discussed US investment in the Reko Diq copper and gold mine in Balochistan, "
                 "critical minerals, trade and energy cooperation between Pakistan and the United States.",
                 *seed["body"][1:4]],
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """TDI's copy plus the probe article, built with tests/sites/build.py, crawled by `pkus crawl`."""
    work = tmp_path_factory.mktemp("browser")
    sites = work / "sites"
    shutil.copytree(SITES_DIR / SPIDER, sites / SPIDER, ignore=shutil.ignore_patterns("site"))
    articles = manifest(SPIDER)
    seed = next(a for a in articles if a["url"] == SEED_000)
    (sites / SPIDER / "manifest.json").write_text(json.dumps([*articles, probe_article(seed)], indent=1),
                                                  encoding="utf-8")
    site = build_site(SPIDER, out=work / "site", sites_dir=sites)
    servers = serve_copies({SPIDER: load_sources()[SPIDER]},
                           root_overrides={SPIDER: site})
    db_path = work / "archive.db"
    try:
        crawl(db_path, servers, since="2025-01-01")
    finally:
        stop_all(servers)
    db = sqlite_utils.Database(db_path)
    ids = {row["url"]: row["id"] for row in db.query("select id, url from articles")}
    seed_id, probe_id = ids[live_url(SPIDER, SEED_000)], ids[live_url(SPIDER, PROBE_URL)]
    story = db.execute("select story_id from articles where id = ?", [seed_id]).fetchone()[0]
    if story is None:
        # This build groups no stories yet (the topic model's job): group the two reports of the
        # Aurangzeb–Lutnick talks by hand, as the stories table would hold them.
        story = db["stories"].insert({"title": "Pakistan–US economic talks in Washington", "outlets": '["diplomaticinsight"]',
                                      "first_published": "2026-03-11T14:21:37+00:00",
                                      "last_published": "2026-03-12T05:00:00+00:00", "article_count": 2}).last_pk
        db["articles"].update(seed_id, {"story_id": story})
        db["articles"].update(probe_id, {"story_id": story})
    db.conn.close()
    return {"db": db_path, "seed": seed_id, "probe": probe_id, "story": story}


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    port = free_port()
    with running(pkus_serve(archive["db"], port), port, tmp_path_factory.mktemp("serve") / "datasette.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `bash scripts/test.sh` (it installs Debian's chromium) "
                    "or `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh page that records every URL it requests; checks they all stayed on 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
    elsewhere = [u for u in page.requested if urlsplit(u).hostname not in ("127.0.0.1", None)
                 and not u.startswith(("data:", "about:"))]
    assert not elsewhere, f"requests off 127.0.0.1: {elsewhere}"
    assert not page.errors, f"JavaScript errors: {page.errors}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_lutnick_then_read_seed_000(page, server, archive):
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "Pakistan–US economic news archive"
    shot(page, "01-home")
    page.fill("#pkus-q", "Lutnick")
    page.click(".pkus-search button")
    page.wait_for_url("**/archive/articles?_search=Lutnick")
    # the headline column links to the article; story_id cells may carry the same words as a story's title
    link = page.locator("td.col-title").get_by_role("link", name=SEED_000_TITLE, exact=True)
    assert link.count() == 1
    shot(page, "02-search-lutnick")
    link.click()
    page.wait_for_url(f"**/archive/articles/{archive['seed']}")
    assert page.locator("article h1").inner_text() == SEED_000_TITLE
    assert "By Sohail Majeed" in page.locator(".pkus-byline").inner_text()
    assert page.locator(".pkus-body p").first.inner_text().startswith("Washington (TDI):")
    original = page.get_by_role("link", name="Read the original at The Diplomatic Insight")
    assert original.get_attribute("href") == live_url(SPIDER, SEED_000)
    shot(page, "03-article-seed-000")


def test_facet_by_sector(page, server):
    page.goto(server + "/archive/articles")
    facet = page.locator(".facet-info[data-column=sectors] a", has_text="mining-minerals").first
    facet.click()
    page.wait_for_url("**sectors__arraycontains=mining-minerals**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    for cell in page.locator("table.rows-and-columns td.col-sectors").all_inner_texts():
        assert "mining-minerals" in cell
    shot(page, "04-facet-sector")


def test_open_a_story_from_an_article(page, server, archive):
    page.goto(f"{server}/archive/articles/{archive['seed']}")
    page.locator(".pkus-story a").first.click()
    page.wait_for_url(f"**/archive/stories/{archive['story']}")
    timeline = page.locator(".pkus-timeline li")
    assert timeline.count() >= 2
    assert SEED_000_TITLE in timeline.all_inner_texts()[0]
    shot(page, "05-story")


def test_follow_reko_diq_as_an_atom_feed(page, server):
    page.goto(server + "/archive/articles?_search=%22Reko+Diq%22")
    href = page.get_by_role("link", name="Atom feed").get_attribute("href")
    response = page.request.get(server + href)
    assert response.ok
    feed = feedparser.parse(response.text())
    assert not feed.bozo and feed.feed.title == 'Pakistan–US economic news: "Reko Diq"'
    searched = page.request.get(server + "/archive/articles.json?_search=%22Reko+Diq%22&_shape=array&_size=max").json()
    assert sorted(e.title for e in feed.entries) == sorted(row["title"] for row in searched)
    assert f"Pakistan, US Continue Reko Diq Minerals Talks {SCRIPT}" in [e.title for e in feed.entries]


def test_charts_draw_from_the_archive(page, server):
    page.goto(server + "/")
    for name, shot_name in (("coverage by outlet", "06-chart-outlet"), ("by sector", "07-chart-sector")):
        page.goto(server + "/")
        page.get_by_role("link", name=name).click()
        chart = page.locator(".vega-embed canvas, .vega-embed svg").first
        chart.wait_for(state="visible", timeout=15000)
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
        shot(page, shot_name)


@pytest.mark.parametrize("path", ["/archive/articles/{probe}", "/archive/stories/{story}", "/archive/latest",
                                  "/archive/articles?_search=Reko", "/archive/search?q=Reko",
                                  "/archive/who_said_what?person=Reko", "/archive/articles?_search=window"])
def test_markup_in_scraped_text_never_runs(page, server, archive, path):
    page.goto(server + path.format(**archive))
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.get_by_text("window.__xss=1", exact=False).count() > 0  # shown as text instead
    if "{probe}" in path:
        assert page.locator("article h1").inner_text() == f"Pakistan, US Continue Reko Diq Minerals Talks {SCRIPT}"
        shot(page, "08-markup-shown-as-text")
