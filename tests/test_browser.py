"""The reading room in a real browser: Debian's Chromium driven by Playwright.

The archive is crawled for real from an offline copy of The Diplomatic Insight, rebuilt into a
temp folder with one extra article whose headline and body carry literal ``<script>`` and
``onerror=`` text; `pkus serve` serves it as a separate process. Screenshots go to
test-artifacts/. Every request the pages make must stay on 127.0.0.1, and no page may log a
JavaScript or console error.
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
BUDGET = 200 * 1024  # bytes a page may cost, HTML and every asset, as the browser receives them
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
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


def new_page(browser, viewport=DESK):
    """A fresh page that records every request, and every JavaScript or console error."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.requested, page.errors, page.finished = [], [], []
    page.on("request", lambda r: page.requested.append(r.url))
    page.on("requestfinished", lambda r: page.finished.append(r))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(f"console: {m.text}") if m.type == "error" else None)
    return context, page


def check_and_close(context, page) -> None:
    context.close()
    elsewhere = [u for u in page.requested if urlsplit(u).hostname not in ("127.0.0.1", None)
                 and not u.startswith(("data:", "about:"))]
    assert not elsewhere, f"requests off 127.0.0.1: {elsewhere}"
    assert not page.errors, f"JavaScript or console errors: {page.errors}"


@pytest.fixture
def page(browser):
    context, page = new_page(browser)
    yield page
    check_and_close(context, page)


@pytest.fixture
def phone(browser):
    context, page = new_page(browser, PHONE)
    yield page
    check_and_close(context, page)


def shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def hits(page) -> list[int]:
    return [int(i) for i in page.locator("li.pkus-hit").evaluate_all("els => els.map(e => e.dataset.id)")]


def above_the_fold(page) -> None:
    """The first result's top edge is inside the first screen."""
    box = page.locator("li.pkus-hit").first.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"] - 40, box


def test_search_lutnick_then_read_seed_000(page, server, archive):
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "Pakistan–US economic news archive"
    shot(page, "01-home")
    page.fill("#pkus-q", "Lutnick")
    page.locator("#pkus-q").press("Enter")
    page.wait_for_url("**/search?q=Lutnick")
    assert page.locator("select[name=sort]").input_value() == "rank"  # best match first
    assert hits(page)[0] == archive["seed"]
    first = page.locator("li.pkus-hit").first
    assert first.locator("h2 a").inner_text() == SEED_000_TITLE
    assert "Lutnick" in first.locator(".pkus-snippet mark").all_inner_texts()
    assert first.locator(".pkus-hit-outlet").inner_text() == "The Diplomatic Insight"
    # 14:21 UTC is 19:21 in Pakistan; the UTC time is the hover title
    when = first.locator("time")
    assert when.inner_text() == "11 Mar 2026, 19:21 PKT" and when.get_attribute("title") == "11 Mar 2026, 14:21 UTC"
    above_the_fold(page)
    shot(page, "02-search-lutnick", full_page=False)
    first.locator("h2 a").click()
    page.wait_for_url(f"**/archive/articles/{archive['seed']}")
    assert page.locator("article h1").inner_text() == SEED_000_TITLE
    assert "By Sohail Majeed" in page.locator(".pkus-byline").inner_text()
    assert page.locator(".pkus-body p").first.inner_text().startswith("Washington (TDI):")
    original = page.get_by_role("link", name="Read the original at The Diplomatic Insight")
    assert original.get_attribute("href") == live_url(SPIDER, SEED_000)
    shot(page, "03-article-seed-000")


def test_first_result_is_above_the_fold_on_a_phone(phone, server, archive):
    phone.goto(server + "/search?q=Lutnick")
    assert hits(phone)[0] == archive["seed"]
    above_the_fold(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing to scroll sideways
    shot(phone, "02b-search-lutnick-phone", full_page=False)


def test_newest_first_sorts_by_date(page, server):
    page.goto(server + "/search?q=Pakistan")
    page.select_option("select[name=sort]", "newest")
    page.click(".pkus-searchbar button")
    page.wait_for_url("**sort=newest**")
    dates = page.locator("li.pkus-hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert len(dates) > 1 and dates == sorted(dates, reverse=True)


def test_facets_and_dates_narrow_the_list(page, server):
    page.goto(server + "/search?q=Pakistan")
    total = int(page.locator(".pkus-summary strong").inner_text().replace(",", ""))
    sector = page.locator(".pkus-facet[data-facet=sector] li").first
    name = sector.locator("a").inner_text()
    count = int(sector.locator(".pkus-count").inner_text())
    assert 0 < count < total
    sector.locator("a").click()
    page.wait_for_url(f"**sector={name}**")
    assert int(page.locator(".pkus-summary strong").inner_text()) == count
    for chips in page.locator("li.pkus-hit .pkus-hit-meta").all_inner_texts():
        assert name in chips
    shot(page, "04-facet-sector")
    # then a date range, in Pakistan time: only March 2026 is left
    page.fill("input[name=since]", "2026-03-01")
    page.fill("input[name=until]", "2026-03-31")
    page.click(".pkus-dates button")
    page.wait_for_url("**until=2026-03-31**")
    assert f"sector={name}" in page.url  # the facet filter stays
    dated = page.locator("li.pkus-hit time").all_inner_texts()
    assert dated and all(d.split(",")[0].endswith("Mar 2026") for d in dated)
    assert int(page.locator(".pkus-summary strong").inner_text()) <= count
    # a chip takes a filter off again
    page.locator(".pkus-chip", has_text="to: 2026-03-31").click()
    page.wait_for_url(lambda url: "until=" not in url)


def test_group_by_story(page, server, archive):
    page.goto(server + "/search?q=Lutnick")
    every = hits(page)
    page.get_by_role("link", name="group by story").click()
    page.wait_for_url("**group=story**")
    stories = page.locator("li.pkus-hit").evaluate_all("els => els.map(e => e.dataset.story || 'none' + e.dataset.id)")
    assert len(stories) == len(set(stories)) < len(every)
    line = page.locator(".pkus-story-line").first
    assert "articles from The Diplomatic Insight" in line.inner_text()
    shot(page, "04b-group-by-story", full_page=False)


def test_facet_by_sector_on_the_table(page, server):
    page.goto(server + "/archive/articles")
    facet = page.locator(".facet-info[data-column=sectors] a", has_text="mining-minerals").first
    facet.click()
    page.wait_for_url("**sectors__arraycontains=mining-minerals**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    for cell in page.locator("table.rows-and-columns td.col-sectors").all_inner_texts():
        assert "mining-minerals" in cell
    assert page.locator("table.rows-and-columns th.col-body").count() == 0  # the body is one click away
    shot(page, "04c-table-facet-sector")


def test_open_a_story_from_an_article(page, server, archive):
    page.goto(f"{server}/archive/articles/{archive['seed']}")
    page.locator(".pkus-story a").first.click()
    page.wait_for_url(f"**/archive/stories/{archive['story']}")
    timeline = page.locator(".pkus-timeline li")
    assert timeline.count() >= 2
    assert SEED_000_TITLE in timeline.all_inner_texts()[0]
    assert "The Diplomatic Insight" in page.locator(".pkus-byline").inner_text()
    shot(page, "05-story")


def test_follow_reko_diq_as_an_atom_feed(page, server, archive):
    page.goto(server + "/search?q=%22Reko+Diq%22")
    alternate = page.locator('head link[rel=alternate][type="application/atom+xml"]')
    href = alternate.get_attribute("href")
    response = page.request.get(server + href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text())
    assert not feed.bozo and feed.feed.title == 'Pakistan–US economic news: "Reko Diq"'
    searched = page.request.get(server + "/search.json?q=%22Reko+Diq%22").json()
    assert sorted(e.title for e in feed.entries) == sorted(row["title"] for row in searched["results"])
    probe = next(e for e in feed.entries if e.title == f"Pakistan, US Continue Reko Diq Minerals Talks {SCRIPT}")
    links = {link.rel: link.href for link in probe.links}
    assert links["alternate"] == f"{server}/archive/articles/{archive['probe']}"
    assert links["related"] == live_url(SPIDER, PROBE_URL)
    page.goto(server + "/archive/articles?_search=%22Reko+Diq%22")  # the table page has one too
    assert page.locator('head link[rel=alternate][type="application/atom+xml"]').count() == 1


def test_charts_draw_from_the_archive(page, server):
    page.goto(server + "/")
    chart = page.locator("svg.pkus-chart").first
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    assert chart.locator("rect").count() > 5
    page.get_by_role("link", name="By outlet and by sector").click()
    page.wait_for_url("**/coverage")
    charts = page.locator("svg.pkus-chart")
    assert charts.count() == 2
    assert "The Diplomatic Insight" in charts.nth(0).inner_html() and "diplomaticinsight" not in charts.nth(0).inner_html()
    shot(page, "06-charts")


PAGES = ["/", "/search", "/search?q=Lutnick", "/search?q=tariff&group=story", "/search?q=zzzznothing",
         "/search?q=%22", "/coverage", "/archive", "/archive/articles", "/archive/articles?title=nosuchtitle",
         "/archive/articles?_search=Lutnick", "/archive/articles/{seed}", "/archive/stories", "/archive/stories/{story}",
         "/archive/sources", "/archive/entities", "/archive/article_entities", "/archive/crawl_runs",
         "/archive/failures", "/archive/article_versions", "/archive/latest", "/archive/story_timeline",
         "/archive/story_timeline?story={story}", "/archive/outlet_health", "/archive/who_said_what?person=Lutnick",
         "/archive/coverage_by_outlet", "/archive/coverage_by_sector", "/archive/feed", "/archive?sql=select+1"]
WEIGHTS: dict[str, dict] = {}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_light_and_error_free(browser, server, archive, path):
    """HTML and every asset it loads, as the browser received them (compressed): at most BUDGET.
    Loading it again costs almost nothing: static files come from the browser's cache."""
    context, page = new_page(browser)
    try:
        response = page.goto(server + path.format(**archive))
        assert response.ok, path
        page.wait_for_load_state("networkidle")
        sizes = [r.sizes() for r in page.finished]
        sent = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        unpacked = sum(len(r.response().body()) for r in page.finished if r.response())
        page.finished.clear()
        page.reload()
        page.wait_for_load_state("networkidle")
        again = [r.url for r in page.finished if "/-/static" in r.url and r.sizes()["responseBodySize"] > 0]
    finally:
        check_and_close(context, page)
    WEIGHTS[path] = {"bytes_received": sent, "bytes_unpacked": unpacked}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(WEIGHTS, indent=1))
    assert sent <= BUDGET, f"{path}: {sent / 1024:.1f} KiB"
    assert not again, f"{path}: static files downloaded again: {again}"


@pytest.mark.parametrize("path", ["/archive/articles/{probe}", "/archive/stories/{story}", "/archive/latest",
                                  "/archive/articles?_search=Reko", "/search?q=Reko", "/search?q=window",
                                  "/search?q=Reko&group=story", "/archive/who_said_what?person=Reko",
                                  "/archive/articles?_search=window"])
def test_markup_in_scraped_text_never_runs(page, server, archive, path):
    page.goto(server + path.format(**archive))
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.get_by_text("window.__xss=1", exact=False).count() > 0  # shown as text instead
    if "{probe}" in path:
        assert page.locator("article h1").inner_text() == f"Pakistan, US Continue Reko Diq Minerals Talks {SCRIPT}"
        shot(page, "08-markup-shown-as-text")
