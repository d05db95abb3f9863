"""Turn what a reader types into a valid SQLite FTS5 query.

Datasette's ``searchmode: raw`` passes the search box straight to FTS5, so phrases
(``"Reko Diq"``), ``AND``/``OR``/``NOT``, prefixes (``tarif*``) and column filters work, but a
stray quote or bracket raises a syntax error. Its escaped mode never errors but quotes every
word, so phrases, operators and prefixes stop working. :func:`fts_query` keeps a query FTS5
accepts as it is, and repairs one it would reject: phrases are closed, prefixes kept,
operators kept only between two terms, brackets and other punctuation dropped.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from ..archive import FTS_COLUMNS

OPERATORS = ("AND", "OR", "NOT")
NOTHING = '""'  # an empty phrase: valid FTS5 that matches no row
_TOKEN = re.compile(r'"[^"]*(?:"|$)\*?|[^\s"]+')


@lru_cache(maxsize=1024)
def is_valid(query: str) -> bool:
    """Does FTS5 accept ``query``? Checked against an empty table with the archive's columns."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"create virtual table probe using fts5({', '.join(FTS_COLUMNS)}, tokenize='porter')")
        conn.execute("select count(*) from probe where probe match ?", [query]).fetchone()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _term(text: str, prefix: bool) -> str | None:
    text = text.replace('"', "").strip()
    if not re.search(r"\w", text):
        return None  # only punctuation: FTS5 would find no token in it
    return f'"{text}"' + ("*" if prefix else "")


def repair(query: str) -> str:
    """Rebuild ``query`` from its phrases, words and operators; the result is always valid."""
    parts: list[str] = []
    for token in _TOKEN.findall(query):
        if token in OPERATORS:
            if parts and parts[-1] not in OPERATORS:
                parts.append(token)
            continue
        prefix = token.endswith("*")
        term = _term(token.rstrip("*").strip("()") if not token.startswith('"') else token.rstrip("*"), prefix)
        if term:
            parts.append(term)
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    return " ".join(parts) or NOTHING


def fts_query(query: str | None) -> str:
    """A valid FTS5 query for ``query`` (``""``, which matches nothing, for an empty one)."""
    query = (query or "").strip()
    if not query:
        return NOTHING
    if is_valid(query):
        return query
    repaired = repair(query)
    return repaired if is_valid(repaired) else NOTHING
