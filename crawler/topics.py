"""Is this article about Pakistan–US economic relations, which sectors, and who is named?

Two layers, both readable:

1. **What each paragraph is about** (words in ``topics.toml``, people and organisations in
   ``entities.toml``): which sides it names (Pakistan, the US as a party, other countries),
   how much economic subject it carries and how much of another subject (security, sport...).
   Entity words are read in context: "Washington" where the IMF meets is a venue, not a party;
   "DFC" and "EXIM" name no side on their own (Pakistan Railways' Dedicated Freight Corridor,
   EXIM Bank of Korea); "US $5m" is an amount.
2. **A small logistic regression** over a dozen article-level features of those paragraphs
   ("paragraphs that name both sides and an economic subject", "share of paragraphs about
   another subject"...), whose weights live in ``topics_weights.toml`` and are rebuilt from
   labelled files by ``pkus train-topics`` (:func:`train`, deterministic).

``classify(title, body)`` returns a :class:`Verdict`: the probability of relevance, the
decision, the words and the feature contributions that decided it, the passages that link
both sides to an economic subject, the sectors and the entities named.
"""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

# Read through importlib.resources, so they are found inside a zipped egg too (Scrapyd).
_DATA = resources.files(__package__)
TOPICS_FILE = _DATA / "topics.toml"
ENTITIES_FILE = _DATA / "entities.toml"
WEIGHTS_FILE = _DATA / "topics_weights.toml"
SIDES = ("pakistan", "us")
CLEAR = 0.5  # a side term of at least this weight, not in a list, names that side
# Sentence ends: ., ! or ? (and a closing quote) before a capital, digit or opening quote;
# not after the abbreviations outlets put before names.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bNo\.)"
                           r"(?<!\bGen\.)(?<!U\.S\.)[\"”’']?\s+(?=[A-Z0-9\"“‘'])")
# "in the US", "left for the United States": in a piece about the IMF's or the UN's meetings, where.
_LOCATIVE = re.compile(r"\b(?:in|to|at|left for|leaves for|leaving for|arrived in|arrives in|reached)\s+(?:the\s+)?$")
# Between two names in a list: "Vietnam, Bangladesh and Pakistan", "the US and Europe".
_LIST_GAP = re.compile(r"^(?:\s|,|;|/|&|-|–|\band\b|\bor\b|\bas well as\b|\bthe\b|’s|'s)*$")

# The article-level features the learned weights apply to, in a fixed order, with what they
# measure (shown with every verdict). A "bilateral" paragraph names both sides (or one of them
# and "the two countries" in a piece about these two); its economic strength is its economic
# words' points, capped, in [0, 1].
FEATURES = {
    "pair_concrete": "bilateral paragraphs on a concrete economic subject: tariffs, minerals, LNG, textiles... "
                     "(log of 1 + their summed strength; 'trade and investment' alone is not one)",
    "pair_econ_share": "share of the body's paragraphs that are bilateral and economic",
    "lead_pair_econ": "the headline or the first two paragraphs are bilateral and economic",
    "title_us": "the headline names the US as a party",
    "pk_share": "share of paragraphs that name Pakistan",
    "us_share": "share of paragraphs that name the US",
    "others_share": "share of the foreign paragraphs that name other countries and not the US",
    "off_share": "share of paragraphs mostly about another subject (security, sport, aid...)",
    "late_only": "the bilateral economic paragraphs all come in the last third (of six or more paragraphs)",
    "title_off": "the headline is about another subject (its security, sport, aid... words outweigh its economic ones)",
}


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
    threshold: float  # on the probability of relevance
    dateline: re.Pattern
    drop: re.Pattern  # body lines that are publication notes, not text
    sides: dict[str, TermSet]
    places: dict[str, TermSet]  # the sides' cities and states: a venue, where a multilateral body meets
    others: TermSet  # other countries and blocs, and the world at large
    world: set[str]  # "global economy", "trading partners": one is as good as a list of countries
    pair_cues: TermSet  # "the two countries", "bilateral": both sides, in a piece about these two
    venues: TermSet  # IMF, World Bank, United Nations: a US place beside them is where, not who
    introduce: re.Pattern  # "US investor Gentry Beach": a name introduced as American
    introduce_abbr: re.Pattern  # "the US International Development Finance Corporation (DFC)"
    org_words: set[str]  # "Strategic Metals" is a firm: no surname alias
    venue_weight: float
    economic: TermSet  # every economic word: [economic] and all sectors
    concrete: set[str]  # sector words that are a subject, not a pleasantry ("LNG", "tariff", not "trade", "investment")
    econ_cap: float
    econ_min: float
    sectors: dict[str, set[str]]
    sector_min: float
    off_topic: TermSet
    off_min: float
    list_size: int
    list_weight: float
    entities: list[Entity]
    entity_terms: TermSet  # name or alias -> weight 1; mapped back through entity_of
    entity_of: dict[str, str]
    weights: dict[str, float]  # feature -> learned weight (topics_weights.toml)
    bias: float
    trained_on: list[dict] = field(default_factory=list)


@dataclass
class Verdict:
    relevant: bool
    score: float  # probability of relevance, 0..1
    terms: dict[str, float] = field(default_factory=dict)  # word -> points (negative: against)
    sectors: list[str] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)  # entity name -> mentions
    model_version: int = 0
    evidence: dict = field(default_factory=dict)  # features, contributions, passages

    def fields(self) -> dict:
        """The `articles` columns this verdict fills (entities as name -> mentions)."""
        return {"relevance": self.score, "relevance_terms": self.terms, "relevance_version": self.model_version,
                "relevance_evidence": self.evidence, "sectors": self.sectors, "entities": self.entities}


def load_entities(path: Path | Traversable = ENTITIES_FILE) -> list[Entity]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entities = [Entity(e["name"], e.get("kind", "organisation"), list(e.get("aliases", [])), e.get("side"))
                for e in data.get("entity", [])]
    for entity in entities:
        if entity.side not in (None, *SIDES):
            raise ValueError(f"{path}: entity {entity.name!r} has side {entity.side!r}; use one of {SIDES}")
    return entities


def load_weights(path: Path | Traversable = WEIGHTS_FILE) -> dict:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data.get("weights", {})) - set(FEATURES)
    if unknown:
        raise ValueError(f"{path}: unknown features {sorted(unknown)}; run `pkus train-topics`")
    return data


def load_model(path: Path | Traversable = TOPICS_FILE, threshold: float | None = None,
               entities_path: Path | Traversable = ENTITIES_FILE,
               weights_path: Path | Traversable | None = WEIGHTS_FILE) -> Model:
    """The words (topics.toml, entities.toml) and the learned weights (None: untrained, for training)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    context = data.get("context", {})
    unsided = set(context.get("unsided", []))
    entities = load_entities(entities_path)
    sides = {}
    for side in SIDES:
        weights = {t: float(w) for t, w in data["sides"][side].items()}
        for entity in entities:  # who is named tells which side is present, unless the name is ambiguous
            if entity.side == side:
                for name in (entity.name, *entity.aliases):
                    weights.setdefault(name, 0.0 if name in unsided else 1.0)
        sides[side] = TermSet(weights)
    economic = {t: float(w) for t, w in data["economic"].items()}
    sectors = {}
    for name, terms in data.get("sectors", {}).items():
        sectors[name] = set(terms)
        for term, weight in terms.items():
            economic[term] = max(economic.get(term, 0.0), float(weight))
    entity_of = {alias: e.name for e in entities for alias in (e.name, *e.aliases)}
    passages, rules = data.get("passages", {}), data.get("rules", {})
    learned = load_weights(weights_path) if weights_path else {}
    return Model(
        version=int(learned.get("version", data["version"])),
        threshold=float(threshold if threshold is not None else learned.get("threshold", 0.5)),
        dateline=re.compile(passages.get("dateline", r"^(?!)")),
        drop=re.compile("|".join(passages.get("drop", [])) or r"^(?!)"),
        sides=sides,
        places={side: TermSet({t: float(w) for t, w in data.get("places", {}).get(side, {}).items()})
                for side in SIDES},
        others=TermSet({t: float(w) for t, w in (data.get("others", {}) | data.get("world", {})).items()}),
        world=set(data.get("world", {})),
        pair_cues=TermSet({t: 1.0 for t in context.get("pair_cues", [])}),
        venues=TermSet({t: 1.0 for t in context.get("venues", [])}),
        introduce=_introduction(context.get("titles", [])),
        introduce_abbr=re.compile(r"(?<![\w-])(?:US|U\.S\.|American|United States)"
                                  r"(?:\s+(?:[A-Z][\w'&-]*|of|and|for|the|on|&)){1,8}\s*\(([A-Z][A-Za-z]{1,7})\)"
                                  r"|\((?:US|U\.S\.)\s+([A-Z]{2,8})\)"),
        org_words=set(context.get("organisation_words", [])),
        venue_weight=float(context.get("venue_weight", 0.25)),
        economic=TermSet(economic),
        concrete={t for terms in sectors.values() for t in terms} - set(rules.get("generic", [])),
        econ_cap=float(rules.get("econ_cap", 5.0)),
        econ_min=float(rules.get("econ_min", 2.0)),
        sectors=sectors,
        sector_min=float(data.get("sector_rules", {}).get("min_points", 2.0)),
        off_topic=TermSet({t: float(w) for t, w in data.get("off_topic", {}).items()}),
        off_min=float(rules.get("off_min", 2.0)),
        list_size=int(rules.get("list_size", 2)),
        list_weight=float(rules.get("list_weight", 0.25)),
        entities=entities,
        entity_terms=TermSet({alias: 1.0 for alias in entity_of}),
        entity_of=entity_of,
        weights={name: float(learned.get("weights", {}).get(name, 0.0)) for name in FEATURES},
        bias=float(learned.get("bias", 0.0)),
        trained_on=list(learned.get("trained_on", [])),
    )


def _introduction(titles: list[str]) -> re.Pattern:
    """ "US <lowercase words or titles> First Last": the name of someone (or something) the piece
    introduces as American."""
    role = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True)) or "(?!)"
    return re.compile(r"(?<![\w-])(?:US|U\.S\.|American|United States)\s+(?:(?:[a-z][a-z\-]*|(?:" + role + r")\.?)\s+){0,6}"
                      r"((?!(?:" + role + r")\b)[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+(?!(?:" + role + r")\b)[A-Z][a-z]{2,})\b")


@lru_cache(maxsize=4)
def default_model(path: Path | Traversable = TOPICS_FILE) -> Model:
    return load_model(path)


# -- layer 1: what each paragraph is about ------------------------------------------------

@dataclass
class Unit:
    """The headline (index 0) or one body paragraph, as the model reads it."""

    index: int
    text: str
    named: dict[str, float]  # side -> strongest mention (lists and venues discounted)
    others: set[str]
    cue: bool  # "the two countries", "bilateral"
    economic: dict[str, float]  # word -> weight
    off_topic: dict[str, float]
    link: float = 0.0  # 1: names both sides; 0.5: one side, in a piece anchored on the other

    @property
    def econ(self) -> float:
        return sum(self.economic.values())

    @property
    def off(self) -> float:
        return sum(self.off_topic.values())

    def side(self, name: str) -> bool:
        return self.named[name] >= CLEAR

    def off_subject(self, model: "Model") -> bool:
        """Mostly about another subject: its security, sport, aid... words outweigh its economic ones."""
        return self.off >= model.off_min and self.off > self.econ


def paragraphs(title: str, body: str, model: Model) -> list[str]:
    """The headline, then the body's paragraphs, a leading dateline removed (it says where, not
    what), and publication notes ("Published in Dawn, ...") dropped."""
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", body or "")
             if p.strip() and not model.drop.search(p.strip())]
    if paras:
        paras[0] = model.dateline.sub("", paras[0], count=1)
    return [(title or "").strip(), *paras]


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append((start, match.start()))
        start = match.end()
    return out + [(start, len(text))]


def _side_strength(text: str, model: Model, venue: bool,
                   introduced: TermSet | None = None) -> tuple[dict[str, float], set[str]]:
    """Each side's strongest mention in one paragraph, sentence by sentence: a side named in a
    list of countries ("Vietnam, Bangladesh and Pakistan") counts `list_weight`; in a piece that
    names the IMF, the World Bank or the UN, a US place, or the US after "in", "to", "left
    for"..., is where they meet and counts `venue_weight`."""
    named = dict.fromkeys(SIDES, 0.0)
    others_all: set[str] = set()
    for s0, s1 in _sentences(text):
        sentence = text[s0:s1]
        best = dict.fromkeys(SIDES, 0.0)
        others = [(t, a, b) for t, a, b in model.others.spans(sentence) if model.others.weights[t] > 0]
        others_all.update(t for t, _, _ in others)
        # several other countries, or the world at large ("the global economy"): the sentence is
        # about the US and everyone, unless it names both sides outside any list (below)
        crowded = len({t for t, _, _ in others}) >= model.list_size or any(t in model.world for t, _, _ in others)
        # a sentence about the IMF's or UN's meetings names the US as where they are ("left for
        # the United States to attend the IMF meetings"), not as a party
        for side in SIDES:
            found = [(t, a, b, model.sides[side].weights[t]
                      * (model.venue_weight if venue and side == "us" and _LOCATIVE.search(sentence[:a]) else 1.0))
                     for t, a, b in model.sides[side].spans(sentence)]
            found += [(t, a, b, model.places[side].weights[t] * (model.venue_weight if venue else 1.0))
                      for t, a, b in model.places[side].spans(sentence)]
            if side == "us" and introduced is not None:
                found += [(t, a, b, model.venue_weight if venue and _LOCATIVE.search(sentence[:a]) else 1.0)
                          for t, a, b in introduced.spans(sentence)]
            for term, start, end, weight in found:
                adjacent = any(_LIST_GAP.match(sentence[end:a] if a >= end else sentence[b:start]) for _, a, b in others)
                best[side] = max(best[side], weight * (model.list_weight if adjacent else 1.0))
        # "US tariffs on China, Canada and Mexico" is about them all; "the US granted Pakistan 19pc,
        # India 50pc" names both sides outside the list: there the others are a comparison
        if crowded and min(best.values()) < CLEAR:
            best = {side: v * model.list_weight for side, v in best.items()}
        for side in SIDES:
            named[side] = max(named[side], best[side])
    return named, others_all


def analyse(title: str, body: str, model: Model) -> list[Unit]:
    texts = paragraphs(title, body, model)
    # The IMF, the World Bank or the UN anywhere in the piece make its US cities venues.
    venue = any(model.venues.find(text) for text in texts)
    introduced = _introduced(texts, model)
    units = []
    for index, text in enumerate(texts):
        named, others = _side_strength(text, model, venue, introduced)
        econ, off = model.economic.spans(text), model.off_topic.spans(text)
        # a word inside a longer phrase of the other kind is part of that phrase: "export
        # control" is not about exports, "artificial intelligence" is not about spies
        econ, off = _outside(econ, off), _outside(off, econ)
        economic = {t: model.economic.weights[t] for t, _, _ in econ}
        off_topic = {t: model.off_topic.weights[t] for t, _, _ in off if model.off_topic.weights[t] > 0}
        units.append(Unit(index, text, named, others, bool(model.pair_cues.find(text)), economic, off_topic))
    _link(units)
    return units


def _introduced(texts: list[str], model: Model) -> TermSet | None:
    """Names the piece introduces as American ("US investor Gentry Beach", "US Strategic Metals
    (USSM)"): later mentions ("Beach said", "USSM") name the US too. A person's surname counts
    alone; a firm's name ("Strategic Metals") only whole."""
    aliases: dict[str, float] = {}
    for text in texts:
        for match in model.introduce.finditer(text):
            name = match.group(1)
            aliases[name] = 1.0
            words = name.split()
            if not model.org_words & set(words):
                aliases[words[-1]] = 1.0
        for match in model.introduce_abbr.finditer(text):
            abbr = match.group(1) or match.group(2)
            if model.sides["us"].weights.get(abbr, 0.0) < CLEAR:  # "United States (US)" introduces nothing new
                aliases[abbr] = 1.0
    return TermSet(aliases) if aliases else None


def _outside(spans: list[tuple[str, int, int]], longer: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    return [(t, a, b) for t, a, b in spans if not any(x <= a and b <= y and y - x > b - a for _, x, y in longer)]


def _link(units: list[Unit]) -> None:
    """How strongly each paragraph ties Pakistan to the US (Unit.link)."""
    foreign = Counter(t for u in units for t in u.others)
    us_paras = sum(u.side("us") for u in units)
    title, lead = units[0], units[1] if len(units) > 1 else units[0]
    opening = {side: any(u.side(side) for u in units[:3]) for side in SIDES}  # headline, first two paragraphs
    both = lambda u: u.side("pakistan") and u.side("us")  # noqa: E731
    # A piece about the two: its headline, or its headline's side and its first paragraph, name
    # both, and no other country is as present as the US. There "the two countries" means them.
    pair_piece = ((both(title) or (title.side("pakistan") or title.side("us")) and both(lead))
                  and us_paras >= max(foreign.values(), default=0))
    for u in units:
        if both(u) or (u.cue and pair_piece):
            u.link = 0.5 if u.others else 1.0  # other countries in it too: the two are not its whole subject
        elif not u.others and (pair_piece or u.side("pakistan") and opening["us"] or u.side("us") and opening["pakistan"]):
            u.link = 0.5  # one side here, the other in the opening: the piece may be about them


# -- layer 2: article features and the learned weights ------------------------------------

def _strength(u: Unit, model: Model, words: set[str] | None = None) -> float:
    """A paragraph's economic strength in [0, 1]: its economic words' points (only `words`, when
    given), zero under econ_min, capped at econ_cap; zero in a paragraph about another subject
    ("investment in the sport" is about sport)."""
    if u.off_subject(model):
        return 0.0
    econ = sum(w for t, w in u.economic.items() if words is None or t in words)
    return min(econ, model.econ_cap) / model.econ_cap if econ >= model.econ_min else 0.0


def features(units: list[Unit], model: Model) -> dict[str, float]:
    title, body = units[0], units[1:] or [Unit(1, "", dict.fromkeys(SIDES, 0.0), set(), False, {}, {})]
    n = len(body)
    pair = [u.link * _strength(u, model) for u in body]
    late = [i for i, p in enumerate(pair) if p > 0]
    foreign = [u for u in units if u.side("us") or u.others]
    return {
        "pair_concrete": math.log1p(sum(u.link * _strength(u, model, model.concrete) for u in body)),
        "pair_econ_share": sum(pair) / n,
        "lead_pair_econ": max([title.link * _strength(title, model), *pair[:2]]),
        "title_us": float(title.side("us")),
        "pk_share": sum(u.side("pakistan") for u in units) / len(units),
        "us_share": sum(u.side("us") for u in units) / len(units),
        "others_share": (sum(1 for u in foreign if not u.side("us")) / len(foreign)) if foreign else 0.0,
        "off_share": sum(u.off_subject(model) for u in units) / len(units),
        "late_only": float(n >= 6 and bool(late) and title.link * _strength(title, model) == 0
                           and min(late) >= (2 * n) // 3),
        "title_off": float(title.off > title.econ),
    }


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def classify(title: str, body: str, model: Model | None = None) -> Verdict:
    model = model or default_model()
    units = analyse(title, body, model)
    values = features(units, model)
    contributions = {name: model.weights[name] * values[name] for name in FEATURES}
    probability = _sigmoid(model.bias + sum(contributions.values()))
    score = round(probability, 4)
    relevant = score >= model.threshold

    terms: Counter = Counter()
    seen: Counter = Counter()
    for u in units:  # the words that tie the two sides to an economic subject, and those against
        weight = 2.0 if u.index == 0 else 1.0
        for term, points in u.economic.items():
            seen[term] += 1
            if seen[term] <= 3 and u.link:
                terms[term] += points * u.link * weight
        if u.off > u.econ:
            for term, points in u.off_topic.items():
                terms[term] -= points * weight
    ranked = {k: round(v, 2) for k, v in sorted(terms.items(), key=lambda kv: (-abs(kv[1]), kv[0])) if round(v, 2)}

    sectors = []
    if relevant:
        for name, words in model.sectors.items():  # what the piece covers, wherever it says it
            points = sum(w * (2.0 if u.index == 0 else 1.0) for u in units for t, w in u.economic.items() if t in words)
            if points >= model.sector_min:
                sectors.append(name)
    passages = sorted((u for u in units[1:] if u.link and _strength(u, model)),
                      key=lambda u: (-u.link * _strength(u, model), u.index))[:3]
    evidence = {
        "title": title,
        "probability": score,
        "bias": round(model.bias, 3),
        "features": {name: {"value": round(values[name], 3), "points": round(contributions[name], 3)}
                     for name in FEATURES},
        "passages": [{"paragraph": u.index, "text": u.text[:400]} for u in sorted(passages, key=lambda u: u.index)],
    }
    entities = Counter(model.entity_of[alias] for u in units for alias in model.entity_terms.find(u.text))
    return Verdict(relevant, score, ranked, sectors, dict(entities.most_common()), model.version, evidence)


# -- labelled items (training lives in crawler/topics_train.py) -----------------------------

def body_text(item: dict) -> str:
    """A labelled item's body: a string (paragraphs split by blank lines) or a list of paragraphs."""
    body = item.get("body") or ""
    return "\n\n".join(body) if isinstance(body, list) else body


# -- evaluation ---------------------------------------------------------------------------

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
        verdict = classify(item.get("title") or "", body_text(item), model)
        if verdict.relevant == bool(item["relevant"]):
            result.tp += verdict.relevant
            result.tn += not verdict.relevant
        else:
            result.fp += verdict.relevant
            result.fn += not verdict.relevant
            result.misclassified.append((item, verdict))
    return result
