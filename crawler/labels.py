"""A reader's verdicts on what the relevance model decided: `pkus label` and `pkus export-labels`.

A verdict is a row of `labels` in archive.db (URL, the text it was given on, relevant or not, a
note, when, and what the model said then). `export-labels` writes them as a labelled JSON file
in the format `pkus eval-topics` and `pkus train-topics` read, so the archive's own traffic,
above all its near misses, becomes training data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .archive import Archive, page_html, utcnow
from .extract import ExtractionError, extract_article
from .outlets import load_sources
from .topics import classify


class LabelError(Exception):
    """A URL the archive has no text for, or a page that no longer extracts."""


def _candidates(url: str) -> list[str]:
    """The URL as given, without its query and fragment, and with or without a final slash."""
    parts = urlsplit(url.strip())
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    out = [url.strip(), bare, bare.rstrip("/") if bare.endswith("/") else bare + "/"]
    return list(dict.fromkeys(out))


def article_text(archive: Archive, url: str) -> dict:
    """Title, body and source of an archived article or a stored irrelevant page."""
    for candidate in _candidates(url):
        rows = list(archive.db.query("select url, source, title, body from articles where url = ?", [candidate]))
        if rows:
            return rows[0]
        pages = list(archive.db.query("select url, source, html from pages where url = ?", [candidate]))
        if pages:
            page = pages[0]
            source = load_sources().get(page["source"])
            if source is None:
                raise LabelError(f"{candidate}: no source file for {page['source']!r}")
            try:
                article = extract_article(page_html(page), page["url"], source)
            except ExtractionError as exc:
                raise LabelError(f"{candidate}: the stored page no longer extracts ({exc})") from None
            return {"url": page["url"], "source": page["source"], "title": article["title"], "body": article["body"]}
    raise LabelError(f"{url}: not in the archive (neither an article nor a stored page); crawl it first")


def record_label(db_path: str | Path, url: str, relevant: bool, note: str | None = None) -> dict:
    """Store (or replace) the verdict on one URL; returns the row with the model's score for it."""
    archive = Archive(db_path)
    try:
        text = article_text(archive, url)
        verdict = classify(text["title"], text["body"])
        row = {**text, "relevant": int(relevant), "note": note, "labelled": utcnow(),
               "relevance": verdict.score, "relevance_version": verdict.model_version}
        with archive.transaction() as db:
            db["labels"].upsert(row, pk="url")
        row["total"] = archive.db["labels"].count
        row["model_relevant"] = verdict.relevant
        return row
    finally:
        archive.close()


def export_labels(db_path: str | Path, path: Path) -> int:
    """Write every verdict as a labelled JSON list ({id, url, title, body, relevant, note, ...}),
    in URL order so the file, and what is trained on it, is the same every time."""
    archive = Archive(db_path)
    try:
        rows = list(archive.db.query("select * from labels order by url"))
    finally:
        archive.close()
    items = [{"id": "label-" + hashlib.sha1(r["url"].encode()).hexdigest()[:8], "url": r["url"], "source": r["source"], "title": r["title"],
              "body": r["body"], "relevant": bool(r["relevant"]), "note": r["note"] or "",
              "labelled": r["labelled"]} for r in rows]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(items)
