"""`pkus import`: JSON Lines records into the archive through the crawl's writer, idempotently."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from crawler.importer import RecordError, import_lines, parse_record
from crawler.topics import default_model

from .conftest import ROOT, run_pkus

LABELLED = json.loads((Path(__file__).parent / "topics" / "labelled.json").read_text(encoding="utf-8"))


def record(item: dict, n: int = 0, **extra) -> dict:
    """A labelled article as an import record (its own URL and time)."""
    return {"url": f"https://import.test/{item['id']}/{n}", "source": "dawn", "title": item["title"],
            "body": item["body"], "published": f"2026-02-{1 + n % 27:02d}T{n % 24:02d}:00:00Z", **extra}


def write_lines(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def snapshot(db: Path) -> dict:
    """Everything an import writes, to compare two runs."""
    archive = sqlite_utils.Database(db)
    tables = {name: sorted(map(tuple, archive.execute(f"select * from {name}").fetchall()), key=repr)
              for name in ("articles", "article_entities", "article_versions", "stories", "pages")}
    tables["urls"] = sorted(archive.execute("select url, state, relevance, etag from urls").fetchall())
    archive.conn.close()
    return tables


def integrity(db: Path) -> sqlite_utils.Database:
    archive = sqlite_utils.Database(db)
    assert archive.execute("pragma integrity_check").fetchone()[0] == "ok"
    archive.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    return archive


def test_relevant_records_become_searchable_articles_and_the_rest_is_remembered(tmp_path):
    db = tmp_path / "archive.db"
    source = write_lines(tmp_path / "records.jsonl", [record(item) for item in LABELLED])
    result = run_pkus("import", str(source), "--db", str(db))
    relevant = [item for item in LABELLED if item["relevant"]]
    # the model scores them as in `pkus eval-topics` (precision and recall 1.0 on this set)
    assert result.stdout.startswith(f"{len(LABELLED)} records: {len(relevant)} new, 0 updated, 0 unchanged, "
                                    f"{len(LABELLED) - len(relevant)} irrelevant, 0 rejected;")
    archive = integrity(db)
    assert archive["articles"].count == len(relevant)
    row = next(archive.query("select * from articles where url = ?", [record(relevant[0])["url"]]))
    assert row["published"] == "2026-02-01T00:00:00+00:00" and row["relevance_version"] == default_model().version
    assert json.loads(row["sectors"]) and row["story_id"] is not None and row["first_seen"] == row["last_seen"]
    assert row["word_count"] == len(relevant[0]["body"].split())
    mentioned = archive.execute("select count(*) from article_entities where article_id = ?", [row["id"]]).fetchone()[0]
    assert mentioned == len(json.loads(row["entities"])) > 0
    states = dict(archive.execute("select state, count(*) from urls group by state").fetchall())
    assert states == {"archived": len(relevant), "irrelevant": len(LABELLED) - len(relevant)}
    assert archive.execute("select count(*) from urls where relevance is null").fetchone()[0] == 0
    assert archive.execute("select spider from sources where spider = 'dawn'").fetchone()
    found = run_pkus("search", "Rubio", "--db", str(db), "--json")
    assert any(r["url"].startswith("https://import.test/") for r in json.loads(found.stdout)["results"])
    assert archive.execute("select sum(article_count) from stories").fetchone()[0] == len(relevant)


def test_importing_the_same_records_again_changes_nothing(tmp_path):
    db = tmp_path / "archive.db"
    records = [record(item, n) for n in range(2) for item in LABELLED[:30]]
    # the same URL twice with different text: the second is a later version, on every run
    records.append({**records[0], "body": records[0]["body"] + "\n\nUpdated."})
    source = write_lines(tmp_path / "records.jsonl", records)
    import_lines(db, source.read_bytes().splitlines(), batch_size=7, workers=0)
    before = snapshot(db)
    again = import_lines(db, source.read_bytes().splitlines(), batch_size=7, workers=2)
    assert again.new == again.updated == 0
    assert again.unchanged == 2 * sum(item["relevant"] for item in LABELLED[:30]) + 1
    assert again.unchanged + again.irrelevant == len(records)
    assert snapshot(db) == before


def test_a_changed_body_keeps_the_old_text_as_a_version_and_a_record_relevance_is_trusted(tmp_path):
    db = tmp_path / "archive.db"
    relevant = next(item for item in LABELLED if item["relevant"])
    near_miss = next(item for item in LABELLED if not item["relevant"])
    first = record(relevant)
    import_lines(db, [json.dumps(first)], workers=0)
    changed = {**first, "body": first["body"] + "\n\nA correction was appended."}
    threshold = default_model().threshold
    trusted = record(near_miss, relevance=0.99, sectors=["energy"], entities={"IMF": 2})
    demoted = record(relevant, 1, relevance=threshold / 2)  # the record says irrelevant, whatever the model thinks
    summary = import_lines(db, [json.dumps(r) for r in (changed, trusted, demoted)], workers=0)
    assert (summary.new, summary.updated, summary.irrelevant) == (1, 1, 1)
    archive = integrity(db)
    versions = list(archive.query("select url, body from article_versions"))
    assert versions == [{"url": first["url"], "body": first["body"]}]
    row = next(archive.query("select * from articles where url = ?", [trusted["url"]]))
    assert row["relevance"] == 0.99 and json.loads(row["sectors"]) == ["energy"] and json.loads(row["entities"]) == ["IMF"]
    assert archive.execute("select state, relevance from urls where url = ?", [demoted["url"]]).fetchone() == ("irrelevant", threshold / 2)


def test_bad_records_get_one_error_line_each_and_lose_nothing_else(tmp_path):
    db = tmp_path / "archive.db"
    good = [record(item) for item in LABELLED if item["relevant"]][:3]
    lines = [good[0], "{not json", {**good[1], "body": None}, {"url": "https://x.test/a", "source": "dawn", "title": "t"},
             {**good[1], "colour": "red"}, {**good[1], "published": "last Tuesday"}, "[1, 2]", "",
             {**good[1], "url": "/relative"}, {**good[1], "tags": "not a list"}, good[1], good[2]]
    source = write_lines(tmp_path / "records.jsonl", lines)
    result = run_pkus("import", str(source), "--db", str(db), check=False)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert [e.split(":")[2] for e in errors] == ["2", "3", "4", "5", "6", "7", "9", "10"]
    assert "missing required field 'body'" in errors[2] and "unknown field 'colour'" in errors[3]
    assert "published: not an ISO 8601" in errors[4] and "absolute http(s) URL" in errors[6]
    assert all(e.startswith(f"pkus import: {source}:") for e in errors)
    assert "3 new" in result.stdout and "8 rejected" in result.stdout
    assert sqlite_utils.Database(db)["articles"].count == 3


def test_standard_input_and_date_only_times(tmp_path):
    db = tmp_path / "archive.db"
    item = next(item for item in LABELLED if item["relevant"])
    lines = json.dumps(record(item, published="2025-02-05", modified="2025-02-05T10:00:00+05:00")) + "\n"
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "import", "-", "--db", str(db)], input=lines,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    row = next(sqlite_utils.Database(db).query("select published, modified, published_month from articles"))
    assert row == {"published": "2025-02-05", "modified": "2025-02-05T05:00:00+00:00", "published_month": "2025-02"}


def test_parse_record_checks_types():
    model = default_model()
    item = next(item for item in LABELLED if item["relevant"])
    article, relevant, page, fetch = parse_record(json.dumps(record(item, html="<p>x</p>", etag='"e1"')), model)
    assert relevant and page["html"] == b"<p>x</p>" and fetch == {"etag": '"e1"'}
    for bad in ({"relevance": "high"}, {"relevance": True}, {"relevance": 4.5}, {"relevance": -0.1}, {"word_count": 1.5}, {"entities": [1]},
                {"relevance_terms": ["a"]}, {"first_seen": 20250101}):
        with pytest.raises(RecordError):
            parse_record(json.dumps(record(item, **bad)), model)
    ignored = parse_record(json.dumps(record(item, id=5, story_id=3, content_hash="x")), model)[0]
    assert "id" not in ignored and "story_id" not in ignored and ignored["content_hash"] != "x"


def many_records(n: int) -> list[dict]:
    """n distinct relevant records (relevance given, so the test does not wait for the model)."""
    relevant = [item for item in LABELLED if item["relevant"]]
    return [record(relevant[i % len(relevant)], i, relevance=0.9, entities={"IMF": 1},
                   body=f"{relevant[i % len(relevant)]['body']}\n\nReport number {i}.") for i in range(n)]


def kill_import_after(db: Path, cmd: list[str], articles: int) -> tuple[list[str], bool]:
    """Start `pkus import`, SIGKILL it once the archive holds ``articles`` articles; (its workers' pids, killed?)."""
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as reader:
                    if reader.execute("select count(*) from articles").fetchone()[0] >= articles:
                        break
            except sqlite3.OperationalError:
                pass
            time.sleep(0.02)
        workers = subprocess.run(["pgrep", "-P", str(child.pid)], capture_output=True, text=True).stdout.split()
        killed = child.poll() is None
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    return workers, killed


def assert_whole_articles(archive: sqlite_utils.Database) -> int:
    """Never half an article: each row has its FTS row, URL state and entity links; returns how many."""
    count = archive["articles"].count
    assert archive.execute("select count(*) from articles_fts_docsize").fetchone()[0] == count
    assert archive.execute("select count(*) from articles_fts where articles_fts match 'report'").fetchone()[0] == count
    assert archive.execute("select count(*) from articles a join urls u on u.url = a.url "
                           "where u.state = 'archived' and u.content_hash = a.content_hash").fetchone()[0] == count
    assert archive.execute("select count(*) from urls where state = 'archived'").fetchone()[0] == count
    assert archive.execute("select count(distinct article_id) from article_entities join articles a on a.id = article_id "
                           "").fetchone()[0] == archive.execute("select count(*) from article_entities").fetchone()[0] == count
    return count


def test_a_killed_import_loses_at_most_the_open_batch_and_the_next_run_completes_it(tmp_path):
    db, batch = tmp_path / "archive.db", 200
    records = many_records(6000)
    source = write_lines(tmp_path / "records.jsonl", records)
    cmd = [sys.executable, "-m", "crawler.cli", "import", str(source), "--db", str(db), "--batch", str(batch)]
    workers, killed = kill_import_after(db, cmd, batch)
    assert killed, "the import ended before it could be killed"
    archive = integrity(db)
    count = assert_whole_articles(archive)
    assert 0 < count < len(records) and count % batch == 0  # whole batches, never part of one
    archive.conn.close()
    deadline = time.monotonic() + 10  # the worker processes notice their parent is gone and exit
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(Path(f"/proc/{pid}").exists() for pid in workers)

    result = run_pkus("import", str(source), "--db", str(db), "--batch", str(batch))
    assert f"{len(records) - count} new" in result.stdout and f"{count} unchanged" in result.stdout
    archive = integrity(db)
    assert archive["articles"].count == len(records)
    assert archive.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0


def test_killed_again_and_again_then_finished_the_archive_is_as_one_clean_import(tmp_path):
    """Kills at different points (in the writing, in the stories), then one run to the end:
    the same articles, entities, URL states and stories as an import that was never killed."""
    records = many_records(1500)
    source = write_lines(tmp_path / "records.jsonl", records)
    db, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    cmd = [sys.executable, "-m", "crawler.cli", "import", str(source), "--db", str(db), "--batch", "250"]
    for articles in (250, 1000, 1500):
        kill_import_after(db, cmd, articles)
        archive = integrity(db)
        count = assert_whole_articles(archive)
        assert count % 250 == 0
        archive.conn.close()
    run_pkus("import", str(source), "--db", str(db), "--batch", "250")
    run_pkus("import", str(source), "--db", str(clean), "--batch", "250")

    def content(path: Path) -> dict:
        archive = integrity(path)
        assert_whole_articles(archive)
        found = {
            "articles": sorted(archive.execute("select url, title, body, relevance, entities, published, story_id is not null "
                                               "from articles").fetchall()),
            "entities": sorted(archive.execute("select a.url, e.name, x.mentions from article_entities x join articles a "
                                               "on a.id = x.article_id join entities e on e.id = x.entity_id").fetchall()),
            "urls": sorted(archive.execute("select url, state, relevance, content_hash from urls").fetchall()),
            "stories": sorted(archive.execute("select group_concat(url, ' ') from (select url, story_id from articles "
                                              "order by url) group by story_id").fetchall()),
            "versions": archive.execute("select count(*) from article_versions").fetchone()[0],
        }
        archive.conn.close()
        return found

    killed = content(db)
    assert len(killed["articles"]) == len(records) and killed == content(clean)
