"""`pkus import`: article records (JSON Lines) into the archive, through the crawl's own writer.

One record per line, a JSON object in the archive's own column names (README, "Importing
records"): ``url``, ``source``, ``title`` and ``body`` are required; ``published`` and the other
`articles` columns are optional; ``html`` (and ``content_type``, ``http_status``, ``fetched``,
``etag``, ``last_modified``) keeps the page for ``pkus reextract``. A record without a
``relevance`` is scored by the topic model, as a crawled page is; one with a relevance is
trusted. Relevant records become articles (FTS, entities, versions), irrelevant ones are
remembered in ``urls``, and the stories are regrouped at the end, all under the writer lock.

Records are checked and scored in worker processes, in order, and written in batches of
``BATCH`` records, one transaction each: a kill loses at most the open batch, never half an
article, and since a record the archive already holds is skipped without writing, importing
the same file again (or finishing a killed import) changes nothing that is already there.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain, islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .archive import Archive, content_hash
from .outlets import load_sources
from .run import writer_lock
from .stories import GroupingResult, regroup
from .topics import Model, classify, load_entities, load_model
from .workers import default_workers, ordered, process_pool

BATCH = 2000  # records per transaction
REQUIRED = ("url", "source", "title", "body")
TEXT = ("description", "author", "published_raw", "published_from", "modified_raw", "modified_from",
        "language", "image")
TIMES = ("published", "modified", "first_seen", "last_seen")
LISTS = ("tags", "sectors")
PAGE = ("html", "content_type", "http_status", "fetched", "etag", "last_modified")
# The archive computes these itself; a record may carry them (an export of articles rows) but they are ignored.
DERIVED = ("id", "content_hash", "story_id", "duplicate_of", "published_month")
FIELDS = frozenset((*REQUIRED, *TEXT, *TIMES, *LISTS, *PAGE, *DERIVED, "entities", "word_count", "relevance",
                    "relevance_terms", "relevance_version"))
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class RecordError(ValueError):
    """A record that cannot be imported; the message says which field and why."""


@dataclass
class Prepared:
    """A checked (and scored) record, ready for the writer."""

    line: int
    article: dict
    relevant: bool
    page: dict | None = None
    fetch: dict = field(default_factory=dict)


@dataclass
class ImportSummary:
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    irrelevant: int = 0
    rejected: int = 0
    seconds: float = 0.0
    writing: float = 0.0  # seconds until the last batch was committed (the rest: stories)
    grouping: GroupingResult | None = field(default_factory=GroupingResult)  # None: not regrouped

    def line(self) -> str:
        rate = f", {self.records / self.seconds:,.0f} records/s" if self.seconds else ""
        stories = ("stories not regrouped" if self.grouping is None else
                   f"{self.grouping.stories} stories, {self.grouping.duplicates} wire copies")
        return (f"{self.records} record{'' if self.records == 1 else 's'}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.irrelevant} irrelevant, {self.rejected} rejected; {stories} "
                f"({self.seconds:.1f} s{rate}; written in {self.writing:.1f} s)")


def iso_utc(value, name: str) -> str | None:
    """An ISO 8601 time as the archive stores it (UTC, seconds); a date without a time stays a date."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name}: expected an ISO 8601 string, got {type(value).__name__}")
    value = value.strip()
    if _DATE_ONLY.fullmatch(value):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name}: not an ISO 8601 date or time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # archive times are UTC
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _text(record: dict, name: str, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise RecordError(f"{'missing required field' if value is None else 'empty or not text:'} {name!r}"
                          if required else f"{name}: expected text, got {type(value).__name__}")
    return value


def _number(record: dict, name: str, kind: type) -> float | int | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise RecordError(f"{name}: expected {'a number' if kind is float else 'an integer'}, got {value!r}")
    return value


def _strings(record: dict, name: str) -> list[str] | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, str):  # already JSON text, as an `articles` row holds it
        try:
            value = json.loads(value)
        except ValueError:
            raise RecordError(f"{name}: expected a list of strings") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"{name}: expected a list of strings")
    return value


def _entities(record: dict) -> dict[str, int] | list[str] | None:
    value = record.get("entities")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RecordError("entities: expected a list of names or an object name -> mentions") from None
    if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return value
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                       for k, v in value.items()):
        return value
    raise RecordError("entities: expected a list of names or an object name -> mentions")


def parse_record(line: str | bytes, model: Model) -> tuple[dict, bool, dict | None, dict]:
    """One JSON Lines record as (article fields, relevant?, page, URL fetch fields); RecordError if bad."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordError(f"not a JSON object: {exc}") from None
    if not isinstance(record, dict):
        raise RecordError(f"not a JSON object but a {type(record).__name__}")
    unknown = sorted(set(record) - FIELDS)
    if unknown:
        raise RecordError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                          "(fields are the articles table's columns; see README, Importing records)")
    article = {name: _text(record, name, required=True) for name in REQUIRED}
    article["url"] = article["url"].strip()
    if not article["url"].startswith(("http://", "https://")) or " " in article["url"]:
        raise RecordError(f"url: expected an absolute http(s) URL, got {article['url']!r}")
    article["source"] = article["source"].strip()
    article.update({name: _text(record, name) for name in TEXT})
    article.update({name: iso_utc(record.get(name), name) for name in TIMES})
    article.update({name: _strings(record, name) for name in LISTS})
    entities = _entities(record)
    relevance = _number(record, "relevance", float)
    if relevance is not None and not 0 <= relevance <= 1:  # the model's probability (points before model v3)
        raise RecordError(f"relevance: expected a probability from 0 to 1, got {relevance!r}")
    terms = record.get("relevance_terms")
    if terms is not None and not (isinstance(terms, dict) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in terms.values())):
        raise RecordError("relevance_terms: expected an object term -> points")
    version = _number(record, "relevance_version", int)
    word_count = _number(record, "word_count", int)
    body = article["body"]
    article["word_count"] = word_count if word_count is not None else len(body.split())
    article["content_hash"] = content_hash(body)
    if relevance is None:  # scored as a crawled page is; the record's own sectors and entities win
        verdict = classify(article["title"], body, model)
        relevant, relevance, terms, version = verdict.relevant, verdict.score, verdict.terms, verdict.model_version
        article["sectors"] = article["sectors"] if article["sectors"] is not None else verdict.sectors
        entities = entities if entities is not None else verdict.entities
    else:
        relevant = relevance >= model.threshold
    article.update(relevance=relevance, relevance_terms=terms, relevance_version=version, entities=entities)
    article = {k: v for k, v in article.items() if v is not None}
    page = None
    html = _text(record, "html")
    fetched = iso_utc(record.get("fetched"), "fetched")
    status = _number(record, "http_status", int)
    if html is not None:
        page = {"html": html.encode("utf-8"), "http_status": status or 200,
                "content_type": _text(record, "content_type") or "text/html; charset=utf-8", "fetched": fetched}
    fetch = {k: v for k, v in (("etag", _text(record, "etag")), ("last_modified", _text(record, "last_modified")),
                               ("http_status", status), ("last_fetched", fetched)) if v is not None}
    return article, relevant, page, fetch


# -- worker processes: check and score a chunk of lines ---------------------------------------
_model: Model | None = None


def _init_worker(threshold: float | None) -> None:
    global _model
    _model = load_model(threshold=threshold)


def prepare_chunk(chunk: list[tuple[int, bytes]], model: Model | None = None) -> list[Prepared | tuple[int, str]]:
    """Each line as a Prepared record, or (line number, error message)."""
    model = model or _model
    out = []
    for number, line in chunk:
        try:
            out.append(Prepared(number, *parse_record(line, model)))
        except RecordError as exc:
            out.append((number, str(exc)))
    return out


def chunks(lines: Iterable[bytes | str], size: int) -> Iterator[list[tuple[int, bytes | str]]]:
    """Non-blank lines, numbered from 1, in lists of ``size``."""
    chunk = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            chunk.append((number, line))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _prepared(pieces: Iterator[list], pool, model: Model, workers: int) -> Iterator[list]:
    """Prepared chunks in input order (crawler.workers.ordered keeps memory flat)."""
    if pool is None:
        return (prepare_chunk(piece, model) for piece in pieces)
    return ordered(pool, prepare_chunk, pieces, ahead=2 * workers)


def import_lines(db_path: str | Path, lines: Iterable[bytes | str], batch_size: int = BATCH,
                 workers: int | None = None, threshold: float | None = None,
                 report: Callable[[int, str], None] = lambda line, message: None,
                 stories: bool = True) -> ImportSummary:
    """Import JSON Lines records into the archive; ``report(line, message)`` hears of each rejected one.

    ``workers`` processes check and score records (default: one per CPU; 0 scores in this process).
    ``stories=False`` leaves the new articles without a story, for the next regroup (a crawl's).
    Raises crawler.run.ArchiveBusy if a crawl or another import is writing the archive.
    """
    started = time.perf_counter()
    model = load_model(threshold=threshold)
    summary = ImportSummary()
    pieces = chunks(lines, batch_size)
    head = list(islice(pieces, 2))
    workers = default_workers() if workers is None else workers
    pool = None
    if workers and len(head) > 1:  # more than one batch: worth starting the workers
        pool = process_pool(workers, _init_worker, (threshold,))
    rest = chain(head, pieces)
    with writer_lock(db_path, "crawl or import"):
        archive = Archive(db_path)
        try:
            archive.sync_sources(load_sources().values())
            archive.sync_entities(load_entities())
            for prepared in _prepared(rest, pool, model, workers):
                _write(archive, prepared, summary, report)
            summary.writing = time.perf_counter() - started
            summary.grouping = regroup(archive, model=model) if stories else None
        finally:
            archive.close()
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    return summary


def _write(archive: Archive, prepared: list, summary: ImportSummary, report) -> None:
    """One batch, one transaction: first the articles new to the archive, all at once; then the
    rest each in its own savepoint, so a failing one is rejected alone."""
    with archive.batch():
        rest = _write_new(archive, prepared, summary)
        summary.records += len(prepared) - len(rest)
        for item in rest:
            summary.records += 1
            if isinstance(item, tuple):
                summary.rejected += 1
                report(*item)
                continue
            article = item.article
            try:
                if item.relevant:
                    outcome = archive.import_article(article, item.page, item.fetch)
                    setattr(summary, outcome, getattr(summary, outcome) + 1)
                else:
                    archive.import_irrelevant(article["url"], article["source"], article["relevance"],
                                              item.page, item.fetch)
                    summary.irrelevant += 1
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; the batch goes on
                summary.rejected += 1
                report(item.line, f"not stored: {type(exc).__name__}: {exc}")


def _write_new(archive: Archive, prepared: list, summary: ImportSummary) -> list:
    """Write the relevant records whose URL the archive has never held and the batch names once
    (most of a back-fill) in a few statements; return the others, to be written one by one.
    Should the bulk write fail, nothing of it stays and every record goes the one-by-one way."""
    records = [item for item in prepared if isinstance(item, Prepared)]
    times = Counter(item.article["url"] for item in records)
    held = archive.held_urls(list(times))
    new = [item for item in records if item.relevant and times[item.article["url"]] == 1
           and item.article["url"] not in held]
    if not new:
        return prepared
    try:
        archive.import_new_articles([(item.article, item.page, item.fetch) for item in new])
    except Exception:  # noqa: BLE001 - rolled back; one by one, each failing record is reported alone
        return prepared
    summary.new += len(new)
    done = set(map(id, new))
    return [item for item in prepared if id(item) not in done]
