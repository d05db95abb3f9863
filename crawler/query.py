"""The archive's one search language, turned into SQLite FTS5 queries.

The web search page, ``pkus search``, the Atom feed, Datasette's ``?_search=`` and the canned
queries' ``pkus_fts()`` all read what a reader types through :func:`parse`:

- words (``tariff``; stemmed, so ``tariffs`` matches too) and ``"phrases in quotes"``;
- prefixes: ``invest*`` (at least :data:`MIN_PREFIX` letters; shorter ones are whole words);
- ``AND`` (also implied between terms), ``OR``, ``NOT`` and ``-word``, in capitals, with
  ``(brackets)``; ``NOT`` binds tightest, then ``AND``, then ``OR``, as in FTS5;
- column filters: ``title:lutnick``, ``title:"reko diq"``, ``title:(IMF OR tariff)``, for the
  indexed columns (``title``, ``description``, ``body``, ``tags``);
- ``NEAR(a b, 10)`` and ``^word`` (first word of a column), as FTS5 has them.

Nothing raises: a stray quote closes at the end, a dangling operator or bracket is dropped,
punctuation inside a word is the tokenizer's business (``US-Pakistan`` is the phrase "us
pakistan"), ``NOT`` with nothing before it keeps its word, an unknown ``column:`` is part of
the word. Every term is written quoted, so no word can be read as FTS5 syntax; the result is
checked against FTS5 itself before use.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

from .archive import FTS_COLUMNS

NOTHING = '""'  # an empty phrase: valid FTS5 that matches no row
MIN_PREFIX = 3  # "a*" would expand to every word in the index: slow and useless
MAX_TERMS = 64  # far beyond any real search; keeps FTS5 clear of its expression-depth limit
OPERATORS = ("AND", "OR", "NOT")
# a token: a phrase (closed or running to the end) with an optional *, a bracket, or a run of anything else
_TOKEN = re.compile(r'"[^"]*(?:"|$)\*?|[()]|[^\s()"]+')
_COLUMN = re.compile(rf"^({'|'.join(FTS_COLUMNS)}):(.*)$", re.IGNORECASE)
_NEAR_DISTANCE = re.compile(r"^,?(\d+)$")


# -- the tree a query parses into --------------------------------------------------------------

@dataclass
class Term:
    text: str
    phrase: bool = False  # typed in quotes
    prefix: bool = False
    initial: bool = False  # ^word: the first word of a column

    def fts(self) -> str:
        return ("^" if self.initial else "") + '"' + self.text + '"' + ("*" if self.prefix else "")

    def shown(self) -> str:
        text = f'"{self.text}"' if self.phrase else self.text
        return ("^" if self.initial else "") + text + ("*" if self.prefix else "")


@dataclass
class Near:
    terms: list[Term]
    distance: int | None = None

    def fts(self) -> str:
        return "NEAR(" + " ".join(t.fts() for t in self.terms) + (f", {self.distance}" if self.distance else "") + ")"

    def shown(self) -> str:
        return "NEAR(" + " ".join(t.shown() for t in self.terms) + (f", {self.distance}" if self.distance else "") + ")"


@dataclass
class Column:
    name: str
    node: object

    def fts(self) -> str:
        inner = self.node.fts()
        return f"{self.name}:" + (inner if isinstance(self.node, (Term, Near)) else f"({inner})")

    def shown(self) -> str:
        inner = self.node.shown()
        return f"{self.name}:" + (inner if isinstance(self.node, (Term, Near)) else f"({inner})")


@dataclass
class And:
    nodes: list = field(default_factory=list)
    excluded: list = field(default_factory=list)  # NOT x / -x

    def fts(self) -> str:
        text = " AND ".join(_wrap(n) for n in self.nodes)
        if self.excluded and len(self.nodes) > 1:
            text = f"({text})"
        return text + "".join(" NOT " + _wrap(n) for n in self.excluded)

    def shown(self) -> str:
        return " ".join(_wrap(n, shown=True) for n in self.nodes) + "".join(
            " NOT " + _wrap(n, shown=True) for n in self.excluded)


@dataclass
class Or:
    nodes: list

    def fts(self) -> str:
        return " OR ".join(_wrap(n) for n in self.nodes)

    def shown(self) -> str:
        return " OR ".join(_wrap(n, shown=True) for n in self.nodes)


def _wrap(node, shown: bool = False) -> str:
    """A child's text; groups are bracketed, so precedence never depends on FTS5's rules."""
    text = node.shown() if shown else node.fts()
    return f"({text})" if isinstance(node, (And, Or)) else text


# -- parsing -------------------------------------------------------------------------------------

class _Parser:
    """Recursive descent over the tokens; every rule gives up gracefully instead of raising."""

    def __init__(self, text: str):
        self.tokens = _TOKEN.findall(text)
        self.pos = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self):
        nodes = []
        while self.peek() is not None:
            node = self.or_expr()
            if node is not None:
                nodes.append(node)
            elif self.peek() is not None:
                self.take()  # a stray ")" or operator at the top: skip it
        return _simplify(And(nodes)) if nodes else None

    def or_expr(self):
        nodes = [n for n in [self.and_expr()] if n is not None]
        while self.peek() == "OR":
            self.take()
            node = self.and_expr()
            if node is not None:
                nodes.append(node)
        return _simplify(Or(nodes)) if len(nodes) > 1 else (nodes[0] if nodes else None)

    def and_expr(self):
        group = And()
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            negate = False
            if token in ("AND", "NOT"):
                self.take()
                negate = token == "NOT"
            elif token == "-":  # -"a phrase", -(a group)
                self.take()
                negate = True
            elif token.startswith("-"):
                self.tokens[self.pos] = token[1:]
                negate = True
            if self.peek() in (None, "OR", ")", "AND", "NOT"):
                continue  # an operator with nothing after it
            node = self.unary()
            if node is None:
                continue
            # NOT needs something to subtract from: alone, its word is searched
            (group.excluded if negate and group.nodes else group.nodes).append(node)
        if not group.nodes:
            return None
        return _simplify(group)

    def unary(self):
        token = self.take()
        if token == "(":
            inner = self.or_expr()
            if self.peek() == ")":
                self.take()
            return inner
        if token == ")":
            return None
        if token == "NEAR" and self.peek() == "(":
            return self.near()
        column = _COLUMN.match(token) if not token.startswith('"') else None
        if column:
            name, rest = column.group(1).lower(), column.group(2)
            if rest:
                self.tokens[self.pos - 1] = rest
                self.pos -= 1
            elif self.peek() in (None, ")", "OR", "AND", "NOT"):
                return None  # "title:" with nothing after it
            node = self.unary()
            return Column(name, node) if node is not None else None
        return self.term(token)

    def near(self):
        self.take()  # "("
        terms, distance, comma = [], None, False
        while (token := self.peek()) is not None and token != ")":
            self.take()
            found = _NEAR_DISTANCE.match(token)
            if found and (comma or token.startswith(",")):
                distance = int(found.group(1))
                continue
            comma = token.endswith(",")
            term = self.term(token.strip(","))
            if isinstance(term, Term):
                term.initial = False  # FTS5 takes no ^ inside NEAR()
                terms.append(term)
        if self.peek() == ")":
            self.take()
        if len(terms) < 2:
            return terms[0] if terms else None
        return Near(terms, distance)

    def term(self, token: str):
        if self.terms >= MAX_TERMS:
            return None
        phrase = token.startswith('"')
        prefix = token.endswith("*")
        initial = token.startswith("^")
        text = token.lstrip("^").rstrip("*")
        text = text.replace('"', " ").strip()
        if not re.search(r"\w", text):
            return None  # only punctuation: FTS5 would find no token in it
        if prefix and len(re.sub(r"\W", "", text)) < MIN_PREFIX:
            prefix = False
        self.terms += 1
        return Term(" ".join(text.split()), phrase=phrase, prefix=prefix, initial=initial)


def _simplify(node):
    """Flatten an And/Or holding a single child, and nested groups of the same kind."""
    if isinstance(node, And):
        flat = []
        for child in node.nodes:
            flat.extend(child.nodes if isinstance(child, And) and not child.excluded else [child])
        node.nodes = flat
        return node.nodes[0] if len(node.nodes) == 1 and not node.excluded else node
    if isinstance(node, Or):
        flat = []
        for child in node.nodes:
            flat.extend(child.nodes if isinstance(child, Or) else [child])
        node.nodes = flat
        return node.nodes[0] if len(node.nodes) == 1 else node
    return node


# -- what the rest of the project uses -----------------------------------------------------------

@dataclass
class Query:
    """A parsed search: ``fts`` for ``MATCH`` (None when nothing searchable was typed)."""

    typed: str
    tree: object | None

    @property
    def fts(self) -> str | None:
        if self.tree is None:
            return None
        text = self.tree.fts()
        return text if is_valid(text) else _fallback(self.tree)

    @property
    def shown(self) -> str:
        """The query as it was understood, in the reader's own syntax."""
        return self.tree.shown() if self.tree is not None else ""

    def terms(self) -> list[Term]:
        """Every word and phrase that counts for a match (the excluded ones left out)."""
        found: list[Term] = []

        def walk(node):
            if isinstance(node, Term):
                found.append(node)
            elif isinstance(node, Near):
                found.extend(node.terms)
            elif isinstance(node, Column):
                walk(node.node)
            elif isinstance(node, (And, Or)):
                for child in node.nodes:
                    walk(child)

        walk(self.tree)
        return found

    def broader(self) -> list[tuple[str, str]]:
        """Looser searches to suggest when this one finds nothing: (what changes, the query)."""
        words = [(f'"{t.text}"' if " " in t.text and not t.phrase else t.text) + ("*" if t.prefix else "")
                 for t in self.terms()]
        suggestions = []
        if len(words) > 1:
            suggestions.append(("any of the words", " OR ".join(words)))
        suggestions.append(("all the words, anywhere, in any order", " ".join(words)))
        long_words = [w for w in words if len(w) >= 6 and w.isalnum()]
        if long_words:  # a misspelt name ("Aurangzaib") often shares its beginning with the right one
            suggestions.append(("words beginning the same",
                                " ".join(f"{w[:max(MIN_PREFIX, len(w) - 3)]}*" if w in long_words else w for w in words)))
        seen = {self.shown}
        return [(label, q) for label, q in suggestions if not (q in seen or seen.add(q))]


def parse(text: str | None) -> Query:
    text = (text or "").strip()
    return Query(text, _Parser(text).parse() if text else None)


def fts_query(text: str | None) -> str:
    """A valid FTS5 query for what was typed (``""``, which matches nothing, when nothing searchable was)."""
    return parse(text).fts or NOTHING


def _fallback(tree) -> str:
    """Should the tree ever print as something FTS5 rejects: all its words, ANDed."""
    words = " ".join(t.fts() for t in Query("", tree).terms() if not t.initial)
    return words if words and is_valid(words) else NOTHING


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
