"""The spider's own decisions, without a network: canonical URLs, and hints merged across entry points."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.archive import Archive
from crawler.spiders.outlets import DiplomaticinsightSpider

LOCAL = "http://127.0.0.1:8765"
ARTICLE = "/pakistan-us-pledge-to-deepen-economic-cooperation-in-key-sectors/"


@pytest.fixture
def spider(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    crawler = get_crawler(DiplomaticinsightSpider, {"PKUS_DB": str(db), "PKUS_SITES": {"diplomaticinsight": LOCAL}})
    crawler.spider = crawler._create_spider()
    return crawler.spider


def test_canonical_urls_use_the_live_origin_without_tracking(spider):
    url = f"{LOCAL}{ARTICLE}?utm_source=twitter&fbclid=abc#comments"
    assert spider.canonical(url) == f"https://thediplomaticinsight.com{ARTICLE}"
    assert spider.fetchable(spider.canonical(url)) == f"{LOCAL}{ARTICLE}"


def test_only_this_outlets_article_paths_are_articles(spider):
    assert spider.is_article(f"https://thediplomaticinsight.com{ARTICLE}")
    assert not spider.is_article("https://thediplomaticinsight.com/category/economy/")
    assert not spider.is_article(f"https://www.dawn.com{ARTICLE}")


def test_a_link_found_twice_keeps_the_dates_each_entry_point_gave(spider):
    url = f"{LOCAL}{ARTICLE}"
    status, request = spider.consider(url, {"from": "listing"})
    assert status == "new" and request.url == url
    assert spider.consider(url, {"from": "sitemap", "published": "2026-03-11T19:21:37+05:00",
                                 "modified": "2026-03-11T19:30:00+05:00"})[0] == "queued"
    assert spider.consider(url, {"from": "feed", "published": "Wed, 11 Mar 2026 14:21:37 GMT",
                                 "modified": "2026-03-12T09:00:00+05:00"})[0] == "queued"
    hints = spider.hints[spider.canonical(url)]
    assert (hints["published"], hints["published_from"]) == ("2026-03-11T19:21:37+05:00", "sitemap")
    assert (hints["modified"], hints["modified_from"]) == ("2026-03-12T09:00:00+05:00", "feed")  # the newest


def test_which_entry_point_answered_first_does_not_change_the_dates(tmp_path):
    found = [{"from": "listing"},
             {"from": "sitemap", "published": "2026-03-11T19:21:37+05:00", "modified": "2026-03-11T19:30:00+05:00"},
             {"from": "feed", "published": "Wed, 11 Mar 2026 14:21:37 GMT", "title": "From the feed"}]
    merged = []
    for order in (found, found[::-1], [found[2], found[0], found[1]]):
        db = tmp_path / f"{len(merged)}.db"
        Archive(db).close()
        crawler = get_crawler(DiplomaticinsightSpider, {"PKUS_DB": str(db), "PKUS_SITES": {"diplomaticinsight": LOCAL}})
        spider = crawler.spider = crawler._create_spider()
        for hints in order:
            spider.consider(f"{LOCAL}{ARTICLE}", dict(hints))
        merged.append(spider.hints[spider.canonical(f"{LOCAL}{ARTICLE}")])
    assert merged[0] == merged[1] == merged[2]
    assert merged[0]["published_from"] == "sitemap" and merged[0]["title"] == "From the feed"


def test_back_fill_skips_links_older_than_since(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    crawler = get_crawler(DiplomaticinsightSpider, {"PKUS_DB": str(db), "PKUS_SITES": {"diplomaticinsight": LOCAL}})
    crawler.spider = crawler._create_spider(since="2026-01-01")
    spider = crawler.spider
    assert spider.consider(f"{LOCAL}{ARTICLE}", {"from": "sitemap", "published": "2025-12-31T10:00:00+05:00"})[0] == "known"
    assert spider.consider(f"{LOCAL}{ARTICLE}", {"from": "sitemap", "published": "2026-01-02T10:00:00+05:00"})[0] == "new"
