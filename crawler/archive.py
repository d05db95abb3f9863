"""archive.db: schema, migrations and the one writer.

The archive is the project's public interface (people query it with SQL and
Datasette), so the schema changes only through the numbered migrations below.
Writes go through :class:`Archive`, which wraps every unit of work in
``BEGIN IMMEDIATE`` so that a second writer waits for the lock instead of
failing half-way with "database is locked" (a deferred ``BEGIN`` that upgrades
to a write fails at once, whatever the timeout).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils
from sqlite_utils import Migrations

DEFAULT_DB = "archive.db"
FTS_COLUMNS = ["title", "description", "body", "tags"]

migrations = Migrations("pkus-archive")


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace folded, so re-wrapping is not a change."""
    return hashlib.sha256(re.sub(r"\s+", " ", text or "").strip().encode()).hexdigest()


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create({
        "spider": str, "name": str, "site": str, "language": str, "description": str, "updated": str,
    }, pk="spider")
    db["stories"].create({  # one event reported by several outlets
        "id": int, "title": str, "first_published": str, "last_published": str, "first_seen": str,
        "last_seen": str, "outlets": str, "article_count": int,
    }, pk="id")
    db["articles"].create({
        "id": int, "url": str, "source": str, "title": str, "description": str, "author": str,
        "published": str, "published_raw": str, "published_from": str,
        "modified": str, "modified_raw": str, "modified_from": str,
        "tags": str, "sectors": str, "body": str, "word_count": int, "language": str, "image": str,
        "relevance": float, "relevance_terms": str, "relevance_version": int, "content_hash": str,
        "entities": str,  # JSON array of the people and organisations named, for _facet_array
        "story_id": int, "duplicate_of": int,  # duplicate_of: the earliest article with the same wire text
        "first_seen": str, "last_seen": str,
    }, pk="id", not_null={"url", "source", "title", "body", "first_seen"},
        foreign_keys=[("source", "sources", "spider"), ("story_id", "stories", "id"),
                      ("duplicate_of", "articles", "id")])
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["published"])
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["story_id"])
    db["articles"].enable_fts(FTS_COLUMNS, tokenize="porter", create_triggers=True)

    db["entities"].create({"id": int, "name": str, "kind": str, "aliases": str}, pk="id")
    db["entities"].create_index(["name"], unique=True)
    db["article_entities"].create({"article_id": int, "entity_id": int, "mentions": int},
                                  pk=("article_id", "entity_id"),
                                  foreign_keys=[("article_id", "articles", "id"), ("entity_id", "entities", "id")])
    db["article_entities"].create_index(["entity_id"])

    db["urls"].create({
        "url": str, "source": str, "kind": str, "state": str, "first_seen": str, "last_fetched": str,
        "http_status": int, "etag": str, "last_modified": str, "content_hash": str, "lastmod": str,
        "relevance": float, "tries": int, "next_try": str, "error": str, "redirected_to": str,
    }, pk="url", not_null={"source", "kind", "state", "first_seen"}, defaults={"tries": 0})
    db["urls"].create_index(["source", "state"])
    db["urls"].create_index(["state", "next_try"])

    db["pages"].create({
        "url": str, "source": str, "fetched": str, "http_status": int, "content_type": str,
        "html": bytes, "sha256": str,
    }, pk="url")

    db["article_versions"].create({
        "id": int, "article_id": int, "url": str, "title": str, "body": str, "content_hash": str,
        "modified": str, "replaced": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db["article_versions"].create_index(["article_id"])

    db["crawl_runs"].create({
        "id": int, "spider": str, "started": str, "finished": str, "status": str, "requests": int,
        "articles_new": int, "articles_updated": int, "irrelevant": int, "failures": int, "pid": int,
        "args": str, "stats": str,
    }, pk="id")
    db["crawl_runs"].create_index(["spider", "started"])

    db["failures"].create({
        "id": int, "url": str, "source": str, "stage": str, "reason": str, "http_status": int,
        "at": str, "run_id": int,
    }, pk="id")
    db["failures"].create_index(["url"])
    db["failures"].create_index(["source", "at"])


@migrations()
def m002_published_month(db: sqlite_utils.Database) -> None:
    # A virtual generated column, so Datasette can facet articles by month (it has only a
    # per-day date facet) and no writer has to fill it.
    db.execute("alter table articles add column published_month text "
               "generated always as (substr(published, 1, 7)) virtual")


@migrations()
def m003_article_versions_by_url(db: sqlite_utils.Database) -> None:
    # A new article row takes back the versions kept under its URL: look them up by index.
    db["article_versions"].create_index(["url"], if_not_exists=True)


@migrations()
def m004_relevance_evidence_and_labels(db: sqlite_utils.Database) -> None:
    # Why each page scored what it did (features, points, passages; JSON), for articles and for
    # the irrelevant pages kept in urls; and the reader's verdicts (`pkus label`) that feed training.
    db["articles"].add_column("relevance_evidence", str)
    db["urls"].add_column("relevance_evidence", str)
    db["labels"].create({
        "url": str, "source": str, "title": str, "body": str, "relevant": int, "note": str,
        "labelled": str, "relevance": float, "relevance_version": int,
    }, pk="url", not_null={"relevant", "labelled"})


@migrations()
def m005_published_precision(db: sqlite_utils.Database) -> None:
    # A date printed without a time of day is stored as that date ("2025-02-05"), so it is never
    # moved to the day before by a time zone; these say which kind a row has, and the day the page
    # itself gave (its own offset), which a UTC timestamp can shift.
    db["articles"].add_column("published_precision", str)  # "day" or "time"
    db["articles"].add_column("published_day", str)  # YYYY-MM-DD as the outlet dated it
    db.execute("update articles set published_precision = case when length(published) = 10 then 'day' "
               "when published is not null then 'time' end, published_day = substr(published, 1, 10)")


@migrations()
def m006_node_exports(db: sqlite_utils.Database) -> None:
    # Scrapyd nodes' exports brought in by `pkus ingest` (crawler.ingest): how far each was read,
    # so importing one again, or the rest of one that was cut short, never applies a line twice.
    db["node_exports"].create({
        "id": str, "path": str, "spider": str, "job": str, "host": str, "run_id": int,
        "offset": int, "records": int, "complete": int, "first_ingested": str, "last_ingested": str,
    }, pk="id", foreign_keys=[("run_id", "crawl_runs", "id")])


@migrations()
def m007_story_features(db: sqlite_utils.Database) -> None:
    # What story grouping (crawler.stories) compares, kept per article so that a regroup reads only
    # the articles near the new ones: each article's features, Simhash and time (`at`, UTC, indexed:
    # the window), and each feature's document frequency. Triggers queue every article inserted,
    # changed in what grouping reads, or deleted in story_pending, for the next regroup to featurise
    # (a crawl or bulk import pays nothing for it); the articles already here are queued now.
    db.execute("create table story_features (article_id integer primary key, at text not null, "
               "first_seen text not null, bag text not null, simhash integer not null)")
    db.execute("create index story_features_at on story_features (at, first_seen)")
    db.execute("create table story_df (feature text primary key, articles integer not null) without rowid")
    db.execute("create table story_pending (article_id integer primary key, story_id integer)")
    db.execute("create table story_meta (key text primary key, value text)")
    db["articles"].create_index(["duplicate_of"], if_not_exists=True)  # copies of an article, counted
    queue = "begin insert or replace into story_pending (article_id, story_id) values ({0}.id, {0}.story_id); end"
    changed = " or ".join(f"old.{c} is not new.{c}" for c in ("title", "body", "entities", "published", "first_seen"))
    db.execute("create trigger story_pending_ai after insert on articles " + queue.format("new"))
    db.execute("create trigger story_pending_au after update of title, body, entities, published, first_seen "
               f"on articles when {changed} " + queue.format("new"))
    db.execute("create trigger story_pending_ad after delete on articles " + queue.format("old"))
    db.execute("insert into story_pending (article_id, story_id) select id, story_id from articles")


@migrations()
def m008_article_sort_and_facet_indexes(db: sqlite_utils.Database) -> None:
    # Every column the articles table page sorts or facets by (datasette/metadata.yml) has an index,
    # so a sort reads the first page off the index instead of sorting a million rows. published and
    # (source, published) exist since m001. sectors (a JSON array facet) gets one too: its count
    # reads that small index instead of every row (the reading room keeps the whole table's).
    for column in ("published_month", "sectors", "modified", "first_seen", "title", "relevance", "word_count"):
        db["articles"].create_index([column], if_not_exists=True)


def connect(path: str | Path, timeout: float = 30.0) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the archive; WAL so readers never block the writer."""
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)  # also turns on recursive_triggers, which FTS sync relies on
    if db.journal_mode != "wal":
        db.enable_wal()
    migrations.apply(db)
    return db


def connect_readonly(path: str | Path) -> sqlite_utils.Database:
    """A reader that can never write, for search, stats and the spider's "have we got it?" checks."""
    if not Path(path).exists():
        raise FileNotFoundError(f"no archive at {path} (run `pkus crawl` or `pkus demo` first)")
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30,
                           check_same_thread=False)
    return sqlite_utils.Database(conn)


def dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class Archive:
    """The only writer of archive.db. Each public method is one short transaction, or one
    savepoint inside a batch (:meth:`batch`), so bulk work commits many articles at once and a
    kill loses at most the open batch, never half an article."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = connect(self.path)
        self._depth = 0  # open transaction levels: 0 none, 1 a batch, more: savepoints inside it
        self._statements: dict[tuple, str] = {}
        self._entity_ids: dict[str, int] | None = None
        self._spiders: set[str] | None = None

    def close(self) -> None:
        if self._depth:
            self.db.execute("ROLLBACK")
            self._depth = 0
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One unit of work: its own transaction, or a savepoint when a batch is open (a failed
        article then rolls back alone and the batch goes on)."""
        if self._depth:
            self.db.execute("SAVEPOINT unit")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO unit")
                self.db.execute("RELEASE unit")
                raise
            finally:
                self._depth -= 1
            self.db.execute("RELEASE unit")
            return
        with self.batch():
            yield self.db

    @contextmanager
    def batch(self) -> Iterator[sqlite_utils.Database]:
        """Many units of work in one transaction: committed together, or not at all."""
        self.begin()
        try:
            yield self.db
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def begin(self) -> None:
        if self._depth:
            raise RuntimeError("a batch is already open")
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1

    def commit(self) -> None:
        if self._depth:
            self.db.execute("COMMIT")
            self._depth = 0

    def rollback(self) -> None:
        if self._depth:
            self.db.execute("ROLLBACK")
            self._depth = 0

    @property
    def in_batch(self) -> bool:
        return bool(self._depth)

    # -- plain SQL for the hot paths (sqlite-utils' insert/update re-read the schema every call) --
    def _insert(self, table: str, row: dict) -> int:
        keys = tuple(row)
        sql = self._statements.get(("insert", table, keys))
        if sql is None:
            sql = self._statements[("insert", table, keys)] = (
                f"insert into [{table}] ({', '.join(f'[{k}]' for k in keys)}) values ({', '.join('?' * len(keys))})")
        return self.db.conn.execute(sql, list(row.values())).lastrowid

    def insert_many(self, table: str, rows: list[dict]) -> None:
        """Rows with the same keys in one INSERT ... SELECT from json_each: the FTS trigger then
        runs inside a single statement, and FTS5 flushes its terms once instead of once per row
        (each statement, like each savepoint, makes it write what it holds; 2x the rate)."""
        keys = tuple(rows[0])
        values = ", ".join(f"value ->> {i}" for i in range(len(keys)))
        self.db.conn.execute(f"insert into [{table}] ({', '.join(f'[{k}]' for k in keys)}) select {values} "
                             "from json_each(?)", [json.dumps([[row[k] for k in keys] for row in rows], ensure_ascii=False)])

    def _update(self, table: str, key: str, value, row: dict) -> None:
        keys = tuple(row)
        if not keys:
            return
        sql = self._statements.get(("update", table, key, keys))
        if sql is None:
            sql = self._statements[("update", table, key, keys)] = (
                f"update [{table}] set {', '.join(f'[{k}] = ?' for k in keys)} where [{key}] = ?")
        self.db.conn.execute(sql, [*row.values(), value])

    # -- lookups ---------------------------------------------------------------------------
    def url_state(self, url: str) -> dict | None:
        rows = list(self.db.query("select * from urls where url = ?", [url]))
        return rows[0] if rows else None

    # -- writes ----------------------------------------------------------------------------
    def sync_sources(self, sources) -> None:
        now = utcnow()
        with self.transaction() as db:
            db["sources"].upsert_all([
                {"spider": s.spider, "name": s.name, "site": s.site, "language": s.language,
                 "description": s.description, "updated": now} for s in sources
            ], pk="spider")
        self._spiders = None

    def ensure_source(self, spider: str) -> None:
        """A `sources` row for an outlet that has no source file (imported records), named by its spider name."""
        if self._spiders is None:
            self._spiders = {row[0] for row in self.db.execute("select spider from sources")}
        if spider not in self._spiders:
            with self.transaction():
                self._insert("sources", {"spider": spider, "name": spider, "updated": utcnow()})
            self._spiders.add(spider)

    def start_run(self, spider: str, pid: int, args: dict) -> int:
        with self.transaction() as db:
            return db["crawl_runs"].insert({
                "spider": spider, "started": utcnow(), "status": "running", "pid": pid,
                "requests": 0, "articles_new": 0, "articles_updated": 0, "irrelevant": 0, "failures": 0,
                "args": dumps(args),
            }).last_pk

    def mark_killed_runs(self) -> int:
        """Runs left "running" by a crawl that died (SIGKILL, power cut) become "killed"; returns how many."""
        stale = [row["id"] for row in self.db.query("select id, pid from crawl_runs where status = 'running'")
                 if row["pid"] != os.getpid() and not pid_alive(row["pid"])]
        with self.transaction() as db:
            for run_id in stale:
                db["crawl_runs"].update(run_id, {"status": "killed"})
        return len(stale)

    def finish_run(self, run_id: int, status: str, counts: dict, stats: dict) -> None:
        with self.transaction() as db:
            db["crawl_runs"].update(run_id, {"finished": utcnow(), "status": status, **counts,
                                             "stats": dumps(stats)})

    def save_validators(self, validators: dict[str, dict]) -> None:
        """Store entry points' ETag, Last-Modified and newest listed date (see ArchivePipeline.close_spider)."""
        with self.transaction() as db:
            for url, fields in validators.items():
                db["urls"].update(url, fields)

    def remember(self, url: str, source: str, kind: str, state: str, **fields) -> None:
        """Record what became of a URL (the crawler's memory across runs)."""
        with self.transaction():
            self._remember(url, source, kind, state, **fields)

    def _remember(self, url: str, source: str, kind: str, state: str, **fields) -> None:
        row = {"source": source, "kind": kind, "state": state, **fields}
        keys = tuple(row)
        sql = self._statements.get(("remember", keys))
        if sql is None:  # insert, or update what is given and keep first_seen
            sql = self._statements[("remember", keys)] = (
                f"insert into urls (url, first_seen, {', '.join(f'[{k}]' for k in keys)}) "
                f"values (?, ?, {', '.join('?' * len(keys))}) "
                f"on conflict(url) do update set {', '.join(f'[{k}] = excluded.[{k}]' for k in keys)}")
        self.db.conn.execute(sql, [url, utcnow(), *row.values()])

    def record_failure(self, url: str, source: str, stage: str, reason: str, run_id: int | None,
                       http_status: int | None = None, kind: str = "article", state: str = "failed",
                       next_try: str | None = None) -> None:
        """Note a failed fetch or extraction: one row in `failures`, and the URL's tries and next try."""
        now = utcnow()
        with self.transaction() as db:
            db["failures"].insert({"url": url, "source": source, "stage": stage, "reason": reason[:2000],
                                   "http_status": http_status, "at": now, "run_id": run_id})
            existing = self.url_state(url) or {}
            if existing.get("state") in ("archived", "irrelevant"):
                state = existing["state"]  # what we already hold stays held; only the error is noted
            self._remember(url, source, existing.get("kind") or kind, state, tries=(existing.get("tries") or 0) + 1,
                           error=f"{stage}: {reason}"[:500], http_status=http_status, last_fetched=now,
                           next_try=next_try)

    def save_page(self, url: str, source: str, html: bytes, http_status: int, content_type: str,
                  fetched: str | None = None) -> None:
        self.db.conn.execute(
            "insert or replace into pages (url, source, fetched, http_status, content_type, html, sha256) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [url, source, fetched or utcnow(), http_status, content_type, zlib.compress(html, 6),
             hashlib.sha256(html).hexdigest()])

    def save_article(self, article: dict, page: dict, fetch: dict) -> str:
        """Store an extracted, relevant article with its page; return "new", "updated" or "unchanged"."""
        now = utcnow()
        url = article["url"]
        with self.transaction():
            self.save_page(url, article["source"], **page)
            record, mentions = _article_record({**article, "last_seen": now})
            outcome = self._store_article(record, now, if_new={"first_seen": now})
            self._link_entities(url, mentions)
            self._remember(url, article["source"], "article", "archived", last_fetched=now,
                           content_hash=record["content_hash"], relevance=record.get("relevance"),
                           relevance_evidence=record.get("relevance_evidence"),
                           tries=0, next_try=None, error=None, **fetch)
        return outcome

    def save_irrelevant(self, url: str, source: str, relevance: float, page: dict, fetch: dict,
                        evidence: dict | None = None) -> None:
        """Keep the page (so a new threshold can re-score it) and remember not to fetch it again."""
        with self.transaction():
            self.save_page(url, source, **page)
            self._remember(url, source, "article", "irrelevant", last_fetched=utcnow(), relevance=relevance,
                           relevance_evidence=dumps(evidence), tries=0, next_try=None, error=None, **fetch)

    # -- imported records (crawler.importer): the crawl's own steps, with the record's times --
    def import_article(self, article: dict, page: dict | None = None, fetch: dict | None = None) -> str:
        """Store a relevant article record; "new", "updated" or "unchanged" (then nothing is written).

        Like :meth:`save_article`, but the record says when it was seen (``first_seen`` and
        ``last_seen``, default now for a new row and unchanged for an existing one), so importing
        the same records twice changes nothing.
        """
        url, source = article["url"], article["source"]
        now = utcnow()
        record, mentions = _article_record(article)
        with self.transaction():
            if self._holds(record, page, fetch or {}) or self._replayed(record):
                return "unchanged"
            self.ensure_source(source)
            if page is not None:
                self.save_page(url, source, **page)
            seen = record.get("first_seen") or now
            outcome = self._store_article(record, now, if_new={"first_seen": seen,
                                                               "last_seen": record.get("last_seen") or seen})
            self._link_entities(url, mentions)
            # the model's evidence, as save_article keeps it, when the record carries it (a node's export does)
            evidence = {"relevance_evidence": record["relevance_evidence"]} if "relevance_evidence" in record else {}
            self._remember(url, source, "article", "archived", content_hash=record["content_hash"],
                           relevance=record.get("relevance"), **evidence, tries=0, next_try=None, error=None,
                           **(fetch or {}))
        return outcome

    def held_urls(self, urls: list[str]) -> set[str]:
        """Those of ``urls`` the archive holds as an article or keeps earlier versions of."""
        return {row[0] for row in self.db.conn.execute(
            "select url from articles where url in (select value from json_each(:u)) union "
            "select url from article_versions where url in (select value from json_each(:u))", {"u": json.dumps(urls)})}

    def import_new_articles(self, items: list[tuple[dict, dict | None, dict | None]]) -> None:
        """Relevant records for URLs the archive has never held (see :meth:`held_urls`), written as
        :meth:`import_article` writes each, but the articles in one statement (:meth:`insert_many`)."""
        now = utcnow()
        conn = self.db.conn
        try:
            self._import_new(items, now, conn)
        except BaseException:
            self._entity_ids = self._spiders = None  # rows they named may have been rolled back
            raise

    def _import_new(self, items, now: str, conn) -> None:
        with self.transaction():
            first_id = conn.execute("select coalesce(max(id), 0) + 1 from articles").fetchone()[0]
            shapes: dict[tuple, list[dict]] = {}
            links = []
            for article_id, (article, page, fetch) in enumerate(items, first_id):
                record, mentions = _article_record(article)
                url, source = record["url"], record["source"]
                self.ensure_source(source)
                if page is not None:
                    self.save_page(url, source, **page)
                seen = record.get("first_seen") or now
                row = {**record, "id": article_id, "first_seen": seen, "last_seen": record.get("last_seen") or seen}
                shapes.setdefault(tuple(row), []).append(row)
                links += self._entity_rows(article_id, mentions or {})
                self._remember(url, source, "article", "archived", content_hash=record["content_hash"],
                               relevance=record.get("relevance"), tries=0, next_try=None, error=None, **(fetch or {}))
            for rows in shapes.values():
                self.insert_many("articles", rows)
            conn.executemany("insert into article_entities (article_id, entity_id, mentions) values (?, ?, ?)", links)

    def import_irrelevant(self, url: str, source: str, relevance: float, page: dict | None = None,
                          fetch: dict | None = None, evidence: dict | None = None) -> None:
        """An irrelevant record: remembered (with its page, if it came with one), never an article."""
        with self.transaction():
            self.ensure_source(source)
            if page is not None:
                self.save_page(url, source, **page)
            kept = {"relevance_evidence": dumps(evidence)} if evidence is not None else {}
            self._remember(url, source, "article", "irrelevant", relevance=relevance, **kept, tries=0, next_try=None,
                           error=None, **(fetch or {}))

    def _replayed(self, record: dict) -> bool:
        """Is the record's text one the archive keeps as an earlier version of its URL? Then it is
        history replayed (an export imported again), not a change."""
        return self.db.conn.execute("select 1 from article_versions where url = ? and content_hash = ? limit 1",
                                    [record["url"], record["content_hash"]]).fetchone() is not None

    def _holds(self, record: dict, page: dict | None, fetch: dict) -> bool:
        """Does the archive already hold this record exactly: every field, its URL archived, its page?"""
        conn = self.db.conn
        cursor = conn.execute("select * from articles where url = ?", [record["url"]])
        old = cursor.fetchone()
        if old is None:
            return False
        row = dict(zip((d[0] for d in cursor.description), old))
        if any(row.get(k) != v for k, v in record.items()):
            return False
        cursor = conn.execute("select * from urls where url = ?", [record["url"]])
        state = cursor.fetchone()
        if state is None:
            return False
        state = dict(zip((d[0] for d in cursor.description), state))
        wanted = {"state": "archived", "relevance": record.get("relevance"), **fetch}
        if any(state.get(k) != v for k, v in wanted.items()):
            return False
        if page is None:
            return True
        stored = conn.execute("select sha256 from pages where url = ?", [record["url"]]).fetchone()
        return stored is not None and stored[0] == hashlib.sha256(page["html"]).hexdigest()

    def _store_article(self, record: dict, now: str, if_new: dict) -> str:
        """Insert or update one `articles` row; a replaced body goes to article_versions.

        An existing row is updated in place, so it keeps its id (Datasette links, versions) and
        first_seen; a new row gets ``if_new`` and takes back any versions kept while it was not an article.
        """
        url = record["url"]
        conn = self.db.conn
        old = conn.execute("select id, title, body, content_hash, modified from articles where url = ?", [url]).fetchone()
        if old is None:
            article_id = self._insert("articles", {**record, **if_new})
            conn.execute("update article_versions set article_id = ? where url = ?", [article_id, url])
            return "new"
        old_id, old_title, old_body, old_hash, old_modified = old
        self._update("articles", "id", old_id, record)
        if old_hash == record["content_hash"]:
            return "unchanged"
        self._insert("article_versions", {
            "article_id": old_id, "url": url, "title": old_title, "body": old_body,
            "content_hash": old_hash, "modified": old_modified, "replaced": now,
        })
        return "updated"

    # -- topics: verdicts, entities, stories (crawler.topics, crawler.stories, crawler.reprocess) --

    def sync_entities(self, entities) -> None:
        """The curated people and organisations (crawler/entities.toml) as `entities` rows."""
        self._entity_ids = None
        with self.transaction() as db:
            known = {row["name"]: row["id"] for row in db.query("select id, name from entities")}
            for entity in entities:
                row = {"name": entity.name, "kind": entity.kind, "aliases": dumps(entity.aliases)}
                if entity.name in known:
                    db["entities"].update(known[entity.name], row)
                else:
                    db["entities"].insert(row)

    def _link_entities(self, url: str, mentions: dict[str, int] | None) -> None:
        if mentions is None:
            return
        conn = self.db.conn
        article_id = conn.execute("select id from articles where url = ?", [url]).fetchone()[0]
        conn.execute("delete from article_entities where article_id = ?", [article_id])
        conn.executemany("insert into article_entities (article_id, entity_id, mentions) values (?, ?, ?)",
                         self._entity_rows(article_id, mentions))

    def _entity_rows(self, article_id: int, mentions: dict[str, int]) -> list[tuple[int, int, int]]:
        """article_entities rows; a name not in `entities` yet gets a row there."""
        if self._entity_ids is None:
            self._entity_ids = dict(self.db.conn.execute("select name, id from entities"))
        rows = []
        for name, count in mentions.items():
            entity_id = self._entity_ids.get(name)
            if entity_id is None:
                entity_id = self._entity_ids[name] = self._insert("entities", {"name": name})
            rows.append((article_id, entity_id, count))
        return rows

    def rescore_article(self, article: dict) -> str:
        """Store a re-scored or re-extracted article without fetching: "new", "updated" or "unchanged".

        A new row (a page that now passes the threshold) takes back its earlier versions; a changed
        body keeps the old one in article_versions. `last_seen` stays: nothing was fetched.
        """
        now = utcnow()
        url = article["url"]
        with self.transaction() as db:
            record, mentions = _article_record(article)
            fetched = db.execute("select fetched from pages where url = ?", [url]).fetchone()
            outcome = self._store_article(record, now, if_new={"first_seen": now,
                                                               "last_seen": fetched[0] if fetched else now})
            self._link_entities(url, mentions)
            self._remember(url, article["source"], "article", "archived", content_hash=record["content_hash"],
                           relevance=record.get("relevance"), relevance_evidence=record.get("relevance_evidence"))
        return outcome

    def demote_article(self, url: str, source: str, relevance: float, evidence: dict | None = None) -> None:
        """An article under the threshold stops being one; its page and earlier versions stay."""
        with self.transaction() as db:
            found = db.execute("select id from articles where url = ?", [url]).fetchone()
            if found:
                db.execute("delete from article_entities where article_id = ?", [found[0]])
                db.execute("update article_versions set article_id = null where article_id = ?", [found[0]])
                db.execute("update articles set duplicate_of = null where duplicate_of = ?", [found[0]])
                db["articles"].delete(found[0])
            self._remember(url, source, "article", "irrelevant", relevance=relevance,
                           relevance_evidence=dumps(evidence))

    def note_relevance(self, url: str, relevance: float, evidence: dict | None = None) -> None:
        """A page that stays irrelevant under a new model keeps its new score and evidence."""
        with self.transaction() as db:
            db.execute("update urls set relevance = ?, relevance_evidence = ? where url = ?",
                       [relevance, dumps(evidence), url])

    def max_story_id(self) -> int:
        return self.db.execute("select coalesce(max(id), 0) from stories").fetchone()[0]


def _article_record(article: dict) -> tuple[dict, dict[str, int] | None]:
    """An article dict as an `articles` row (JSON lists as text) and its entity mentions, if given."""
    record = dict(article)
    mentions = record.get("entities") if isinstance(record.get("entities"), dict) else None
    if mentions is not None:
        record["entities"] = list(mentions)  # names, most mentioned first, for _facet_array
    for key in ("tags", "sectors", "relevance_terms", "relevance_evidence", "entities"):
        if not isinstance(record.get(key), (str, type(None))):
            record[key] = dumps(record[key])
    return record, mentions


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def page_html(row: dict) -> bytes:
    return zlib.decompress(row["html"])
