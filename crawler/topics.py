"""Is this article about Pakistan–US economic relations, and which sectors?

An explainable keyword model whose words, weights and threshold live in
``topics.toml``. ``classify(title, body)`` returns the score, the decision, the
terms that decided it and the sectors, so every archived row can say why it is
there, and ``pkus reclassify`` can re-run the decision without fetching anything.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

TOPICS_FILE = Path(__file__).parent / "topics.toml"


def _pattern(term: str) -> re.Pattern:
    # Capitalised terms are case-sensitive ("US" is a country, "us" a pronoun).
    flags = 0 if any(c.isupper() for c in term) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(term).replace(r"\ ", r"[\s-]+") + r"(?![\w-])", flags)


@dataclass
class Model:
    version: int
    threshold: float
    title_weight: float
    per_term_cap: int
    pakistan: list[tuple[str, re.Pattern]]
    us: list[tuple[str, re.Pattern]]
    economic: list[tuple[str, re.Pattern, float]]
    near_miss: list[tuple[str, re.Pattern, float]]
    sectors: dict[str, list[tuple[str, re.Pattern]]]
    sector_min: int


@dataclass
class Verdict:
    relevant: bool
    score: float
    terms: dict[str, float] = field(default_factory=dict)  # term -> contribution (negative for near misses)
    sectors: list[str] = field(default_factory=list)
    model_version: int = 0


def load_model(path: Path = TOPICS_FILE, threshold: float | None = None) -> Model:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Model(
        version=data.get("version", 1),
        threshold=float(threshold if threshold is not None else data["threshold"]),
        title_weight=float(data.get("title_weight", 2.0)),
        per_term_cap=int(data.get("per_term_cap", 3)),
        pakistan=[(t, _pattern(t)) for t in data["sides"]["pakistan"]],
        us=[(t, _pattern(t)) for t in data["sides"]["us"]],
        economic=[(t, _pattern(t), float(w)) for t, w in data["economic"].items()],
        near_miss=[(t, _pattern(t), float(w)) for t, w in data.get("near_miss", {}).items()],
        sectors={name: [(t, _pattern(t)) for t in terms] for name, terms in data.get("sectors", {}).items()},
        sector_min=int(data.get("sector_rules", {}).get("min_mentions", 2)),
    )


@lru_cache(maxsize=4)
def default_model(path: Path = TOPICS_FILE) -> Model:
    return load_model(path)


def _mentions(patterns, text: str) -> bool:
    return any(p.search(text) for _, p in patterns)


def classify(title: str, body: str, model: Model | None = None) -> Verdict:
    model = model or default_model()
    passages = [(title or "", model.title_weight)] + [(p, 1.0) for p in re.split(r"\n\s*\n|\n", body or "") if p.strip()]
    title_pk, title_us = _mentions(model.pakistan, title or ""), _mentions(model.us, title or "")
    counts: dict[str, int] = {}
    terms: dict[str, float] = {}
    for text, weight in passages:
        both = (title_pk or _mentions(model.pakistan, text)) and (title_us or _mentions(model.us, text))
        if not both:
            continue
        for term, pattern, w in model.economic:
            for _ in pattern.finditer(text):
                if counts.get(term, 0) >= model.per_term_cap:
                    break
                counts[term] = counts.get(term, 0) + 1
                terms[term] = terms.get(term, 0.0) + w * weight
    full = f"{title}\n{body}"
    for term, pattern, w in model.near_miss:
        n = min(len(pattern.findall(full)), model.per_term_cap)
        if n:
            terms[term] = -w * n
    score = round(sum(terms.values()), 2)
    sectors = [name for name, pats in model.sectors.items()
               if sum(len(p.findall(full)) for _, p in pats) >= model.sector_min]
    relevant = score >= model.threshold
    return Verdict(relevant, score, {k: round(v, 2) for k, v in sorted(terms.items(), key=lambda kv: -abs(kv[1]))},
                   sectors if relevant else [], model.version)
