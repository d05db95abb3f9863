"""Extraction: dates with their precision and provenance, trafilatura's body kept whole, outlet rules that only take away."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from crawler.extract import UNKNOWN, ExtractionError, extract_article, parse_date, read_date, source_for_page
from crawler.outlets import Source, load_sources

SOURCE = Source(spider="test", name="Test Outlet", site="https://example.pk", founded=1990)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
BODY = "".join(f"<p>Paragraph {i} about Pakistan and the United States agreeing on trade and investment "
               f"in minerals, energy and technology, with officials from both sides.</p>" for i in range(5))
PARAGRAPHS = [f"Paragraph {i} about Pakistan and the United States agreeing on trade and investment in minerals, "
              f"energy and technology, with officials from both sides." for i in range(5)]


def page(head: str = "", body: str = BODY, before: str = "", after: str = "", h1: str = "A headline") -> str:
    return (f"<html lang='en'><head><title>{h1} - Test Outlet</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/business'>Business</a></nav>{before}"
            f"<article><h1>{h1}</h1><div class='story'>{body}</div></article>{after}"
            f"<footer>Copyright Test Outlet</footer></body></html>")


def extract(html: str, source: Source = SOURCE, url: str = "https://example.pk/a", hints: dict | None = None) -> dict:
    return extract_article(html, url, source, hints, now=NOW)


def ld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


# -- dates --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("2026-03-11T14:21:37+00:00", "2026-03-11T14:21:37+00:00"),  # Yoast / Tribune: UTC
    ("2025-07-27 07:05:40+05:00", "2025-07-27T02:05:40+00:00"),  # Dawn, Business Recorder: space, PKT
    ("2026-03-11T17:21:05+03:00", "2026-03-11T14:21:05+00:00"),  # Arab News: Riyadh time
    ("2026-03-11T08:53:00Z", "2026-03-11T08:53:00+00:00"),
    ("Wed, 11 Mar 2026 14:21:37 GMT", "2026-03-11T14:21:37+00:00"),  # RSS pubDate
    ("Sat, 08 Nov 2025 09:12:00 +0500", "2025-11-08T04:12:00+00:00"),
    ("2025-11-08 14:00:00", "2025-11-08T09:00:00+00:00"),  # a time without offset: the outlet's zone (PKT)
    ("March 11, 2026 5:21 PM", "2026-03-11T12:21:00+00:00"),
])
def test_a_time_of_day_is_stored_in_utc(raw, expected):
    value = read_date(raw, "Asia/Karachi", "meta")
    assert (value.iso, value.precise) == (expected, True)


@pytest.mark.parametrize("raw, day", [
    ("2025-02-05", "2025-02-05"),  # JSON-LD or meta with a date only
    ("Sat Nov 08 2025", "2025-11-08"),  # WE News' date line
    ("Published: January 28, 2025", "2025-01-28"),
    ("12 March 2026", "2026-03-12"),
    ("05.02.2025", "2025-02-05"),  # dotted dates are day first
])
def test_a_date_without_a_time_stays_that_date(raw, day):
    # midnight in Pakistan is the previous evening in UTC: a date-only value must not move there
    for zone in ("Asia/Karachi", "Asia/Riyadh", "America/New_York", ""):
        value = read_date(raw, zone, "meta")
        assert (value.iso, value.precise, value.day.isoformat()) == (day, False, day)


def test_an_unknown_outlet_gets_no_assumed_time_zone():
    # no offset and no zone to read it in: the instant is unknown, the printed day is not
    value = read_date("2025-11-08 01:30:00", "", "meta")
    assert (value.iso, value.precise) == ("2025-11-08", False)
    assert read_date("2025-11-08T01:30:00+05:00", "", "meta").iso == "2025-11-07T20:30:00+00:00"  # an offset is kept
    html = page('<meta property="article:published_time" content="2025-11-08 01:30:00">')
    a = extract_article(html, "https://unknown.example/a", UNKNOWN, now=NOW)
    assert (a["published"], a["published_precision"], a["published_day"]) == ("2025-11-08", "day", "2025-11-08")


def test_a_date_only_page_date_is_stored_as_its_day_with_its_precision():
    a = extract(page(ld(headline="A headline", datePublished="2025-02-05")))
    assert (a["published"], a["published_precision"], a["published_day"], a["published_from"]) == (
        "2025-02-05", "day", "2025-02-05", "json-ld")


def test_a_local_day_survives_utc_storage():
    # 02:10 in Karachi on the 5th is the 4th in UTC: the page's own day is kept beside the instant
    a = extract(page('<meta property="article:published_time" content="2025-02-05T02:10:00+05:00">'))
    assert (a["published"], a["published_precision"], a["published_day"]) == (
        "2025-02-04T21:10:00+00:00", "time", "2025-02-05")


def test_a_utc_timestamp_gets_the_day_the_page_shows():
    # Tribune's meta is in UTC; its pages show Pakistan time, so 20:30 UTC is the next day's 01:30
    a = extract(page('<meta property="article:published_time" content="2026-03-10T20:30:00+00:00">'))
    assert (a["published"], a["published_day"]) == ("2026-03-10T20:30:00+00:00", "2026-03-11")
    # an unknown outlet: another of its dates for the same instant says which offset the page uses
    html = page(ld(headline="A headline", datePublished="2023-12-23T01:00:00Z")
                + '<meta property="article:published_time" content="2023-12-22T20:00:00-05:00">')
    a = extract_article(html, "https://news.example/a", UNKNOWN, now=NOW)
    assert (a["published"], a["published_from"], a["published_day"]) == ("2023-12-23T01:00:00+00:00", "json-ld",
                                                                          "2023-12-22")
    html = page(ld(headline="A headline", datePublished="2023-12-23T01:00:00Z"))
    assert extract_article(html, "https://news.example/a", UNKNOWN, now=NOW)["published_day"] == "2023-12-23"


def test_parse_date_still_gives_an_instant_for_discovery():
    assert parse_date("2026-03-11T14:21:37Z").isoformat() == "2026-03-11T14:21:37+00:00"
    assert parse_date("2025-11-08").isoformat() == "2025-11-08T00:00:00+00:00"  # sitemap lastmod, read as UTC
    assert parse_date("not a date at all, really") is None and parse_date("") is None


def test_json_ld_date_wins_and_keeps_its_raw_string():
    html = page(ld(headline="A headline", datePublished="2026-03-11T14:21:37+00:00",
                   dateModified="2026-03-11T15:00:00+00:00", author={"@type": "Person", "name": "Sohail Majeed"},
                   keywords=["Pakistan", "trade"])
                + '<meta property="article:published_time" content="2026-03-10 10:00:00+05:00">')
    a = extract(html)
    assert (a["published"], a["published_from"], a["published_raw"]) == (
        "2026-03-11T14:21:37+00:00", "json-ld", "2026-03-11T14:21:37+00:00")
    assert a["modified"] == "2026-03-11T15:00:00+00:00"
    assert a["author"] == "Sohail Majeed" and a["tags"] == ["Pakistan", "trade"]


def test_meta_date_with_a_space_and_pakistan_offset():
    a = extract(page('<meta property="article:published_time" content="2025-07-27 07:05:40+05:00">'))
    assert (a["published"], a["published_from"]) == ("2025-07-27T02:05:40+00:00", "meta")
    assert a["modified"] == a["published"]  # no modified date: same as published


def test_visible_day_only_date_is_refined_by_the_sitemap_time_on_the_same_day():
    source = replace(SOURCE, published=".date")
    html = page(before="<div class='date'>Sat Nov 08 2025</div>")
    a = extract(html, source, hints={"from": "sitemap", "published": "2025-11-08T09:12:00+05:00"})
    assert (a["published"], a["published_from"], a["published_day"]) == (
        "2025-11-08T04:12:00+00:00", "sitemap", "2025-11-08")


def test_visible_date_wins_over_a_feed_date_of_another_day():
    # a print edition dated the morning after: the page's own date is the one to keep, as a date
    source = replace(SOURCE, published=".date")
    html = page(before="<div class='date'>Thursday, March 12, 2026</div>")
    a = extract(html, source, hints={"from": "feed", "published": "2026-03-11T18:00:00+05:00"})
    assert (a["published"], a["published_from"], a["published_precision"]) == ("2026-03-12", "text", "day")


def test_date_from_the_url_when_the_page_has_none():
    source = replace(SOURCE, url_date=r"^/(?P<d>\d{2})-(?P<mon>[A-Z][a-z]{2})-(?P<y>\d{4})/")
    a = extract(page(), source, url="https://example.pk/11-Mar-2026/some-story")
    assert (a["published"], a["published_from"]) == ("2026-03-11", "url")  # the 11th, not the 10th in UTC


def test_feed_date_when_nothing_else_is_known():
    a = extract(page(), hints={"from": "feed", "published": "Wed, 11 Mar 2026 14:21:37 GMT"})
    assert (a["published"], a["published_from"]) == ("2026-03-11T14:21:37+00:00", "feed")


def test_a_date_in_the_future_is_rejected_and_the_next_source_used():
    html = page(ld(headline="A headline", datePublished="2099-01-01T00:00:00+00:00")
                + '<meta property="article:published_time" content="2026-03-11T10:00:00+05:00">')
    a = extract(html)
    assert (a["published"], a["published_from"]) == ("2026-03-11T05:00:00+00:00", "meta")


def test_a_date_from_before_the_outlet_existed_is_rejected():
    source = replace(SOURCE, founded=2010)
    html = page(ld(headline="A headline", datePublished="1970-01-01T00:00:00Z")
                + '<meta property="article:published_time" content="2009-12-31T10:00:00+05:00">')
    a = extract(html, source, hints={"from": "sitemap", "published": "2026-03-11T10:00:00+05:00"})
    assert (a["published"], a["published_from"]) == ("2026-03-11T05:00:00+00:00", "sitemap")


def test_a_small_clock_skew_is_not_the_future():
    html = page('<meta property="article:published_time" content="2026-11-24T05:00:00+05:00">')  # NOW + 12 hours
    assert extract(html)["published"] == "2026-11-24T00:00:00+00:00"


def test_no_plausible_date_at_all_leaves_it_empty():
    a = extract(page(ld(headline="A headline", datePublished="2099-01-01")))
    assert a["published"] is None and a["published_precision"] is None


# -- the body -----------------------------------------------------------------------------

def test_source_rules_drop_boilerplate_blocks_and_paragraphs():
    source = replace(SOURCE, drop=(".share", ".related"), drop_text=(r"^Read More:",), author=".byline a")
    body = BODY.replace("</p><p>Paragraph 2", "</p><p>Read More: Another story</p><p>Paragraph 2")
    html = page(body=body, before="<div class='byline'>By <a href='/a/x'>Ayesha Khan</a></div>"
                "<div class='share'>Share on Facebook Twitter WhatsApp</div>",
                after="<div class='related'><h3>Related stories</h3><p>Something else entirely happened.</p></div>")
    a = extract(html, source)
    assert a["body"].split("\n\n") == PARAGRAPHS
    assert a["author"] == "Ayesha Khan"


def test_a_content_rule_that_no_longer_fits_costs_nothing():
    # the outlet redesigned: its container and boilerplate classes are gone, trafilatura still finds the text
    source = replace(SOURCE, content=".story__content", drop=(".old-share",))
    assert extract(page(), source)["body"].split("\n\n") == PARAGRAPHS


def test_a_rule_that_would_remove_the_article_falls_back_to_the_page():
    source = replace(SOURCE, drop=("article",))  # a drop selector gone wrong
    assert extract(page(), source)["body"].split("\n\n") == PARAGRAPHS


def test_tables_in_the_article_are_kept():
    table = ("<table><tr><th>Year</th><th>Exports to the US</th></tr><tr><td>2025</td><td>$5.4 billion</td></tr>"
             "<tr><td>2026</td><td>$6.1 billion</td></tr></table>")
    body = BODY.replace("</p><p>Paragraph 3", f"</p>{table}<p>Paragraph 3")
    text = extract(page(body=body))["body"]
    assert "Exports to the US" in text and "$6.1 billion" in text and PARAGRAPHS[4] in text


def test_html_comments_do_not_cost_text():
    # comments between paragraphs (CMS markers, ad slots) once made trafilatura drop the text around them
    body = "".join(f"<!-- ad slot {i} --><p>{p}</p><!-- /ad -->" for i, p in enumerate(PARAGRAPHS))
    assert extract(page(body=body))["body"].split("\n\n") == PARAGRAPHS


def test_loose_text_and_line_breaks_are_kept_apart():
    body = BODY + "<div>Islamabad, June 5<br>A loose line of the article outside any paragraph, long enough to count.</div>"
    text = extract(page(body=body))["body"]
    assert "A loose line of the article outside any paragraph" in text and "June 5A" not in text


def test_a_body_opening_with_a_date_line_and_byline_starts_at_the_article():
    body = "<p>Published March 11, 2026 | 5:21 PM</p><p>By Ayesha Khan</p>" + BODY
    a = extract(page(body=body, head='<meta name="author" content="Ayesha Khan">'))
    assert a["body"].split("\n\n") == PARAGRAPHS


def test_related_links_and_newsletter_prompts_closing_the_page_go():
    after = ("<div class='more'><h3>You may also like</h3><ul>"
             "<li><a href='/b'>Another story about something else</a></li>"
             "<li><a href='/c'>A third story about another thing</a></li></ul>"
             "<p>Sign up for our newsletter to get the news in your inbox</p></div>")
    assert extract(page(body=BODY + after))["body"].split("\n\n") == PARAGRAPHS


def test_a_page_without_an_article_is_an_error():
    with pytest.raises(ExtractionError):
        extract("<html><body><nav><a href='/'>Home</a></nav></body></html>")


# -- title and byline ---------------------------------------------------------------------

def test_title_is_the_displayed_headline_without_the_site_name():
    html = page('<meta property="og:title" content="A headline about trade | Business | Test Outlet">',
                h1="A headline about trade")
    assert extract(html)["title"] == "A headline about trade"


def test_title_from_metadata_loses_a_site_suffix_and_its_entities():
    html = ("<html><head><title>Zölle &amp;ouml; gegen Pakistan - Golem.de</title>"
            "<meta property='og:title' content='Z&amp;ouml;lle: Handel mit Pakistan - Golem.de'></head>"
            f"<body><div>{BODY}</div></body></html>")
    assert extract(html, url="https://www.golem.de/news/a.html")["title"] == "Zölle: Handel mit Pakistan"


def test_a_kicker_inside_the_headline_is_left_out():
    html = page(h1="<span class='kicker'>Trade talks</span><span>Pakistan and US agree on tariff cut</span>",
                head='<meta property="og:title" content="Trade talks: Pakistan and US agree on tariff cut">')
    assert extract(html)["title"] == "Pakistan and US agree on tariff cut"


def test_the_publisher_an_email_address_and_initials_are_not_authors():
    html = page(ld(headline="A headline", author=[{"@type": "Organization", "name": "Test Outlet"}])
                + '<meta name="author" content="ak@example.pk">')
    assert extract(html)["author"] is None
    html = page(ld(headline="A headline", author=["Ayesha Khan", "jk", "ayesha@example.pk"]))
    assert extract(html)["author"] == "Ayesha Khan"
    html = page(ld(headline="A headline", author=["AFP"]))
    assert extract(html)["author"] == "AFP"  # an agency's credit is a byline


@pytest.mark.parametrize("printed, names", [
    ("Keith Barry Senior Autos Reporter", "Keith Barry"),  # a role after the name
    ("Zackery Cuevas Writer, Hardware", "Zackery Cuevas"),
    ("Our Staff Reporter", "Our Staff Reporter"),  # a desk byline is the byline
    ("The Newspaper's Staff Reporter", "The Newspaper's Staff Reporter"),  # Dawn's
    ("Recipe by PJ Hamel", "PJ Hamel"),
    ("Author Isaiah Shelton", "Isaiah Shelton"),
    ("Luke Kim December 3, 2025", "Luke Kim"),  # a date line glued on
    ("Haley Hoekstra • March", "Haley Hoekstra"),
    ("Ayesha May", "Ayesha May"),  # ... but a surname that is a month stays
    ('"David Kim"', "David Kim"),
    ("Khaleeq Kiani | Tahir Sherani", "Khaleeq Kiani, Tahir Sherani"),
    ("Updated January", None),
])
def test_bylines_lose_roles_prefixes_dates_and_user_names(printed, names):
    assert extract(page('<meta name="author" content="' + printed.replace('"', "&quot;") + '">'))["author"] == names


def test_user_names_and_placeholders_are_not_people():
    from crawler.extract import _is_person
    assert not any(_is_person(n, set()) for n in ("andrew.keaveney", "kffnirmitap", "page.head.extra.author", "undefined"))
    assert all(_is_person(n, set()) for n in ("APP", "Reuters", "dpa", "Shahbaz Rana"))


def test_a_person_who_is_the_site_is_an_author_but_an_outlet_named_like_its_address_is_not():
    html = page('<meta name="author" content="Gary Marcus">')
    assert extract(html, url="https://garymarcus.substack.com/p/a")["author"] == "Gary Marcus"
    html = page('<meta name="author" content="Pakistan Today News">')
    assert extract(html, url="https://www.pakistantodaynews.pk/a")["author"] is None


def test_a_byline_rule_matching_a_sidebar_keeps_the_article_own_byline():
    source = replace(SOURCE, author=".author a")
    sidebar = "<aside><ul>" + "".join(f"<li><span class='author'><a href='/c{i}'>Columnist {i}</a></span></li>"
                                      for i in range(9)) + "</ul></aside>"
    html = page(before="<header><span class='author'><a href='/x'>Ayesha Khan</a></span></header>", after=sidebar)
    assert extract(html, source)["author"] == "Ayesha Khan"


def test_the_outlet_own_byline_element_is_taken_as_printed():
    source = replace(SOURCE, author=".byline")
    assert extract(page(before="<div class='byline'>APP</div>"), source)["author"] == "APP"


# -- which outlet's rules ------------------------------------------------------------------

def test_the_outlet_is_found_from_the_page_canonical_link():
    dawn = load_sources()["dawn"]
    html = page('<link rel="canonical" href="https://www.dawn.com/news/1927402/pakistan-us-trade">')
    assert source_for_page(html).spider == "dawn" and source_for_page(html).timezone == dawn.timezone
    html = page('<meta property="og:url" content="https://dawn.com/news/1927402">')  # og:url, no www.
    assert source_for_page(html).spider == "dawn"
    assert source_for_page(page(), "https://www.brecorder.com/news/40000001").spider == "brecorder"
    assert source_for_page(page('<link rel="canonical" href="https://example.org/a">')) is UNKNOWN


def test_a_wayback_machine_copy_is_the_page_it_copies():
    # a saved copy from the Wayback Machine names itself web.archive.org/web/<time>/<original>
    html = page('<link rel="canonical" href="https://web.archive.org/web/20250101000000/'
                'https://www.nation.com.pk/05-Nov-2026/pakistan-us-hold-defence-talks">', body=BODY)
    assert source_for_page(html).spider == "nation"
    nation = load_sources()["nation"]
    a = extract(html, nation, url="https://web.archive.org/web/20250101000000/https://nation.com.pk/05-Nov-2026/x")
    assert a["url"] == "https://nation.com.pk/05-Nov-2026/x" and a["published_day"] == "2026-11-05"  # url_date


# -- boilerplate of real pages ------------------------------------------------------------

def test_follow_us_lines_go_however_long_but_sentences_about_social_media_stay():
    # Dawn's business pages end "Follow Dawn Business on Twitter, LinkedIn, Instagram and Facebook for insights
    # on business, finance and tech from Pakistan and across the world." (24 words)
    prompts = ["<p><em>Follow Test Outlet Business on Twitter, LinkedIn, Instagram and Facebook for insights on "
               "business, finance and tech from Pakistan and across the world.</em></p>",
               "<p>Like Business on Facebook, follow @TestBiz on Twitter to stay informed and join in the conversation.</p>"]
    assert extract(page(body=BODY + "".join(prompts)))["body"].split("\n\n") == PARAGRAPHS
    sentence = "Like many exporters on Twitter, the chamber's president said the tariff cut came late for the season."
    assert extract(page(body=BODY + f"<p>{sentence}</p>"))["body"].endswith(sentence)


def test_a_feed_date_with_a_two_digit_year_is_read():
    # The Express Tribune's real feeds print "Fri, 02 Oct 26 22:24:34 +0500"
    assert read_date("Fri, 02 Oct 26 22:24:34 +0500", "Asia/Karachi", "feed").iso == "2026-10-02T17:24:34+00:00"


@pytest.mark.parametrize("spider, path, article", [
    # addresses as the outlets' real pages link them (home pages of July 2021, feeds of 2026)
    ("tribune", "/story/2310594/pakistan-uzbekistan-to-finalise-pta-in-3-months", True),
    ("tribune", "/article/97427/hamiltons-f1-career-maxed-out", True),  # a Tribune blogs post
    ("tribune", "/author/1360/zafar-bhutta", False),
    ("tribune", "/multimedia/videos/1234", False),
    ("thenews", "/print/864155-pindi-ring-road-scandal-zulfi-bukhari-and-sarwar-khan-get-clean-chit", True),
    ("thenews", "/magazine/money-matters/862706-date-dynamics", True),
    ("thenews", "/magazine/", False),
    ("thenews", "/latest/category/pakistan", False),
    ("nation", "/14-Jun-2024/easypaisa-enables-raast-p2m-payments-to-digitise-person-to-merchant-transactions", True),
    ("nation", "/15-Jul-2021/president-alvi-visits-isi-headquarters", True),
    ("nation", "/Columnist/senator-rehman-malik", False),
    ("brecorder", "/news/40442486/argentina-unveils-passports-for-investment-scheme", True),
    ("brecorder", "/news/40442486", True),  # the feed's guid
])
def test_real_addresses_pass_the_outlets_article_patterns(spider, path, article):
    assert load_sources()[spider].is_article_path(path) is article
