"""Read-only copies of archive.db, taken while crawls write: for crawl nodes and Datasette replicas.

A file copy of a database that is being written can be torn; SQLite's backup API copies
a consistent moment of it (one read transaction: WAL readers never block the writer).
The copy is switched out of WAL mode, so it is one self-contained file that readers can
open read-only, from a read-only directory, with no ``-wal``/``-shm`` files beside it. It
is written beside the destination and renamed into place, so a reader sees the old
snapshot or the new one, never half of one.

``urls_only`` is what crawl nodes need: the spider's "have we got this?" reads only the
``urls`` table (state, dates, validators, retries), a few hundred bytes per URL where
articles and their pages are tens of kilobytes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .archive import connect


def take_snapshot(db_path: str | Path, dest: str | Path, urls_only: bool = False) -> Path:
    """Write a consistent, read-only-friendly copy of the archive to ``dest``; returns ``dest``."""
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.exists():
        raise FileNotFoundError(f"no archive at {db_path} (run `pkus crawl` or `pkus ingest` first)")
    connect(db_path).conn.close()  # migrated, so a snapshot of an old archive has today's schema
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        if urls_only:
            _copy_urls(db_path, tmp)
        else:
            source = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # all pages in one step: one consistent moment
                target.execute("pragma journal_mode = delete")
            finally:
                target.close()
                source.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, dest)
    return dest


def _copy_urls(db_path: Path, tmp: Path) -> None:
    """The ``urls`` table alone, with its schema and indexes; one statement reads the archive."""
    target = sqlite3.connect(tmp.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        target.execute("attach database ? as archive", [db_path.resolve().as_uri() + "?mode=ro"])
        schema = [sql for (sql,) in target.execute(
            "select sql from archive.sqlite_master where tbl_name = 'urls' and sql is not null "
            "order by type desc")]  # the table before its indexes
        target.execute("begin")
        for sql in schema:
            target.execute(sql)
        target.execute("insert into main.urls select * from archive.urls")
        target.execute("commit")
        target.execute("detach database archive")
    finally:
        target.close()
