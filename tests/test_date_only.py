"""A date-only publication date through the archive: stored as its day, grouped into stories, served."""

from __future__ import annotations

import json

import sqlite_utils
import yaml
from datasette.app import Datasette

from crawler.archive import Archive, connect
from crawler.cli import DATASETTE_DIR
from crawler.reading_room import when
from crawler.stories import regroup

BODY = ("Pakistan and the United States agreed on Wednesday to cut tariffs on textiles and to open talks on "
        "critical minerals, officials of both governments said in Islamabad and Washington. ") * 3


def article(url: str, published: str, precision: str, day: str) -> dict:
    return {"url": url, "source": "dawn", "title": "Pakistan, US agree to cut textile tariffs", "body": BODY,
            "published": published, "published_precision": precision, "published_day": day,
            "published_raw": published, "published_from": "json-ld", "modified": published, "tags": [],
            "content_hash": url, "relevance": 9.0, "relevance_terms": {}, "relevance_version": 1, "sectors": []}


def test_a_date_only_article_is_stored_grouped_and_served(tmp_path):
    db_path = tmp_path / "archive.db"
    db = connect(db_path)
    db["sources"].insert({"spider": "dawn", "name": "Dawn", "site": "https://www.dawn.com"})
    db.conn.close()
    archive = Archive(db_path)
    archive.rescore_article(article("https://www.dawn.com/news/1", "2025-02-05", "day", "2025-02-05"))
    archive.rescore_article(article("https://www.dawn.com/news/2", "2025-02-05T09:00:00+00:00", "time", "2025-02-05"))
    regroup(archive, full=True)  # compares a date with a timestamp: neither may break it
    rows = {r["url"]: r for r in sqlite_utils.Database(db_path).query(
        "select url, published, published_precision, published_day, published_month, story_id from articles")}
    assert rows["https://www.dawn.com/news/1"]["published"] == "2025-02-05"  # not 2025-02-04T19:00:00+00:00
    assert rows["https://www.dawn.com/news/1"]["published_month"] == "2025-02"
    assert rows["https://www.dawn.com/news/1"]["story_id"] == rows["https://www.dawn.com/news/2"]["story_id"]
    assert when("2025-02-05") == "5 Feb 2025" and when("2025-02-05T09:00:00+00:00") == "5 Feb 2025, 14:00 PKT"  # Pakistan time


async def test_datasette_pages_and_the_atom_feed_take_date_only_values(tmp_path):
    db_path = tmp_path / "archive.db"
    db = connect(db_path)
    db["sources"].insert({"spider": "dawn", "name": "Dawn", "site": "https://www.dawn.com"})
    db.conn.close()
    Archive(db_path).rescore_article(article("https://www.dawn.com/news/1", "2025-02-05", "day", "2025-02-05"))
    ds = Datasette([str(db_path)], metadata=yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text()),
                   settings=json.loads((DATASETTE_DIR / "settings.json").read_text()))
    await ds.invoke_startup()
    feed = await ds.client.get("/archive/feed.atom")
    assert feed.status_code == 200 and "<updated>2025-02-05T12:00:00+00:00</updated>" in feed.text
    page = await ds.client.get("/archive/articles/1")
    assert page.status_code == 200 and "5 Feb 2025" in page.text
    rows = (await ds.client.get("/archive/articles.json?_shape=array&published_precision=day")).json()
    assert [r["published_day"] for r in rows] == ["2025-02-05"]
