"""The pieces behind the fault tests, one behaviour each: the decoder, the page checks, the site
guard, Retry-After and source-file validation."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.encoding import decode_page
from crawler.netsafety import Refused, SiteGuardMiddleware, parse_host, retry_after_seconds
from crawler.outlets import Source, SourceError, load_source, load_sources
from crawler.pagecheck import not_an_article

TEXT = "Pakistan’s “café” exports — €5m"


# -- decoding ------------------------------------------------------------------------------

@pytest.mark.parametrize("body,ctype", [
    (TEXT.encode("cp1252"), "text/html; charset=windows-1252"),
    (TEXT.encode("cp1252"), "text/html; charset=iso-8859-1"),  # latin-1 labels mean windows-1252, as browsers read them
    (b'<meta charset="windows-1252">' + TEXT.encode("cp1252"), "text/html"),
    (b"<p>" + TEXT.encode("cp1252") * 5 + b"</p>", None),
    (TEXT.encode("cp1252"), "text/html; charset=utf-8"),  # mislabelled
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), None),
    ('<meta charset="utf-8">'.encode() + TEXT.encode("utf-8"), "text/html; charset=windows-1252"),  # header wins,
])
def test_decode_page_reads_the_declared_or_detected_charset(body, ctype):
    text = decode_page(body, ctype)
    if ctype == "text/html; charset=windows-1252" and b"utf-8" in body:
        assert "\ufffd" not in text  # (a wrong header over UTF-8 bytes gives mojibake, never U+FFFD)
        return
    assert TEXT in text and "\ufffd" not in text


def test_a_saved_page_in_utf8_that_keeps_its_old_meta_charset_is_read_as_utf8():
    # a browser or a tool saves the page as UTF-8 and leaves <meta charset="GB2312"> (Fundus' People's Daily page)
    for charset, text in (("gb2312", "促进航天技术更好惠及人民"), ("iso-8859-1", TEXT)):
        body = f'<meta charset="{charset}"><title>{text}</title>'.encode("utf-8")
        assert text in decode_page(body) and text in decode_page(body, "text/html")
    real = '<meta charset="gb2312"><title>促进航天技术</title>'
    assert "促进航天技术" in decode_page(real.encode("gb2312"))  # the charset it names, when the bytes are in it


def test_decode_page_keeps_a_replacement_character_the_page_really_has():
    assert decode_page("a \ufffd b".encode(), "text/html; charset=utf-8") == "a \ufffd b"


# -- page checks -----------------------------------------------------------------------------

def page(title: str, h1: str, body: str = "<p>Some text.</p>", extra_head: str = "") -> bytes:
    return f"<html><head><title>{title}</title>{extra_head}</head><body><h1>{h1}</h1>{body}</body></html>".encode()


def test_an_article_that_mentions_not_found_is_an_article():
    html = page("Minerals deal: missing link not found yet", "Minerals deal: missing link not found yet",
                extra_head='<meta property="og:type" content="article">')
    assert not_an_article(html, "text/html") is None
    assert not_an_article(page("Pakistan and US sign a deal", "Pakistan and US sign a deal"), "text/html") is None


@pytest.mark.parametrize("body,ctype,reason", [
    (page("404 Not Found", "Not Found"), "text/html", "soft 404"),
    (page("Page not found – Dawn", "Sorry, this page doesn't exist"), "text/html", "soft 404"),
    (b"%PDF-1.7 ...", "application/octet-stream", "not HTML: application/pdf"),
    (b"{\"a\": 1}", "application/json", "not HTML: application/json"),
    (b"   \n ", "text/html", "empty page"),
    (b"<html><head><script>var a=1</script></head><body> </body></html>", "text/html", "empty page"),
])
def test_non_articles_are_named(body, ctype, reason):
    assert not_an_article(body, ctype)[0].startswith(reason)


def test_a_challenge_page_is_blocked():
    body = b"<html><head><title>Just a moment...</title></head><body>cf-chl-widget</body></html>"
    response = HtmlResponse("https://x.example/a", body=body, headers={"Server": "cloudflare"})
    assert not_an_article(body, "text/html", response) == ("blocked: Cloudflare challenge page", "blocked")


# -- the site guard --------------------------------------------------------------------------

class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count

    def get_value(self, key, default=None):
        return self.get(key, default)

    def set_value(self, key, value):
        self[key] = value


def guard(site: str, base: str | None = None, hosts: tuple[str, ...] = ()) -> SiteGuardMiddleware:
    source = Source(spider="t", name="T", site=site, hosts=hosts)
    crawler = SimpleNamespace(spider=SimpleNamespace(source=source, base=base or site), stats=Stats(),
                              settings=None, engine=None)
    return SiteGuardMiddleware(crawler)


async def test_hosts_other_than_the_outlets_are_refused():
    g = guard("https://www.example.com", base="http://127.0.0.1:8123")
    assert await g.process_request(Request("http://127.0.0.1:8123/news/1")) is None
    for url in ("http://127.0.0.1:9999/news/1", "http://127.0.0.2:8123/news/1", "https://www.example.com/news/1"):
        with pytest.raises(Refused, match="off-site URL"):
            await g.process_request(Request(url))


def test_the_www_twin_of_a_live_site_is_its_own_host_but_never_fetched_live_for_a_copy():
    # nation.com.pk served its pages on the bare host in 2021 and on www. since: a redirect between them is fine
    live = guard("https://www.nation.com.pk")
    live._setup()
    assert live.allowed_host("https://nation.com.pk/rss/home") and live.allowed_host("https://www.nation.com.pk/x")
    assert not live.allowed_host("https://nawaiwaqt.com.pk/x")
    copy = guard("https://www.nation.com.pk", base="http://127.0.0.1:8123")
    copy._setup()
    assert not copy.allowed_host("https://nation.com.pk/x") and not copy.allowed_host("https://www.nation.com.pk/x")
    named = guard("https://www.x.com", hosts=("www.x.com",))  # `hosts` given: exactly those
    named._setup()
    assert not named.allowed_host("https://x.com/a")


async def test_a_redirect_hop_to_another_host_names_how_it_got_there():
    g = guard("https://www.example.com", base="http://127.0.0.1:8123")
    hop = Request("http://127.0.0.2:8123/x", meta={"redirect_urls": ["http://127.0.0.1:8123/a"],
                                                  "redirect_reasons": [301]})
    with pytest.raises(Refused, match=r"off-site redirect \(HTTP 301\) to http://127.0.0.2:8123/x"):
        await g.process_request(hop)


async def test_a_redirect_back_into_the_chain_is_a_loop():
    g = guard("https://www.example.com", base="http://127.0.0.1:8123")
    hop = Request("http://127.0.0.1:8123/a", meta={"redirect_urls": ["http://127.0.0.1:8123/a", "http://127.0.0.1:8123/b"],
                                                  "redirect_reasons": [302, 302]})
    with pytest.raises(Refused, match="redirect loop: .*/a -> .*/b -> .*/a") as exc:
        await g.process_request(hop)
    assert exc.value.state == "failed"  # retried later, with back-off


async def test_a_live_outlets_host_that_resolves_to_a_private_address_is_refused():
    # "localhost" stands for a public name whose DNS answer points inside the network
    g = guard("https://news.example.com", hosts=("news.example.com", "localhost"))
    with pytest.raises(Refused, match="private address: localhost resolves to 127.0.0.1"):
        await g.process_request(Request("http://localhost:8123/news/1"))
    with pytest.raises(Refused, match="private address: 169.254.169.254"):
        await guard("https://news.example.com", hosts=("news.example.com", "169.254.169.254")).process_request(
            Request("http://169.254.169.254/latest/meta-data/"))  # the cloud metadata address


def test_a_host_entry_may_name_a_port():
    assert parse_host("www.dawn.com") == ("www.dawn.com", None)
    assert parse_host("127.0.0.1:8123") == ("127.0.0.1", 8123)


def test_retry_after_is_seconds_or_an_http_date():
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait
    assert retry_after_seconds(b"soon") is None


# -- source files ----------------------------------------------------------------------------

def test_every_shipped_source_file_passes_validation():
    errors = {}
    assert len(load_sources(errors=errors)) >= 10 and errors == {}


def test_the_hosts_and_limits_keys(tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text('name = "X"\nsite = "https://www.x.com"\n[crawl]\nhosts = ["www.x.com", "feeds.x.com"]\n'
                    "max_size = 4\ndownload_timeout = 10\nretry_after_max = 60\n")
    source = load_source(path)
    assert source.hosts == ("www.x.com", "feeds.x.com") and source.max_size == 4
    assert source.download_timeout == 10 and source.retry_after_max == 60


def test_a_source_file_with_an_unknown_key_is_refused(tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text('name = "X"\nsite = "https://www.x.com"\n[discover]\nfeed = ["/rss"]\n')
    with pytest.raises(SourceError, match="unknown keys"):
        load_source(path)


def test_articles_patterns_see_the_decoded_path():
    source = Source(spider="t", name="T", site="https://x.pk", articles=(r"^/news/[\w-]+$",))
    assert source.is_article_path("/news/%D9%BE%D8%A7%DA%A9%D8%B3%D8%AA%D8%A7%D9%86-%D8%AA%D8%AC%D8%A7%D8%B1%D8%AA")
    assert not source.is_article_path("/news/a/b")
