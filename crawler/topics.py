"""Is this article about Pakistan–US economic relations, which sectors, and who is named?

An explainable keyword model whose words, weights and threshold live in ``topics.toml``
(the scoring steps are described at the top of that file) and whose people and
organisations live in ``entities.toml``. ``classify(title, body)`` returns a
:class:`Verdict`: the score, the decision, the terms that decided it, the sectors and the
entities named, so every archived row can say why it is there, and ``pkus reclassify``
can re-run the decision without fetching anything.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# importlib.resources, not __file__: on a Scrapyd node the package is read from a zipped egg
TOPICS_FILE = resources.files(__package__) / "topics.toml"
ENTITIES_FILE = resources.files(__package__) / "entities.toml"
SIDES = ("pakistan", "us")
CLEAR = 0.5  # a side term of at least this weight, not in a list, names that side in its sentence
SIDE_LABELS = {"pakistan": "Pakistan", "us": "US"}
# Sentence ends: ., ! or ? (and a closing quote) before a capital, digit or opening quote;
# not after the abbreviations outlets put before names.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bNo\.)"
                           r"(?<!\bGen\.)(?<!U\.S\.)[\"”’']?\s+(?=[A-Z0-9\"“‘'])")


def _norm(text: str) -> str:
    return re.sub(r"[\s\-–]+", " ", text).strip()


class TermSet:
    """Weighted terms found in one regex pass; capitalised terms match case-sensitively."""

    def __init__(self, weights: dict[str, float]):
        self.weights = dict(weights)
        self._exact = {_norm(t): t for t in weights if t != t.lower()}
        self._folded = {_norm(t).lower(): t for t in weights if t == t.lower()}
        parts = []
        for term in sorted(weights, key=len, reverse=True):  # longest first: "critical minerals" before "minerals"
            body = re.sub(r"\\[ \-]", lambda _: r"[\s\-–]+", re.escape(term))
            parts.append(body if term != term.lower() else f"(?i:{body})")
        # Whole words; a following "$" ("US$5m") or letter means another word.
        self._regex = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?![^\W\d_]|\$)") if parts else None

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(term, start, end) of every match, left to right."""
        if self._regex is None:
            return []
        found = []
        for match in self._regex.finditer(text):
            key = _norm(match.group())
            term = self._exact.get(key) or self._folded.get(key.lower())
            if term is not None:
                found.append((term, match.start(), match.end()))
        return found

    def find(self, text: str) -> list[str]:
        return [term for term, _, _ in self.spans(text)]


@dataclass
class Entity:
    name: str
    kind: str
    aliases: list[str]
    side: str | None = None


@dataclass
class Model:
    version: int
    threshold: float
    title_weight: float
    lead_weight: float
    dateline: re.Pattern
    link: dict[str, float]
    per_term: int
    side_min: float
    list_size: int
    list_weight: float
    sides: dict[str, TermSet]
    others: TermSet
    economic: TermSet  # every economic word: [economic] and all sectors
    sectors: dict[str, set[str]]
    sector_min: float
    off_topic: TermSet
    entities: list[Entity]
    entity_terms: TermSet  # name or alias -> weight 1; mapped back through entity_of
    entity_of: dict[str, str]


@dataclass
class Verdict:
    relevant: bool
    score: float
    terms: dict[str, float] = field(default_factory=dict)  # term -> points (negative: against)
    sectors: list[str] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)  # entity name -> mentions
    model_version: int = 0

    def fields(self) -> dict:
        """The `articles` columns this verdict fills (entities as name -> mentions)."""
        return {"relevance": self.score, "relevance_terms": self.terms, "relevance_version": self.model_version,
                "sectors": self.sectors, "entities": self.entities}


def load_entities(path: Path = ENTITIES_FILE) -> list[Entity]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entities = [Entity(e["name"], e.get("kind", "organisation"), list(e.get("aliases", [])), e.get("side"))
                for e in data.get("entity", [])]
    for entity in entities:
        if entity.side not in (None, *SIDES):
            raise ValueError(f"{path}: entity {entity.name!r} has side {entity.side!r}; use one of {SIDES}")
    return entities


def load_model(path: Path = TOPICS_FILE, threshold: float | None = None,
               entities_path: Path = ENTITIES_FILE) -> Model:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entities = load_entities(entities_path)
    sides = {}
    for side in SIDES:
        weights = {t: float(w) for t, w in data["sides"][side].items()}
        for entity in entities:  # who is named tells which side is present
            if entity.side == side:
                for name in (entity.name, *entity.aliases):
                    weights.setdefault(name, 1.0)
        sides[side] = TermSet(weights)
    economic = {t: float(w) for t, w in data["economic"].items()}
    sectors = {}
    for name, terms in data.get("sectors", {}).items():
        sectors[name] = set(terms)
        for term, weight in terms.items():
            economic[term] = max(economic.get(term, 0.0), float(weight))
    entity_of = {alias: e.name for e in entities for alias in (e.name, *e.aliases)}
    passages, rules = data.get("passages", {}), data.get("rules", {})
    return Model(
        version=int(data["version"]),
        threshold=float(threshold if threshold is not None else data["threshold"]),
        title_weight=float(passages.get("title", 2.0)),
        lead_weight=float(passages.get("lead", 1.0)),
        dateline=re.compile(passages.get("dateline", r"^(?!)")),
        link={k: float(data.get("link", {}).get(k, d)) for k, d in (("both", 1.0), ("one", 0.6), ("none", 0.3))},
        per_term=int(rules.get("per_term", 3)),
        side_min=float(rules.get("side_min", 2.0)),
        list_size=int(rules.get("list_size", 2)),
        list_weight=float(rules.get("list_weight", 0.25)),
        sides=sides,
        others=TermSet({t: float(w) for t, w in data.get("others", {}).items()}),
        economic=TermSet(economic),
        sectors=sectors,
        sector_min=float(data.get("sector_rules", {}).get("min_points", 2.0)),
        off_topic=TermSet({t: float(w) for t, w in data.get("off_topic", {}).items()}),
        entities=entities,
        entity_terms=TermSet({alias: 1.0 for alias in entity_of}),
        entity_of=entity_of,
    )


@lru_cache(maxsize=4)
def default_model(path: Path = TOPICS_FILE) -> Model:
    return load_model(path)


def sentences(title: str, body: str, model: Model) -> list[tuple[str, float]]:
    """(sentence, position weight): the headline, then the body's sentences, dateline removed."""
    out = [(title or "", model.title_weight)] if (title or "").strip() else []
    paragraphs = [p.strip() for p in re.split(r"\n+", body or "") if p.strip()]
    if paragraphs:
        paragraphs[0] = model.dateline.sub("", paragraphs[0], count=1)
    first = True
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            if sentence.strip():
                out.append((sentence, model.lead_weight if first else 1.0))
                first = False
    return out


@dataclass
class _Sentence:
    weight: float  # position: headline, lead or other
    named: dict[str, float]  # side -> strongest mention (lists discounted)
    others: set[str]
    economic: list[str]
    off_topic: list[str]


# Between two names in a list: "Vietnam, Bangladesh and Pakistan", "the US and Europe".
_LIST_GAP = re.compile(r"^(?:\s|,|;|/|&|\band\b|\bor\b|\bas well as\b|\bthe\b|’s|'s)*$")


def _read(text: str, weight: float, model: Model) -> _Sentence:
    others = [(t, a, b) for t, a, b in model.others.spans(text) if model.others.weights[t] > 0]
    crowded = len({t for t, _, _ in others}) >= model.list_size
    named = {}
    for side in SIDES:
        best = 0.0
        for term, start, end in model.sides[side].spans(text):
            listed = crowded or any(_LIST_GAP.match(text[end:a] if a >= end else text[b:start])
                                    for _, a, b in others)
            best = max(best, model.sides[side].weights[term] * (model.list_weight if listed else 1.0))
        named[side] = best
    return _Sentence(weight, named, {t for t, _, _ in others}, list(dict.fromkeys(model.economic.find(text))),
                     list(dict.fromkeys(model.off_topic.find(text))))


def classify(title: str, body: str, model: Model | None = None) -> Verdict:
    model = model or default_model()
    parts = sentences(title, body, model)
    read = [_read(text, weight, model) for text, weight in parts]
    entities = Counter(model.entity_of[alias] for text, _ in parts for alias in model.entity_terms.find(text))
    presence = {side: sum(s.weight * s.named[side] for s in read) for side in SIDES}
    # A side named in the headline or lead is what the piece is about; named only further
    # down, it may be an aside, and a sentence naming only the other side is weaker evidence.
    opening = read[:2] if title else read[:1]
    anchored = {side: any(s.named[side] >= CLEAR for s in opening) for side in SIDES}
    others_presence = sum(s.weight for s in read if s.others)
    others_named = Counter(t for s in read for t in s.others)

    economic: list[tuple[str, float, float]] = []  # (term, points, points before the link)
    off_topic: Counter = Counter()
    seen_econ: Counter = Counter()
    seen_off: Counter = Counter()
    for s in read:
        pk, us = s.named["pakistan"] >= CLEAR, s.named["us"] >= CLEAR
        if pk and us:
            link = model.link["both"]
        elif (pk and anchored["us"] or us and anchored["pakistan"]) and not s.others:
            link = model.link["one"]
        else:
            link = model.link["none"]
        for term in s.economic:
            seen_econ[term] += 1
            if seen_econ[term] <= model.per_term:
                raw = model.economic.weights[term] * s.weight
                economic.append((term, raw * link, raw))
        for term in s.off_topic:
            seen_off[term] += 1
            if seen_off[term] <= model.per_term:
                off_topic[term] += model.off_topic.weights[term] * (2.0 if s.weight == model.title_weight else 1.0)

    terms: Counter = Counter()
    for term, points, _ in economic:
        terms[term] += points
    evidence = sum(terms.values())
    # How sure are we that the piece is about these two countries, and not about others?
    weak_side = min(SIDES, key=lambda side: presence[side])
    factors = {f"[weak side: {SIDE_LABELS[weak_side]}]": presence[weak_side] / model.side_min}
    if others_presence > presence[weak_side]:
        top = ", ".join(t for t, _ in others_named.most_common(3))
        factors[f"[about others: {top}]"] = presence[weak_side] / others_presence
    reason, factor = min(factors.items(), key=lambda kv: kv[1])
    if factor < 1.0:
        terms[reason] = -evidence * (1.0 - max(factor, 0.0))
    for term, points in off_topic.items():
        terms[term] = -points
    score = round(sum(terms.values()), 2)
    relevant = score >= model.threshold
    sectors = []
    if relevant:
        for name, words in model.sectors.items():
            # what the piece covers, wherever it says it
            if sum(raw for t, _, raw in economic if t in words) >= model.sector_min:
                sectors.append(name)
    ranked = {k: round(v, 2) for k, v in sorted(terms.items(), key=lambda kv: -abs(kv[1])) if round(v, 2)}
    return Verdict(relevant, score, ranked, sectors, dict(entities.most_common()), model.version)


@dataclass
class Evaluation:
    """Confusion counts of the model on labelled articles, and what it got wrong."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misclassified: list[tuple[dict, Verdict]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(items: list[dict], model: Model | None = None) -> Evaluation:
    """Score labelled items ({"title", "body", "relevant", ...}) and count hits and misses."""
    result = Evaluation()
    for item in items:
        verdict = classify(item["title"], item["body"], model)
        if verdict.relevant == item["relevant"]:
            result.tp += verdict.relevant
            result.tn += not verdict.relevant
        else:
            result.fp += verdict.relevant
            result.fn += not verdict.relevant
            result.misclassified.append((item, verdict))
    return result
