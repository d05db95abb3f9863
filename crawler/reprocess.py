"""Re-process what the archive holds, without fetching: `pkus reclassify` and `pkus reextract`.

reclassify: re-score every archived article from its stored text and every irrelevant page
from `pages` (re-extracted with the outlet's current rules), with a new model or threshold.
reextract: rebuild every article from its stored page with the current extractor and model.
Either way an article that falls under the threshold stops being one (its URL becomes
`irrelevant`, its page stays), a page that rises above it becomes one, a changed body keeps
the old text in `article_versions`, and the stories are regrouped. All writes go through
crawler.archive.Archive under the writer lock, so a crawl cannot run at the same time.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .archive import Archive, _article_record, page_html
from .encoding import decode_page
from .extract import ExtractionError, extract_article
from .outlets import load_sources
from .run import writer_lock
from .stories import GroupingResult, regroup
from .topics import Model, Verdict, classify, load_entities, load_model

# Stored fields that are not the article's text and metadata: a rebuild leaves them alone
# (published_month is a generated column: SQLite refuses to write it).
_KEPT = ("id", "story_id", "duplicate_of", "first_seen", "last_seen", "published_month")


@dataclass
class Summary:
    scanned: int = 0
    kept: int = 0  # articles that stay articles
    updated: int = 0  # of which the body changed (reextract)
    promoted: int = 0  # irrelevant pages that became articles
    demoted: int = 0  # articles that became irrelevant
    failed: int = 0  # pages that could not be extracted (recorded in `failures`)
    grouping: GroupingResult = field(default_factory=GroupingResult)

    def line(self) -> str:
        return (f"{self.scanned} scanned: {self.kept} articles kept ({self.updated} with a new body), "
                f"{self.promoted} promoted, {self.demoted} demoted, {self.failed} failed; "
                f"{self.grouping.stories} stories, {self.grouping.duplicates} wire copies")


def _unchanged(row: dict, fields: dict) -> bool:
    record, _ = _article_record(fields)
    return all(row.get(key) == value for key, value in record.items())


def _apply(archive: Archive, summary: Summary, article: dict, verdict: Verdict, was_article: bool,
           row: dict | None = None) -> None:
    """Store one re-processed page: keep, update, promote or demote it."""
    url, source = article["url"], article["source"]
    if not verdict.relevant:
        if was_article:
            archive.demote_article(url, source, verdict.score, verdict.evidence)
            summary.demoted += 1
        else:
            archive.note_relevance(url, verdict.score, verdict.evidence)
        return
    fields = {**article, **verdict.fields()}
    if row is not None and _unchanged(row, fields):
        summary.kept += 1
        return  # nothing to write: an update would only re-index the row
    outcome = archive.rescore_article(fields)
    if outcome == "new":
        summary.promoted += 1
    else:
        summary.kept += 1
        summary.updated += outcome == "updated"


def _reextract_page(archive: Archive, summary: Summary, page: dict, row: dict | None, sources, model: Model) -> None:
    """Extract one stored page with today's rules and classify it."""
    source = sources.get(page["source"])
    try:
        if source is None:
            raise ExtractionError(f"no source file for {page['source']!r}")
        hints = {}
        if row and row.get("published_from") in ("feed", "sitemap"):  # a date only the feed knew
            hints = {"published": row["published_raw"], "from": row["published_from"]}
        article = extract_article(decode_page(page_html(page), page.get("content_type")), page["url"], source, hints)
        article.pop("canonical_link", None)  # how the page was keyed when fetched, not an article field
    except ExtractionError as exc:
        summary.failed += 1
        archive.record_failure(page["url"], page["source"], "extract", f"re-extraction: {exc}", None)
        return
    _apply(archive, summary, article, classify(article["title"], article["body"], model), row is not None, row)


def _pages(archive: Archive, states: tuple[str, ...], source: str | None):
    """Stored pages whose URL is in one of `states` (listed first, then read one at a time:
    pages are the bulk of the file, and what we write meanwhile must not change the list)."""
    sql = (f"select pages.url from pages join urls on urls.url = pages.url "
           f"where urls.state in ({', '.join('?' * len(states))})"
           + (" and pages.source = ?" if source else "") + " order by pages.url")
    urls = [row["url"] for row in archive.db.query(sql, [*states, source] if source else list(states))]
    return (next(archive.db.query("select url, source, html, content_type from pages where url = ?", [url])) for url in urls)


def _articles(archive: Archive, source: str | None = None) -> dict[str, dict]:
    sql = "select * from articles" + (" where source = ?" if source else "")
    return {row["url"]: row for row in archive.db.query(sql, [source] if source else [])}


@contextmanager
def _rewriting(db_path: str | Path, model: Model) -> Iterator[tuple[Archive, Summary]]:
    """Hold the writer lock, open the archive, and regroup the stories when done."""
    with writer_lock(db_path):
        archive = Archive(db_path)
        try:
            archive.sync_entities(load_entities())
            summary = Summary()
            yield archive, summary
            summary.grouping = regroup(archive, full=True, model=model)
        finally:
            archive.close()


def reclassify(db_path: str | Path, threshold: float | None = None, model: Model | None = None) -> Summary:
    """Re-score the whole archive with the current model (or another threshold); no fetching."""
    model = model or load_model(threshold=threshold)
    sources = load_sources()
    with _rewriting(db_path, model) as (archive, summary):
        irrelevant = _pages(archive, ("irrelevant",), None)  # listed before any article is demoted
        for row in _articles(archive).values():
            summary.scanned += 1
            article = {k: v for k, v in row.items() if k not in _KEPT}
            _apply(archive, summary, article, classify(row["title"], row["body"], model), True, row)
        for page in irrelevant:
            summary.scanned += 1
            _reextract_page(archive, summary, page, None, sources, model)
    return summary


def reextract(db_path: str | Path, source: str | None = None, model: Model | None = None) -> Summary:
    """Rebuild every article (of one source, or all) from its stored page; no fetching."""
    model = model or load_model()
    sources = load_sources()
    with _rewriting(db_path, model) as (archive, summary):
        rows = _articles(archive, source)
        for page in _pages(archive, ("archived", "irrelevant"), source):
            summary.scanned += 1
            _reextract_page(archive, summary, page, rows.get(page["url"]), sources, model)
    return summary
