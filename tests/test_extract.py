"""Extraction: every date format the outlets use, with its provenance, and the outlet rules from source files."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.extract import ExtractionError, extract_article, parse_date
from crawler.outlets import Source

SOURCE = Source(spider="test", name="Test Outlet", site="https://example.pk")
BODY = "".join(f"<p>Paragraph {i} about Pakistan and the United States agreeing on trade and investment "
               f"in minerals, energy and technology, with officials from both sides.</p>" for i in range(5))


def page(head: str = "", body: str = BODY, before: str = "", after: str = "") -> str:
    return (f"<html lang='en'><head><title>A headline - Test Outlet</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/business'>Business</a></nav>{before}"
            f"<article><h1>A headline</h1><div class='story'>{body}</div></article>{after}"
            f"<footer>Copyright Test Outlet</footer></body></html>")


@pytest.mark.parametrize("raw, expected", [
    ("2026-03-11T14:21:37+00:00", "2026-03-11T14:21:37+00:00"),  # Yoast / Tribune: UTC
    ("2025-07-27 07:05:40+05:00", "2025-07-27T02:05:40+00:00"),  # Dawn, Business Recorder: space, PKT
    ("2026-03-11T17:21:05+03:00", "2026-03-11T14:21:05+00:00"),  # Arab News: Riyadh time
    ("2026-03-11T08:53:00Z", "2026-03-11T08:53:00+00:00"),
    ("Wed, 11 Mar 2026 14:21:37 GMT", "2026-03-11T14:21:37+00:00"),  # RSS pubDate
    ("Sat, 08 Nov 2025 09:12:00 +0500", "2025-11-08T04:12:00+00:00"),
    ("2025-11-08 14:00:00", "2025-11-08T09:00:00+00:00"),  # no offset: the outlet's time zone (PKT)
    ("Sat Nov 08 2025", "2025-11-07T19:00:00+00:00"),  # WE News date line: midnight PKT
    ("Published: January 28, 2025", "2025-01-27T19:00:00+00:00"),
])
def test_parse_date_understands_every_outlet_format(raw, expected):
    assert parse_date(raw, "Asia/Karachi").isoformat() == expected


def test_parse_date_rejects_junk():
    assert parse_date("not a date at all, really") is None
    assert parse_date("") is None


def test_json_ld_date_wins_and_keeps_its_raw_string():
    html = page('<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
                '{"@type":"WebPage"},{"@type":"NewsArticle","headline":"A headline",'
                '"datePublished":"2026-03-11T14:21:37+00:00","dateModified":"2026-03-11T15:00:00+00:00",'
                '"author":{"@type":"Person","name":"Sohail Majeed"},"keywords":["Pakistan","trade"]}]}</script>'
                '<meta property="article:published_time" content="2026-03-10 10:00:00+05:00">')
    a = extract_article(html, "https://example.pk/a", SOURCE)
    assert (a["published"], a["published_from"], a["published_raw"]) == (
        "2026-03-11T14:21:37+00:00", "json-ld", "2026-03-11T14:21:37+00:00")
    assert a["modified"] == "2026-03-11T15:00:00+00:00"
    assert a["author"] == "Sohail Majeed" and a["tags"] == ["Pakistan", "trade"]


def test_meta_date_with_a_space_and_pakistan_offset():
    html = page('<meta property="article:published_time" content="2025-07-27 07:05:40+05:00">')
    a = extract_article(html, "https://example.pk/a", SOURCE)
    assert (a["published"], a["published_from"]) == ("2025-07-27T02:05:40+00:00", "meta")
    assert a["modified"] == a["published"]  # no modified date: same as published


def test_visible_day_only_date_is_refined_by_the_sitemap_time_on_the_same_day():
    source = replace(SOURCE, published=".date")
    html = page(before="<div class='date'>Sat Nov 08 2025</div>")
    hints = {"from": "sitemap", "published": "2025-11-08T09:12:00+05:00"}
    a = extract_article(html, "https://example.pk/a", source, hints)
    assert (a["published"], a["published_from"]) == ("2025-11-08T04:12:00+00:00", "sitemap")


def test_visible_date_wins_over_a_feed_date_of_another_day():
    # a print edition dated the morning after: the page's own date is the one to keep
    source = replace(SOURCE, published=".date")
    html = page(before="<div class='date'>Thursday, March 12, 2026</div>")
    a = extract_article(html, "https://example.pk/a", source, {"from": "feed", "published": "2026-03-11T18:00:00+05:00"})
    assert (a["published"], a["published_from"]) == ("2026-03-11T19:00:00+00:00", "text")


def test_date_from_the_url_when_the_page_has_none():
    source = replace(SOURCE, url_date=r"^/(?P<d>\d{2})-(?P<mon>[A-Z][a-z]{2})-(?P<y>\d{4})/")
    a = extract_article(page(), "https://example.pk/11-Mar-2026/some-story", source)
    assert (a["published"][:10], a["published_from"]) == ("2026-03-10", "url")  # midnight PKT is the 10th in UTC


def test_feed_date_when_nothing_else_is_known():
    a = extract_article(page(), "https://example.pk/a", SOURCE, {"from": "feed", "published": "Wed, 11 Mar 2026 14:21:37 GMT"})
    assert (a["published"], a["published_from"]) == ("2026-03-11T14:21:37+00:00", "feed")


def test_source_rules_drop_boilerplate_blocks_and_paragraphs():
    source = replace(SOURCE, drop=(".share", ".related"), drop_text=(r"^Read More:",), author=".byline a")
    body = BODY.replace("</p><p>Paragraph 2", "</p><p>Read More: Another story</p><p>Paragraph 2")
    html = page(body=body, before="<div class='byline'>By <a href='/a/x'>Ayesha Khan</a></div>"
                "<div class='share'>Share on Facebook Twitter WhatsApp</div>",
                after="<div class='related'><h3>Related stories</h3><p>Something else entirely happened.</p></div>")
    a = extract_article(html, "https://example.pk/a", source)
    assert "Read More" not in a["body"] and "Facebook" not in a["body"] and "Related" not in a["body"]
    assert a["body"].split("\n\n") == [f"Paragraph {i} about Pakistan and the United States agreeing on trade and "
                                       f"investment in minerals, energy and technology, with officials from both sides."
                                       for i in range(5)]
    assert a["author"] == "Ayesha Khan"


def test_title_loses_the_site_name_suffix():
    html = page('<meta property="og:title" content="A headline | Test Outlet">')
    assert extract_article(html, "https://example.pk/a", SOURCE)["title"] == "A headline"


def test_a_page_without_an_article_is_an_error():
    with pytest.raises(ExtractionError):
        extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>", "https://example.pk/", SOURCE)
