"""Check tests/topics/labelled.json and print counts per theme.

Run: python tests/topics/check_labelled.py
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SECTORS = {"trade-tariffs", "investment", "it-digital", "mining-minerals", "energy",
           "finance-imf", "agriculture", "textiles", "remittances"}
KEYS = {"id", "title", "body", "relevant", "sectors", "theme", "note"}


def main():
    items = json.load(open(os.path.join(HERE, "labelled.json"), encoding="utf-8"))
    errors = []
    ids = [it["id"] for it in items]
    for i, n in collections.Counter(ids).items():
        if n > 1:
            errors.append(f"duplicate id {i}")
    for it in items:
        i = it.get("id")
        if set(it) != KEYS:
            errors.append(f"{i}: keys {sorted(it)}")
        rel = it["relevant"]
        if not isinstance(rel, bool):
            errors.append(f"{i}: relevant not bool")
        if i[0] != ("r" if rel else "n"):
            errors.append(f"{i}: id prefix does not match relevant={rel}")
        if rel and not it["sectors"]:
            errors.append(f"{i}: relevant with no sectors")
        if not rel and it["sectors"]:
            errors.append(f"{i}: near miss with sectors")
        bad = set(it["sectors"]) - SECTORS
        if bad:
            errors.append(f"{i}: unknown sectors {bad}")
        if len(set(it["sectors"])) != len(it["sectors"]):
            errors.append(f"{i}: repeated sector")
        paras = it["body"].split("\n\n")
        if not 2 <= len(paras) <= 4 or any(not p.strip() for p in paras):
            errors.append(f"{i}: {len(paras)} paragraphs")
        words = len(it["body"].split())
        if not 60 <= words <= 220:
            errors.append(f"{i}: {words} words")
        for k in ("title", "theme", "note"):
            if not it[k].strip() or "\n" in it[k]:
                errors.append(f"{i}: bad {k}")

    n = len(items)
    r = sum(it["relevant"] for it in items)
    print(f"total {n}  relevant {r} ({100 * r / n:.1f}%)  near misses {n - r}")
    for label, flag in (("relevant", True), ("near misses", False)):
        c = collections.Counter(it["theme"] for it in items if it["relevant"] is flag)
        print(f"\n{label}: {len(c)} themes")
        for t, k in sorted(c.items(), key=lambda x: (-x[1], x[0])):
            print(f"  {k:3d}  {t}")
    sc = collections.Counter(s for it in items for s in it["sectors"])
    print("\nsectors:", dict(sorted(sc.items())))
    w = [len(it["body"].split()) for it in items]
    print(f"words: min {min(w)} max {max(w)} mean {sum(w) / len(w):.0f}")
    if not 0.45 <= r / n <= 0.55 or n < 90:
        errors.append(f"balance/size off: {r}/{n}")
    if errors:
        print("\nERRORS:\n  " + "\n  ".join(errors))
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
