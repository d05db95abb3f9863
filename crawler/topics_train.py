"""Training the relevance model's weights: `pkus train-topics`.

An L2-penalised logistic regression (Newton's method, pure Python) over the article features
of crawler/topics.py, fitted on every labelled file. Its threshold is not tuned by hand: it is
the middle of the widest stretch of good F1 in out-of-fold probabilities (5-fold, repeated
with shuffled folds; near-copies of one story always share a fold, so a wire story and its
rewrite never test each other). Everything is seeded: the same files in the same order give
the same weights file, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict

from .topics import FEATURES, Evaluation, Model, _sigmoid, analyse, body_text, features, load_model

THRESHOLDS = [round(0.2 + 0.05 * k, 2) for k in range(11)]  # 0.20 ... 0.70
FOLDS, REPEATS = 5, 5


def feature_rows(items: list[dict], model: Model) -> list[list[float]]:
    rows = []
    for item in items:
        values = features(analyse(item.get("title") or "", body_text(item), model), model)
        rows.append([values[name] for name in FEATURES])
    return rows


def fit(rows: list[list[float]], labels: list[bool], l2: float = 1.0, weights: list[float] | None = None,
        iterations: int = 50) -> tuple[float, list[float]]:
    """L2-penalised logistic regression by Newton's method: (bias, coefficients). Pure Python and
    deterministic: the same rows in the same order give the same numbers."""
    k = len(rows[0]) + 1
    beta = [0.0] * k
    sample = weights or [1.0] * len(rows)
    for _ in range(iterations):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for row, label, w in zip(rows, labels, sample):
            x = [1.0, *row]
            p = _sigmoid(sum(b * v for b, v in zip(beta, x)))
            for i in range(k):
                grad[i] += w * (p - label) * x[i]
                for j in range(i, k):
                    hess[i][j] += w * p * (1 - p) * x[i] * x[j]
        for i in range(k):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i:  # the bias is not penalised
                grad[i] += l2 * beta[i]
                hess[i][i] += l2
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-10:
            break
    return beta[0], beta[1:]


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the Hessian is small and positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def _prob(bias: float, coefs: list[float], row: list[float]) -> float:
    return _sigmoid(bias + sum(c * v for c, v in zip(coefs, row)))


def story_groups(items: list[dict]) -> list[int]:
    """A group number per item: near-copies of one story (half the shorter text's 5-word
    shingles shared, as a wire story and its rewrite do) share a group."""
    shingles = []
    for item in items:
        words = re.findall(r"\w+", f"{item.get('title') or ''} {body_text(item)}".lower())
        shingles.append({" ".join(words[i:i + 5]) for i in range(max(len(words) - 4, 1))})
    holders = defaultdict(list)
    for i, own in enumerate(shingles):
        for shingle in own:
            holders[shingle].append(i)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, own in enumerate(shingles):
        shared = Counter(j for shingle in own for j in holders[shingle] if j > i)
        for j, count in shared.items():
            if count >= 0.5 * min(len(own), len(shingles[j])):
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(items))]


def fold_of(labels: list[bool], groups: list[int], folds: int, seed: int) -> list[int]:
    """Each item's fold: whole groups, shuffled with `seed`, dealt round the folds, the groups
    with a relevant article first so every fold gets its share of them."""
    rng = random.Random(seed)
    relevant = {g for g, y in zip(groups, labels) if y}
    order = sorted(set(groups))
    rng.shuffle(order)
    dealt = [g for g in order if g in relevant] + [g for g in order if g not in relevant]
    fold = {g: k % folds for k, g in enumerate(dealt)}
    return [fold[g] for g in groups]


def out_of_fold(rows: list[list[float]], labels: list[bool], groups: list[int], l2: float,
                folds: int = FOLDS, repeats: int = REPEATS) -> list[list[float]]:
    """Per item, the probability weights fitted without its fold give it, once per repeat."""
    out: list[list[float]] = [[] for _ in rows]
    for repeat in range(repeats):
        fold = fold_of(labels, groups, folds, seed=repeat)
        for k in range(folds):
            inside = [i for i in range(len(rows)) if fold[i] != k]
            bias, coefs = fit([rows[i] for i in inside], [labels[i] for i in inside], l2)
            for i in range(len(rows)):
                if fold[i] == k:
                    out[i].append(_prob(bias, coefs, rows[i]))
    return out


def _f1(probs: list[list[float]], labels: list[bool], threshold: float) -> float:
    tp = fp = fn = 0
    for ps, y in zip(probs, labels):
        for p in ps:
            tp += p >= threshold and y
            fp += p >= threshold and not y
            fn += y and p < threshold
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_threshold(probs: list[list[float]], labels: list[bool]) -> float:
    """The threshold whose neighbourhood (itself and the grid points either side) has the best
    mean out-of-fold F1: the middle of a plateau, not a peak that one article makes."""
    f1 = [_f1(probs, labels, t) for t in THRESHOLDS]
    smooth = [sum(f1[max(k - 1, 0):k + 2]) / len(f1[max(k - 1, 0):k + 2]) for k in range(len(f1))]
    return THRESHOLDS[max(range(len(f1)), key=lambda k: (round(smooth[k], 6), -abs(k - len(f1) // 2)))]


def cross_validate(sets: list[tuple[str, list[dict]]], model: Model | None = None, l2: float = 0.3,
                   folds: int = FOLDS, repeats: int = 1, threshold: float = 0.5) -> list[tuple[str, Evaluation]]:
    """Grouped k-fold cross-validation over the pooled labelled sets, `repeats` times with
    reshuffled folds: every article is scored by weights fitted without its fold (and without
    any near-copy of it). Each set's confusion counts, summed over the repeats."""
    model = model or load_model(weights_path=None)
    items = [item for _, batch in sets for item in batch]
    labels = [bool(item["relevant"]) for item in items]
    probs = out_of_fold(feature_rows(items, model), labels, story_groups(items), l2, folds, repeats)
    out, start = [], 0
    for name, batch in sets:
        result = Evaluation()
        for ps, y in zip(probs[start:start + len(batch)], labels[start:start + len(batch)]):
            for p in ps:
                result.tp += p >= threshold and y
                result.fp += p >= threshold and not y
                result.fn += y and p < threshold
                result.tn += p < threshold and not y
        out.append((name, result))
        start += len(batch)
    return out


def content_digest(items: list[dict]) -> str:
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def train(sets: list[tuple[str, list[dict]]], model: Model | None = None, l2: float = 0.3,
          digests: dict[str, str] | None = None) -> dict:
    """Learn the feature weights from labelled sets [(name, items)] and choose the threshold from
    out-of-fold probabilities; returns the weights file's data. `digests` gives each set's file
    sha256 (else a digest of its content is recorded)."""
    model = model or load_model(weights_path=None)
    items = [item for _, batch in sets for item in batch]
    labels = [bool(item["relevant"]) for item in items]
    if min(labels.count(True), labels.count(False)) < 5:
        raise ValueError("training needs at least 5 labelled articles of each kind")
    rows = feature_rows(items, model)
    bias, coefs = fit(rows, labels, l2)
    threshold = choose_threshold(out_of_fold(rows, labels, story_groups(items), l2), labels)
    return {
        "version": model.version,
        "threshold": threshold,
        "l2": l2,
        "bias": round(bias, 4),
        "weights": {name: round(c, 4) for name, c in zip(FEATURES, coefs)},
        "trained_on": [{"file": name, "articles": len(batch), "relevant": sum(bool(i["relevant"]) for i in batch),
                        "sha256": (digests or {}).get(name) or content_digest(batch)}
                       for name, batch in sets],
    }


def weights_toml(data: dict) -> str:
    """The weights file: a few readable lines, one per feature with what it measures."""
    lines = ["# Learned weights of the relevance model (crawler/topics.py). Written by `pkus train-topics`;",
             "# do not edit by hand: retrain from the labelled files instead. A feature's points are",
             "# weight x value; the probability of relevance is sigmoid(bias + the sum of the points).",
             f"# The threshold is the middle of the best out-of-fold F1 plateau ({REPEATS} x {FOLDS}-fold, grouped).",
             f"version = {data['version']}", f"threshold = {data['threshold']}", f"l2 = {data['l2']}",
             f"bias = {data['bias']}", "", "[weights]"]
    for name in FEATURES:
        lines.append(f"{name} = {data['weights'][name]}  # {FEATURES[name]}")
    for entry in data["trained_on"]:
        lines += ["", "[[trained_on]]", f"file = {_toml_str(entry['file'])}", f"articles = {entry['articles']}",
                  f"relevant = {entry['relevant']}", f"sha256 = {_toml_str(entry['sha256'])}"]
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
