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
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from trafilatura.deduplication import Simhash

from .archive import Archive
from .topics import Model, default_model

WINDOW = timedelta(days=4)  # follow-ups and editorials come within a few days of the event
THRESHOLD = 0.3  # cosine similarity that makes two reports one story
DUPLICATE_SIMHASH = 0.85  # candidates for wire copies ...
DUPLICATE_CONTAINMENT = 0.8  # ... confirmed when this share of the shorter text's 5-word shingles recur

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


@dataclass
class _Article:
    id: int
    source: str
    title: str
    when: datetime
    published: str | None
    first_seen: str
    story_id: int | None
    bag: Counter
    body: str
    simhash: Simhash
    vector: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    duplicate_of: int | None = None
    _shingles: set[int] | None = None

    @property
    def shingles(self) -> set[int]:
        if self._shingles is None:
            self._shingles = shingles(self.body)
        return self._shingles


def _when(row: dict) -> datetime:
    value = row["published"] or row["first_seen"]
    when = datetime.fromisoformat(value)
    # a date-only "published" (the page gave no time of day) counts as that day's UTC midday
    return when if when.tzinfo else when.replace(hour=12, tzinfo=timezone.utc)


def _load(db, model: Model) -> list[_Article]:
    rows = db.query("select id, source, title, body, entities, published, first_seen, story_id from articles")
    articles = []
    for row in rows:
        entities = json.loads(row["entities"]) if row["entities"] else []
        articles.append(_Article(row["id"], row["source"], row["title"], _when(row), row["published"],
                                 row["first_seen"], row["story_id"],
                                 features(row["title"], row["body"], entities, model), row["body"],
                                 Simhash(row["body"])))
    articles.sort(key=lambda a: (a.when, a.first_seen, a.id))
    return articles


def _weigh(articles: list[_Article]) -> None:
    """TF-IDF over the whole archive: a figure or name that every article has says nothing."""
    df = Counter(f for a in articles for f in a.bag)
    n = len(articles)
    for a in articles:
        a.vector = {f: (1 + math.log(c)) * math.log((1 + n) / (1 + df[f])) for f, c in a.bag.items()}
        a.norm = math.sqrt(sum(v * v for v in a.vector.values())) or 1.0


def cosine(a: _Article, b: _Article) -> float:
    small, large = (a, b) if len(a.vector) < len(b.vector) else (b, a)
    dot = sum(v * large.vector.get(f, 0.0) for f, v in small.vector.items())
    return dot / (a.norm * b.norm)


def _is_copy(a: _Article, b: _Article) -> bool:
    if a.simhash.similarity(b.simhash) < DUPLICATE_SIMHASH:
        return False
    sa, sb = a.shingles, b.shingles
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= DUPLICATE_CONTAINMENT


@dataclass
class GroupingResult:
    articles: int = 0
    stories: int = 0
    assigned: int = 0  # articles given a story in this run
    duplicates: int = 0


def regroup(archive: Archive, full: bool = False, model: Model | None = None) -> GroupingResult:
    """Give every article a story and mark wire copies; write through the archive (one transaction).

    Stories are the connected groups of "same event" links (single linkage): two articles
    within WINDOW of each other whose similarity reaches THRESHOLD, or a copy and its
    original. Incrementally (``full=False``) articles keep their stories and only articles
    without one are compared, so a routine run costs little; a new article that links two
    stories merges them into the older one.
    """
    model = model or default_model()
    articles = _load(archive.db, model)
    _weigh(articles)
    old_story = {a.id: a.story_id for a in articles}
    parent = {a.id: a.id for a in articles}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)

    if not full:
        first_of_story: dict[int, int] = {}
        for a in articles:
            if a.story_id is not None:
                union(a.id, first_of_story.setdefault(a.story_id, a.id))
    start = 0
    for i, a in enumerate(articles):  # publication order: each article looks back over the window
        while articles[start].when < a.when - WINDOW:
            start += 1
        for b in articles[start:i]:
            if _is_copy(a, b):
                a.duplicate_of = b.duplicate_of or b.id  # the earliest copy
                union(a.id, b.id)
                break
        for b in articles[start:i]:
            if (full or a.story_id is None or b.story_id is None) and cosine(a, b) >= THRESHOLD:
                union(a.id, b.id)
    members: dict[int, list[_Article]] = defaultdict(list)
    for a in articles:
        members[root(a.id)].append(a)
    ids = _number_stories(archive, members, old_story)
    archive.write_stories([
        {"id": ids[key], "articles": [(a.id, a.duplicate_of) for a in group], **_summary(group)}
        for key, group in members.items()
    ])
    moved = sum(1 for key, group in members.items() for a in group if ids[key] != old_story[a.id])
    return GroupingResult(len(articles), len(members), moved, sum(1 for a in articles if a.duplicate_of))


def _number_stories(archive: Archive, members: dict[int, list[_Article]], old_story: dict[int, int | None]) -> dict:
    """Story ids stay stable: each old id goes to the group holding most of its articles
    (the oldest id when a group merged several); new groups get new ids."""
    ids, taken = {}, set()
    votes = {key: Counter(old_story[a.id] for a in group if old_story[a.id] is not None)
             for key, group in members.items()}
    for key in sorted(members, key=lambda k: -len(members[k])):
        ranked = sorted(votes[key].items(), key=lambda kv: (-kv[1], kv[0]))
        reuse = next((sid for sid, _ in ranked if sid not in taken), None)
        if reuse is not None:
            ids[key] = reuse
            taken.add(reuse)
    next_id = max([archive.max_story_id(), *taken], default=0) + 1
    for key in members:
        if key not in ids:
            ids[key] = next_id
            next_id += 1
    return ids


def update_stories(db_path) -> GroupingResult:
    """Group what the last crawl added (run after each crawl, inside the writer lock)."""
    archive = Archive(db_path)
    try:
        return regroup(archive)
    finally:
        archive.close()


def _summary(group: list[_Article]) -> dict:
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
