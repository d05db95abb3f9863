"""`pkus ingest`: bring Scrapyd nodes' exports (crawler.node) into archive.db, on the writer.

Each export is replayed the way the archive pipeline would have written it during a local
crawl: articles and irrelevant pages with their page and URL state, entry points, failures
with their retry back-off, and a ``crawl_runs`` row for the node's run. Entry points'
validators (ETag, Last-Modified, newest sitemap date) are kept only when the export ends
with a ``finished`` run and no entry point failed, exactly as for a local crawl, so an
outlet whose node was killed has its entry points read again next time.

Exports are taken oldest first and each in order; lines are applied in batches, each batch
in one transaction together with the ledger (``node_exports``: how far into each export we
are), so ingesting is idempotent: an export already in is skipped, one that grew since (it
was still being written, or was cut short and is now complete) continues where it stopped,
and a kill during an ingest loses at most the open batch. A cut-short last line (the node
died while writing it) is not applied. Stories are regrouped once at the end.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

from .archive import Archive, utcnow
from .node import decode_html
from .outlets import load_sources
from .run import RunSummary, project_settings, writer_lock
from .topics import load_entities

BATCH = 200  # lines per transaction
EXPORT_SUFFIXES = (".jl", ".jsonl")
COUNTS = ("articles_new", "articles_updated", "irrelevant", "failures")


class IngestError(ValueError):
    """An export line that is not a record this version can apply."""


@dataclass
class Export:
    """One export file and where the ledger says we are in it."""

    path: Path
    id: str  # sha256 of its first line: the same export under another name is still the same
    first: dict  # its first record
    row: dict | None  # its node_exports row, if any of it was ingested before

    @property
    def offset(self) -> int:
        return self.row["offset"] if self.row else 0


@dataclass
class IngestResult:
    summaries: list[RunSummary] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exports: int = 0
    records: int = 0


def find_exports(paths: list[Path]) -> list[Path]:
    """Every export file named, or under a directory named (recursively)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p.resolve() for p in path.rglob("*") if p.suffix in EXPORT_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path.resolve())
        else:
            raise FileNotFoundError(f"no export file or directory at {path}")
    return found


def _first_line(path: Path) -> bytes | None:
    with open(path, "rb") as handle:
        line = handle.readline()
    return line if line.endswith(b"\n") else None


def _pending(archive: Archive, files: list[Path], skip_jobs: set[str]) -> list[Export]:
    """The exports with lines not yet applied, oldest first."""
    ledger = {row["id"]: row for row in archive.db.query("select * from node_exports")}
    pending = []
    for path in files:
        if path.stem in skip_jobs:
            continue  # its job is still running: take it when it has finished
        line = _first_line(path)
        if line is None:
            continue  # nothing complete in it yet
        export_id = hashlib.sha256(line).hexdigest()
        row = ledger.get(export_id)
        if row and row["offset"] >= path.stat().st_size:
            continue  # all in
        try:
            first = json.loads(line)
        except ValueError:
            first = {}
        pending.append(Export(path, export_id, first, row))
    return sorted(pending, key=lambda e: (e.first.get("at") or e.first.get("started") or "", str(e.path)))


def ingest(db_path: str | Path, paths: list[str | Path], skip_jobs: set[str] = frozenset()) -> IngestResult:
    """Apply every new line of the exports under ``paths`` to the archive, then regroup stories."""
    from .stories import regroup

    files = find_exports([Path(p) for p in paths])
    result = IngestResult()
    with writer_lock(db_path, what="ingest"):
        archive = Archive(db_path)
        try:
            archive.sync_sources(load_sources().values())
            archive.sync_entities(load_entities())
            retry_base = project_settings(db_path).getfloat("PKUS_RETRY_BASE_MINUTES")
            changed = False
            for export in _pending(archive, files, set(skip_jobs)):
                try:
                    summary, records = _ingest_export(archive, export, retry_base)
                except IngestError as exc:
                    result.errors.append(str(exc))
                    continue
                result.exports += 1
                result.records += records
                result.summaries.append(summary)
                changed |= bool(summary.articles_new or summary.articles_updated)
            if changed:
                regroup(archive)
        finally:
            archive.close()
    return result


def _ingest_export(archive: Archive, export: Export, retry_base: float) -> tuple[RunSummary, int]:
    replay = _Replay(archive, export, retry_base)
    with open(export.path, "rb") as handle:
        handle.seek(export.offset)
        number = replay.records  # lines applied before
        batch: list[tuple[int, bytes]] = []
        for line in iter(handle.readline, b""):
            if not line.endswith(b"\n"):
                break  # cut short while being written: not a record (yet)
            number += 1
            batch.append((number, line))
            if len(batch) >= BATCH:
                replay.apply(batch)
                batch = []
        replay.apply(batch)
    return replay.summary(), replay.applied


class _Replay:
    """Applies one export's records as the archive pipeline would have during the crawl."""

    def __init__(self, archive: Archive, export: Export, retry_base: float):
        self.archive = archive
        self.export = export
        self.retry_base = retry_base
        self.run = self._run_row()
        self.records = (export.row or {}).get("records") or 0
        self.applied = 0

    def _run_row(self) -> dict:
        db = self.archive.db
        if self.export.row and self.export.row["run_id"]:
            return dict(db["crawl_runs"].get(self.export.row["run_id"]))
        first = self.export.first
        with self.archive.transaction():
            run_id = db["crawl_runs"].insert({
                "spider": first.get("source") or first.get("spider"), "started": first.get("at") or first.get("started"),
                "status": "killed", "requests": 0, **{k: 0 for k in COUNTS},
                "args": json.dumps({"export": str(self.export.path)}),
            }).last_pk
            db["node_exports"].insert({
                "id": self.export.id, "path": str(self.export.path), "spider": first.get("source") or first.get("spider"),
                "run_id": run_id, "offset": 0, "records": 0, "complete": 0, "first_ingested": utcnow(),
            })
        return dict(db["crawl_runs"].get(run_id))

    def apply(self, batch: list[tuple[int, bytes]]) -> None:
        """Apply ``batch`` and move the ledger past it, in one transaction. A line that cannot be
        applied ends the export there: the lines before it are committed, then IngestError."""
        if not batch:
            return
        counts: Counter = Counter()
        end, error = None, None
        offset = self.export.offset
        with self.archive.batch() as db:  # the archive's one-unit methods nest in it as savepoints
            for number, line in batch:
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    error = f"{self.export.path}:{number}: not a JSON record ({exc})"
                    break
                try:
                    with self.archive.transaction():  # a record that fails half-way leaves nothing
                        end = self._apply(record, counts) or end
                except (IngestError, KeyError, TypeError, ValueError) as exc:
                    error = f"{self.export.path}:{number}: {exc if isinstance(exc, IngestError) else repr(exc)}"
                    break
                offset += len(line)
                self.records = number
                self.applied += 1
            run = {k: (self.run.get(k) or 0) + counts[k] for k in COUNTS}
            if end is not None:
                run.update(self._finish(end))
            db["crawl_runs"].update(self.run["id"], run)
            self.run.update(run)
            ledger = {"offset": offset, "records": self.records, "last_ingested": utcnow()}
            if end is not None:
                ledger.update(complete=1, job=end.get("job"), host=end.get("host"), spider=end.get("spider"))
            db["node_exports"].update(self.export.id, ledger)
            self.export.row = {**(self.export.row or {}), **ledger, "run_id": self.run["id"]}
        if error:
            raise IngestError(f"{error}; the lines before it are in, this export stops there")

    def _apply(self, record, counts: Counter) -> dict | None:
        """One record; returns it if it is the end record."""
        kind = record.get("type") if isinstance(record, dict) else None
        if kind == "end":
            return record
        apply = getattr(self, f"_apply_{kind}", None)
        if apply is None:
            raise IngestError(f"record type {kind!r} is not one of article, irrelevant, entry, failure, end")
        apply(record, counts)
        return None

    # -- one record each, through the archive's writer (the steps of a crawl and of `pkus import`) --
    def _apply_entry(self, record: dict, counts: Counter) -> None:
        self.archive.remember(record["url"], record["source"], record["kind"], "fetched",
                              http_status=record["http_status"], last_fetched=record["at"])

    def _apply_failure(self, record: dict, counts: Counter) -> None:
        counts["failures"] += 1
        tries = ((self.archive.url_state(record["url"]) or {}).get("tries") or 0) + 1
        at = datetime.fromisoformat(record["at"])
        next_try = (at + timedelta(minutes=self.retry_base * 2 ** (tries - 1))).isoformat()
        self.archive.record_failure(record["url"], record["source"], record["stage"], record["reason"],
                                    self.run["id"], record.get("http_status"), kind=record.get("kind", "article"),
                                    state=record.get("state", "failed"), next_try=next_try)

    def _apply_article(self, record: dict, counts: Counter) -> None:
        self._page(record, counts)

    _apply_irrelevant = _apply_article

    def _page(self, record: dict, counts: Counter) -> None:
        if missing := [k for k in ("url", "source", "page", "fetch", "at") if not record.get(k)]:
            raise IngestError(f"{record['type']} record without {', '.join(missing)}")
        page = dict(record["page"], html=decode_html(record["page"]["html"]), fetched=record["at"])
        fetch = {**record["fetch"], "last_fetched": record["at"]}
        if record.get("requested_url"):
            self.archive.remember(record["requested_url"], record["source"], "article", "redirected",
                                  redirected_to=record["url"], last_fetched=record["at"])
        try:
            if record["type"] == "article":
                # the extractor's fields as a crawl saves them; seen now, when the archive gets it
                article = {k: v for k, v in record.items() if k not in ("type", "page", "fetch", "requested_url", "at")}
                outcome = self.archive.import_article({**article, "last_seen": utcnow()}, page, fetch)
                if outcome != "unchanged":
                    counts[f"articles_{outcome}"] += 1
            else:
                self.archive.import_irrelevant(record["url"], record["source"], record["relevance"], page, fetch,
                                               record.get("relevance_evidence"))
                counts["irrelevant"] += 1
        except Exception as exc:  # noqa: BLE001 - its savepoint rolled back; note it, retry next run
            self._apply_failure({"url": record["url"], "source": record["source"], "stage": "archive",
                                 "reason": f"{type(exc).__name__}: {exc}", "http_status": record["page"]["http_status"],
                                 "at": record["at"]}, counts)

    def _finish(self, end: dict) -> dict:
        """The run's row from the end record; validators saved only after a complete run."""
        stats = end.get("stats") or {}
        entries, entry_failures = self._entry_points()
        if end["status"] == "finished" and not entry_failures:
            self.archive.save_validators(entries)
        args = {**(end.get("args") or {}), "export": str(self.export.path), "job": end.get("job"),
                "host": end.get("host"), "code": end.get("code")}
        return {"status": end["status"], "started": end.get("started") or self.run["started"],
                "finished": end.get("finished"), "requests": stats.get("downloader/request_count", 0),
                "pid": end.get("pid"), "args": json.dumps(args), "stats": json.dumps(stats)}

    def _entry_points(self) -> tuple[dict[str, dict], int]:
        """Validators of every entry point the export read, and how many entry points failed."""
        validators, failures = {}, 0
        for record in _records(self.export.path):
            if record.get("type") == "entry" and record["http_status"] != 304:
                validators[record["url"]] = {"etag": record["etag"], "last_modified": record["last_modified"],
                                             "lastmod": record["lastmod"]}
            elif record.get("type") == "failure" and record.get("kind", "article") != "article":
                failures += 1
        return validators, failures

    def summary(self) -> RunSummary:
        run = self.run
        return RunSummary(run["spider"] or "?", run["status"], run["requests"] or 0,
                          *(run[k] or 0 for k in COUNTS))


def _records(path: Path) -> Iterator[dict]:
    with open(path, "rb") as handle:
        for line in handle:
            if line.endswith(b"\n"):
                yield json.loads(line)
