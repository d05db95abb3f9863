"""Stories: one event covered by several outlets, and wire copies republished word for word.

Outlets rewrite an event in their own words, so shingle near-duplicate detection does not
group them; what rewrites share is who is named, the figures and dates, and the key terms.
Each article becomes a bag of such features (entities from the topic model, numbers
normalised so "$3.4bn" meets "$3.4 billion", economic terms, capitalised names), weighted
by TF-IDF over the archive, and an article joins the story of its most similar earlier
article published within ``WINDOW`` (cosine at least ``THRESHOLD``). Near-identical text
(Simhash, confirmed by shingle containment) is a wire copy: ``duplicate_of`` points at the
earliest copy, which it always shares a story with.

Grouping is incremental: articles that already have a story keep it, so story ids stay
stable for links; ``regroup(full=True)`` (used by ``pkus reclassify``) rebuilds every
story, reusing each old id for the new story that holds most of its articles.

What grouping reads is stored (migration m007): each article's feature bag, Simhash and time
(story_features), and each feature's document frequency (story_df), made at the next regroup
for every article the triggers queued (story_pending: inserted, changed, deleted). So a regroup
after a crawl featurises the new articles and reads only the articles within WINDOW of them,
by the index on the time; a full regroup streams the stored features in publication order.
Candidate pairs come from inverted indexes over the window (features, Simhash bands) that are
exact: every pair today's all-pairs comparison would link is still found.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter, defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import groupby
from multiprocessing import get_context

from trafilatura.deduplication import Simhash

from .archive import Archive
from .topics import Model, default_model

WINDOW = timedelta(days=4)  # follow-ups and editorials come within a few days of the event
THRESHOLD = 0.3  # cosine similarity that makes two reports one story
DUPLICATE_SIMHASH = 0.85  # candidates for wire copies ...
DUPLICATE_CONTAINMENT = 0.8  # ... confirmed when this share of the shorter text's 5-word shingles recur
FEATURES_VERSION = 1  # change with features(): the stored bags are then made again
BATCH = 2000  # articles per committed batch, and per read
PARALLEL_FROM = 20_000  # queued articles from which featurising uses every core (a back-fill, a reextract)

_NUMBER = re.compile(
    r"(?P<cur>\$|US\$|Rs\.?\s?)?(?P<num>\d+(?:[.,]\d+)*)\s*"
    r"(?P<unit>bn|billion|mn|million|m\b|trillion|tr\b|pc\b|per ?cent|percent|%|tonnes|bales|barrels)?",
    re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DATE = re.compile(r"\b(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Z][a-z]+)|(?P<m2>[A-Z][a-z]+)\.?\s+(?P<d2>\d{1,2}))\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+(?:of|and|for|the|de)?\s*[A-Z][a-z]+)+)")
_UNITS = {"bn": "b", "billion": "b", "mn": "m", "million": "m", "m": "m", "trillion": "t", "tr": "t",
          "pc": "%", "per cent": "%", "percent": "%", "%": "%", "percent ": "%"}


def numbers(text: str) -> list[str]:
    """Figures as comparable tokens: "$3.4bn" and "$3.4 billion" -> "$3.4b"; "19pc", "19 per cent" -> "19%"."""
    out = []
    for m in _NUMBER.finditer(text):
        unit = (m.group("unit") or "").lower().replace("  ", " ")
        num = m.group("num").replace(",", "")
        if not unit and not m.group("cur"):
            continue  # a bare number (a year, a count) says little on its own
        cur = "$" if m.group("cur") and "$" in m.group("cur") else ("rs" if m.group("cur") else "")
        out.append(f"{cur}{num}{_UNITS.get(unit, unit)}")
    for m in _DATE.finditer(text):
        month, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
        if month.lower() in _MONTHS:
            out.append(f"date:{month.lower()[:3]}-{int(day)}")
    return out


def features(title: str, body: str, entities: list[str], model: Model) -> Counter:
    """What rewrites of one event share: people and organisations, figures, dates, terms, names."""
    text = f"{title}\n{body}"
    bag = Counter()
    for name in entities:
        bag[f"e:{name}"] += 3  # who is involved matters most
    for token in numbers(text):
        bag[f"n:{token}"] += 2
    for term in model.economic.find(text):
        bag[f"t:{term.lower()}"] += 1
    for name in _NAME.findall(text):
        bag[f"p:{name.lower()}"] += 1
    return bag


def shingles(text: str, k: int = 5) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i:i + k])) for i in range(max(0, len(words) - k + 1))}


def _when(row: dict) -> datetime:
    value = row["published"] or row["first_seen"]
    when = datetime.fromisoformat(value)
    # a date-only "published" (the page gave no time of day) counts as that day's UTC midday
    return when if when.tzinfo else when.replace(hour=12, tzinfo=timezone.utc)


def _at(when: datetime) -> str:
    """A time as sortable text (UTC, fixed width), so the window is a range on an index."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _vocabulary(model: Model) -> str:
    """What stored features depend on besides the article: this code's version and the model's terms."""
    terms = "\n".join(sorted(model.economic.weights))
    return hashlib.sha256(f"{FEATURES_VERSION}\n{terms}".encode()).hexdigest()


def _json_list(values) -> str:
    return json.dumps(list(values))


# -- stored features: made for the queued articles (story_pending, filled by triggers) ------

def _featurise(archive: Archive, model: Model) -> tuple[set[int], list[str], list[int]]:
    """Store the features of every queued article and keep document frequencies in step.

    Returns the stories the queued articles were in, their times (old and new: where grouping
    must look again) and the queue's ids (cleared once grouping is written). Each batch commits;
    featurising an article again is harmless (its old bag is taken off before the new one counts).
    """
    conn = archive.db.conn
    vocabulary = _vocabulary(model)
    stored = conn.execute("select value from story_meta where key = 'vocabulary'").fetchone()
    if stored is None or stored[0] != vocabulary:
        with archive.transaction():
            if stored is not None:  # made with other terms or other code: make them all again
                conn.execute("insert or ignore into story_pending (article_id, story_id) "
                             "select f.article_id, a.story_id from story_features f join articles a on a.id = f.article_id")
            conn.execute("insert or replace into story_meta (key, value) values ('vocabulary', ?)", [vocabulary])
    stories, times, queued_ids = set(), [], []
    waiting = conn.execute("select count(*) from story_pending").fetchone()[0]
    workers = min(os.cpu_count() or 1, 8) if waiting >= PARALLEL_FROM else 1
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                               initargs=(model,)) if workers > 1 else None
    made: deque = deque()  # batches being featurised: (queued, rows or their future)
    try:
        for queued, rows in _queue(conn):
            made.append((queued, pool.submit(_make_all, rows) if pool else [_make(row, model) for row in rows]))
            while made and (len(made) > 2 * workers or not pool):
                _store(archive, *made.popleft(), stories, times, queued_ids)
        while made:
            _store(archive, *made.popleft(), stories, times, queued_ids)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return stories, times, queued_ids


def _queue(conn):
    """The queued articles in batches: (article id, story id) pairs, and the rows to featurise."""
    last = -1
    while queued := conn.execute("select article_id, story_id from story_pending where article_id > ? "
                                 "order by article_id limit ?", [last, BATCH]).fetchall():
        last = queued[-1][0]
        yield queued, conn.execute("select id, title, body, entities, published, first_seen from articles "
                                   "where id in (select value from json_each(?))",
                                   [_json_list(q[0] for q in queued)]).fetchall()


_MODEL: Model | None = None  # a featurising worker's model


def _start_worker(model: Model) -> None:
    global _MODEL
    _MODEL = model


def _make_all(rows: list[tuple]) -> list[tuple]:
    return [_make(row, _MODEL) for row in rows]


def _make(row: tuple, model: Model) -> tuple:
    """One article's story_features row: id, time, first_seen, bag (JSON), Simhash (signed 64 bits)."""
    article_id, title, body, entities, published, first_seen = row
    bag = features(title, body, json.loads(entities) if entities else [], model)
    simhash = Simhash(body).hash
    return (article_id, _at(_when({"published": published, "first_seen": first_seen})), first_seen,
            json.dumps(bag), simhash - (simhash >> 63 << 64))


def _store(archive: Archive, queued: list[tuple], made, stories: set[int], times: list[str],
           queued_ids: list[int]) -> None:
    """Replace one batch's stored features and move the document frequencies by the difference."""
    conn = archive.db.conn
    made = made if isinstance(made, list) else made.result()
    ids = _json_list(q[0] for q in queued)
    queued_ids.extend(q[0] for q in queued)
    stories.update(q[1] for q in queued if q[1] is not None)
    df = Counter()
    for at, bag in conn.execute("select at, bag from story_features where article_id in "
                                "(select value from json_each(?))", [ids]):
        times.append(at)
        df.subtract(json.loads(bag).keys())
    for row in made:
        times.append(row[1])
        df.update(json.loads(row[3]).keys())  # document frequency: one per article, however often named
    stories.update(row[0] for row in conn.execute(
        "select story_id from articles where story_id is not null and id in (select value from json_each(?))", [ids]))
    with archive.transaction():
        conn.execute("delete from story_features where article_id in (select value from json_each(?))", [ids])
        conn.executemany("insert into story_features (article_id, at, first_seen, bag, simhash) "
                         "values (?, ?, ?, ?, ?)", made)
        conn.executemany("insert into story_df (feature, articles) values (?, ?) on conflict (feature) "
                         "do update set articles = articles + excluded.articles", [kv for kv in df.items() if kv[1]])
        conn.executemany("delete from story_df where feature = ? and articles <= 0",
                         [(f,) for f, n in df.items() if n < 0])


class _Frequencies:
    """Document frequencies from story_df, looked up for the features at hand (cached)."""

    def __init__(self, conn):
        self.conn = conn
        self.articles = conn.execute("select count(*) from story_features").fetchone()[0]
        self.known: dict[str, int] = {}

    def load(self, names: set[str]) -> None:
        missing = [f for f in names if f not in self.known]
        if len(self.known) > 1_000_000:
            self.known.clear()
            missing = list(names)
        for i in range(0, len(missing), 20_000):
            chunk = missing[i:i + 20_000]
            self.known.update(dict.fromkeys(chunk, 0))
            self.known.update(self.conn.execute("select feature, articles from story_df where feature in "
                                                "(select value from json_each(?))", [json.dumps(chunk)]))


# -- the sweep: articles in publication order, each compared with the window before it -----

@dataclass(slots=True)
class _Article:
    pos: int
    id: int
    at: str
    since: str  # start of its window: at - WINDOW
    vector: dict[str, float]
    norm: float
    indexed: list[str]  # the features a match must share (prefix filtering, see _index_keys)
    simhash: int
    fresh: bool  # compared with every article in its window (no story yet, or a full regroup)
    recheck: bool  # its whole window is loaded: look for the copy it is of


def cosine(a: _Article, b: _Article) -> float:
    small, large = (a, b) if len(a.vector) < len(b.vector) else (b, a)
    dot = sum(v * large.vector.get(f, 0.0) for f, v in small.vector.items())
    return dot / (a.norm * b.norm)


def _index_keys(vector: dict[str, float], norm: float, df: dict[str, int]) -> list[str]:
    """Exact candidate pruning (prefix filtering): leave out of the index the commonest features
    while their share of the vector's length stays under THRESHOLD. Two articles with cosine >=
    THRESHOLD then always share an indexed feature of the earlier one, so the index finds every
    pair that matters while the features every article has (long lists, low weight) stay out."""
    limit = (THRESHOLD - 1e-9) ** 2 * norm * norm
    total, keys = 0.0, []
    for f in sorted(vector, key=lambda f: (-df[f], f)):
        total += vector[f] * vector[f]
        if total >= limit:
            keys.append(f)
    return keys


_BANDS = ((0, 13), (13, 13), (26, 13), (39, 13), (52, 12))  # 64 bits
_MAX_DISTANCE = int(64 * (1 - DUPLICATE_SIMHASH) + 1e-9)  # bits two copies' Simhashes may differ in
assert _MAX_DISTANCE < 2 * len(_BANDS)  # then copies agree on one band but at most one bit: _near finds them


def _bands(simhash: int) -> list[tuple[int, int]]:
    return [(i, (simhash >> shift) & ((1 << width) - 1)) for i, (shift, width) in enumerate(_BANDS)]


def _near(simhash: int) -> list[tuple[int, int]]:
    """The band keys of every Simhash within one bit of this one on some band."""
    keys = []
    for i, value in _bands(simhash):
        keys.append((i, value))
        keys.extend((i, value ^ (1 << bit)) for bit in range(_BANDS[i][1]))
    return keys


class _Sweep:
    """Union-find over the articles read, in publication order, with a sliding window indexed by
    feature (for similar reports) and by Simhash band (for wire copies)."""

    def __init__(self, archive: Archive, full: bool):
        self.conn = archive.db.conn
        self.full = full
        self.ids: list[int] = []
        self.story: list[int | None] = []  # stored story and original, and the original found now
        self.stored_copy: list[int | None] = []
        self.copy: list[int | None] = []
        self.parent: list[int] = []
        self.first_of_story: dict[int, int] = {}
        self.window: deque[_Article] = deque()
        self.live: dict[int, _Article] = {}
        self.by_feature: dict[str, deque[int]] = defaultdict(deque)
        self.fresh_by_feature: dict[str, deque[int]] = defaultdict(deque)
        self.by_band: dict[tuple[int, int], deque[int]] = defaultdict(deque)
        self.shingles: dict[int, set[int]] = {}

    def root(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.root(x), self.root(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)  # positions follow publication order: the earliest is the root

    def add(self, article: _Article, story_id: int | None, stored_copy: int | None) -> None:
        pos = article.pos
        self.ids.append(article.id)
        self.story.append(story_id)
        self.stored_copy.append(stored_copy)
        self.parent.append(pos)
        while self.window and self.window[0].at < article.since:
            del self.live[self.window.popleft().pos]
        start = self.window[0].pos if self.window else pos
        if story_id is not None and not self.full:
            self.union(pos, self.first_of_story.setdefault(story_id, pos))
        self.copy.append(self._copy_of(article, start) if article.recheck else stored_copy)
        index = self.by_feature if article.fresh else self.fresh_by_feature
        candidates = set()
        for f, weight in article.vector.items():
            postings = index.get(f)
            if postings and weight:
                while postings and postings[0] < start:
                    postings.popleft()
                candidates.update(postings)
        for other in candidates:
            if cosine(article, self.live[other]) >= THRESHOLD:
                self.union(pos, other)
        for f in article.indexed:
            self.by_feature[f].append(pos)
            if article.fresh and not self.full:
                self.fresh_by_feature[f].append(pos)
        for key in _bands(article.simhash):
            self.by_band[key].append(pos)
        self.window.append(article)
        self.live[pos] = article

    def _copy_of(self, article: _Article, start: int) -> int | None:
        """The earliest article in the window whose text this one repeats: its original's id."""
        candidates = set()
        for key in _near(article.simhash):
            postings = self.by_band.get(key)
            if postings:
                while postings and postings[0] < start:
                    postings.popleft()
                candidates.update(postings)
        for other in sorted(candidates):
            b = self.live[other]
            if (64 - (article.simhash ^ b.simhash).bit_count()) / 64 >= DUPLICATE_SIMHASH and \
                    _contained(self._shingles(article.id), self._shingles(b.id)):
                self.union(article.pos, other)
                return self.copy[other] or b.id
        return None

    def _shingles(self, article_id: int) -> set[int]:
        if article_id not in self.shingles:
            if len(self.shingles) > 10_000:
                self.shingles.clear()
            body = self.conn.execute("select body from articles where id = ?", [article_id]).fetchone()[0]
            self.shingles[article_id] = shingles(body)
        return self.shingles[article_id]


def _contained(sa: set[int], sb: set[int]) -> bool:
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= DUPLICATE_CONTAINMENT


def _spans(times: list[str]) -> list[tuple[str, str]]:
    """The stretches of time within WINDOW of any of these times, merged."""
    spans: list[list[str]] = []
    for at in sorted(times):
        when = datetime.fromisoformat(at).replace(tzinfo=timezone.utc)
        lo, hi = _at(when - WINDOW), _at(when + WINDOW)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return [(lo, hi) for lo, hi in spans]


_READ = ("select f.article_id, f.at, f.bag, f.simhash, a.story_id, a.duplicate_of from story_features f "
         "join articles a on a.id = f.article_id {where} order by f.at, f.first_seen, f.article_id")


def _read(archive: Archive, sweep: _Sweep, df: _Frequencies, where: str, params: list, edge: str | None) -> None:
    """Feed the sweep the articles `where` selects, in publication order; those at least WINDOW
    after `edge` (the start of what is read) have their whole window loaded."""
    cursor = archive.db.conn.execute(_READ.format(where=where), params)
    n = df.articles
    while rows := cursor.fetchmany(BATCH):
        bags = [json.loads(row[2]) for row in rows]
        df.load({f for bag in bags for f in bag})
        known = df.known
        for (article_id, at, _, simhash, story_id, duplicate_of), bag in zip(rows, bags):
            vector = {f: (1 + math.log(c)) * math.log((1 + n) / (1 + known[f])) for f, c in bag.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            since = _at(datetime.fromisoformat(at).replace(tzinfo=timezone.utc) - WINDOW)
            sweep.add(_Article(len(sweep.ids), article_id, at, since, vector, norm, _index_keys(vector, norm, known),
                               simhash & ((1 << 64) - 1), sweep.full or story_id is None,
                               edge is None or since >= edge), story_id, duplicate_of)


# -- regrouping ---------------------------------------------------------------------------------

@dataclass
class GroupingResult:
    articles: int = 0
    stories: int = 0
    assigned: int = 0  # articles given a story in this run
    duplicates: int = 0
    read: int = 0  # stored articles compared in this run (the windows around the new ones)


def regroup(archive: Archive, full: bool = False, model: Model | None = None) -> GroupingResult:
    """Give every article a story and mark wire copies; write through the archive in batches.

    Stories are the connected groups of "same event" links (single linkage): two articles
    within WINDOW of each other whose similarity reaches THRESHOLD, or a copy and its
    original. Incrementally (``full=False``) articles keep their stories and only articles
    without one are compared, so a routine run reads only the articles within WINDOW of the
    new (or changed) ones; a new article that links two stories merges them into the older one.
    A full regroup streams the whole archive in publication order.
    """
    model = model or default_model()
    conn = archive.db.conn
    touched, times, queued = _featurise(archive, model)
    df = _Frequencies(conn)
    sweep = _Sweep(archive, full)
    if full:
        _read(archive, sweep, df, "", [], None)
    else:
        times += [row[0] for row in conn.execute(
            "select f.at from articles a join story_features f on f.article_id = a.id where a.story_id is null")]
        for lo, hi in _spans(times):
            _read(archive, sweep, df, "where f.at between ? and ?", [lo, hi], lo)
    roots = [sweep.root(pos) for pos in range(len(sweep.ids))]
    ids, absorbed = _number_stories(archive, sweep, roots)
    moved = _write_links(archive, sweep, roots, ids, absorbed)
    stories = None if full else set(ids.values()) | touched | set(absorbed)
    _write_summaries(archive, stories, queued)
    count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return GroupingResult(count("select count(*) from story_features"), count("select count(*) from stories"), moved,
                          count("select count(*) from articles where duplicate_of is not null"), len(sweep.ids))


def _number_stories(archive: Archive, sweep: _Sweep, roots: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Story ids stay stable: each old id goes to the group holding most of its articles
    (the oldest id when a group merged several); new groups get new ids. Returns the id of each
    group (by its root) and, incrementally, the old stories merged into another (old id -> new)."""
    size: Counter = Counter()
    votes: dict[int, Counter] = defaultdict(Counter)
    for pos, key in enumerate(roots):
        size[key] += 1  # insertion order: groups in the order of their first article
        if sweep.story[pos] is not None:
            votes[key][sweep.story[pos]] += 1
    if not sweep.full:  # a group holds the whole of each old story it touches, read or not
        whole = dict(archive.db.conn.execute(
            "select story_id, count(*) from articles where story_id in (select value from json_each(?)) "
            "group by story_id", [_json_list({s for s in sweep.story if s is not None})]))
        for key, held in votes.items():
            size[key] += sum(whole.get(sid, 0) - n for sid, n in held.items())
            votes[key] = Counter({sid: whole.get(sid, 0) for sid in held})
    ids, taken = {}, set()
    for key in sorted(size, key=lambda k: -size[k]):
        ranked = sorted(votes[key].items(), key=lambda kv: (-kv[1], kv[0]))
        reuse = next((sid for sid, _ in ranked if sid not in taken), None)
        if reuse is not None:
            ids[key] = reuse
            taken.add(reuse)
    next_id = max([archive.max_story_id(), *taken], default=0) + 1
    for key in size:
        if key not in ids:
            ids[key] = next_id
            next_id += 1
    absorbed = {} if sweep.full else {sid: ids[key] for key, held in votes.items() for sid in held if sid != ids[key]}
    return ids, absorbed


def _write_links(archive: Archive, sweep: _Sweep, roots: list[int], ids: dict[int, int],
                 absorbed: dict[int, int]) -> int:
    """Each article's story and original, only where they changed (an update re-indexes the
    article's FTS row), in batches; then the unread members of stories merged into another."""
    conn = archive.db.conn
    changed = [(ids[key], sweep.copy[pos], sweep.ids[pos]) for pos, key in enumerate(roots)
               if (ids[key], sweep.copy[pos]) != (sweep.story[pos], sweep.stored_copy[pos])]
    for i in range(0, len(changed), BATCH):
        with archive.transaction():
            conn.executemany("update articles set story_id = ?, duplicate_of = ? where id = ?", changed[i:i + BATCH])
    moved = sum(1 for pos, key in enumerate(roots) if ids[key] != sweep.story[pos])
    with archive.transaction():
        for old, new in absorbed.items():
            moved += conn.execute("update articles set story_id = ? where story_id = ?", [new, old]).rowcount
    return moved


_MEMBERS = ("select a.story_id, a.id, a.source, a.title, a.published, a.first_seen, a.duplicate_of from articles a "
            "join story_features f on f.article_id = a.id where {where} order by a.story_id, f.at, f.first_seen, a.id")
_UPSERT = ("insert into stories (id, title, first_published, last_published, first_seen, last_seen, outlets, "
           "article_count) values (:id, :title, :first_published, :last_published, :first_seen, :last_seen, "
           ":outlets, :article_count) on conflict (id) do update set title = excluded.title, "
           "first_published = excluded.first_published, last_published = excluded.last_published, "
           "first_seen = excluded.first_seen, last_seen = excluded.last_seen, outlets = excluded.outlets, "
           "article_count = excluded.article_count where (title, first_published, last_published, first_seen, "
           "last_seen, outlets, article_count) is not (excluded.title, excluded.first_published, "
           "excluded.last_published, excluded.first_seen, excluded.last_seen, excluded.outlets, excluded.article_count)")


@dataclass(slots=True)
class _Member:
    story_id: int
    id: int
    source: str
    title: str
    published: str | None
    first_seen: str
    duplicate_of: int | None


def _write_summaries(archive: Archive, stories: set[int] | None, queued: list[int]) -> None:
    """Story rows for these stories (every story, when None), written where they changed, in
    batches; stories left empty go, and the queue of featurised articles is cleared last."""
    conn = archive.db.conn
    if stories is None:
        stories = {row[0] for row in conn.execute("select distinct story_id from articles where story_id is not null")}
        gone = [row[0] for row in conn.execute("select id from stories where id not in "
                                               "(select story_id from articles where story_id is not null)")]
    else:
        gone = []
    listed = sorted(stories)
    for i in range(0, len(listed), BATCH):
        chunk = listed[i:i + BATCH]
        rows = conn.execute(_MEMBERS.format(where="a.story_id in (select value from json_each(?))"),
                            [_json_list(chunk)]).fetchall()
        held = set()
        with archive.transaction():
            for story_id, group in groupby((_Member(*row) for row in rows), key=lambda m: m.story_id):
                held.add(story_id)
                conn.execute(_UPSERT, {"id": story_id, **_summary(list(group))})
        gone += [sid for sid in chunk if sid not in held]
    with archive.transaction():
        for i in range(0, len(gone), BATCH):
            conn.execute("delete from stories where id in (select value from json_each(?))", [_json_list(gone[i:i + BATCH])])
        for i in range(0, len(queued), BATCH):
            conn.execute("delete from story_pending where article_id in (select value from json_each(?))",
                         [_json_list(queued[i:i + BATCH])])


def update_stories(db_path) -> GroupingResult:
    """Group what the last crawl added (run after each crawl, inside the writer lock)."""
    archive = Archive(db_path)
    try:
        return regroup(archive)
    finally:
        archive.close()


def _summary(group: list[_Member]) -> dict:
    """The story row: its earliest original's headline, dates, outlets and size."""
    lead = next((a for a in group if a.duplicate_of is None), group[0])
    published = sorted(a.published for a in group if a.published)
    seen = sorted(a.first_seen for a in group)
    return {
        "title": lead.title,
        "first_published": published[0] if published else None,
        "last_published": published[-1] if published else None,
        "first_seen": seen[0],
        "last_seen": seen[-1],
        "outlets": json.dumps(sorted({a.source for a in group})),
        "article_count": len(group),
    }
