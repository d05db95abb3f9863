"""The second real-news set: draw it from the corpus, and rebuild its texts from pointers.

    python tests/topics/real/build.py texts MIRROR [--labels FILE] --out PATH
    python tests/topics/real/build.py sample MIRROR --out PATH [--seed N] [--draw A:dawn:180,...] [--exclude FILE]

MIRROR is a git copy of the public repository gitcodeuu/xai_articles (the search tool's `fetch`
of github:gitcodeuu/xai_articles prints it). Only labels and pointers (id, source_path, url,
relevant, confidence, reason, sectors) live in the repository (`labels-2.json`); the texts are
the publishers' and are rebuilt on your machine by `texts`, into a file outside the repository,
in the format `pkus eval-topics` and `pkus train-topics` read ({id, title, body, relevant,
sectors, note, confidence, url, published}, like ../shared/real-topics/build.py writes).

`sample` is how labels-2.json (and labels-3.json) were drawn (run once; it writes pointers with
no labels). It reads the corpus with the de-duplication of the first real set
(bench/topics_stream.py: one copy per link, identical texts collapsed, bodies under 80 words left
out), sets aside every article of the first set and of every `--exclude` file (by link and by
path) and any near copy of one (a re-filed wire story: 80 % of its 5-word shingles in a set-aside
article), and then, with random.Random(SEED) over pools sorted by source_path, draws stratum A
(a US term and an economic term) and stratum B (hard near misses: Pakistan's trade with a third
country, no US term), as described in tests/topics/real/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from topics_stream import TITLE_SUFFIX, articles, blobs, body_of, git  # noqa: E402

LABELS = HERE / "labels-2.json"
# the first set's labels: the team's shared folder beside the project (or beside its worktrees)
FIRST_SET = next((d / "shared" / "real-topics" / "labels.json" for d in ROOT.parents
                  if (d / "shared" / "real-topics" / "labels.json").is_file()), None)
COMMIT = "b0dabd22a0086d29d54129bf571ec10588070823"  # the snapshot both real sets were drawn from
SEED = 909
DRAW = (("A", "dawn", 180), ("A", "app", 120), ("B", "dawn", 36), ("B", "app", 24))

# The first set's strata (../shared/real-topics/README.md), title and body searched together.
US = re.compile(r"\bUnited States\b|\bU\.S\.|\bUS\b(?!\$)|\bAmerica|\bWashington\b|\bTrump\b|\bLutnick|\bRubio\b"
                r"|\bBessent|\bUSAID\b|\bDFC\b|\bEXIM\b")
US_WIDE = re.compile(US.pattern + r"|\bUSA\b|\bU\.S\b|\bU\.S\.A")
ECON = re.compile(r"\btrad(e|es|ed|ing|er|ers)\b|\btariff|\binvest|\bexport|\bimport(s|ed|er|ers|ing)?\b|\bmineral"
                  r"|\bmining\b|\benerg(y|ies)\b|\bLNG\b|\boil\b|\bIMF\b|\bloan|\bremittance|\bbusiness|\becono"
                  r"|\btextile|\bcotton", re.I)
THIRD = re.compile(r"\b(?:China|Chinese|Saudi|UAE|Emirates|India|Indian|EU|European Union|Europe|UK|Britain|"
                   r"British|Turkey|Türkiye|Turkiye|Qatar|Iran|Afghanistan|Afghan|Russia|Japan|Germany|Bangladesh|"
                   r"Central Asia\w*|Uzbekistan|Kazakhstan|Tajikistan|Turkmenistan|Kyrgyz\w*|Azerbaijan|Gulf|GCC|"
                   r"Africa|Kenya|Egypt|Malaysia|Indonesia|Thailand|Sri Lanka|Korea|Oman|Kuwait|Bahrain|Belarus|"
                   r"Italy|France|Netherlands|Poland|Australia|Canada|Brazil|ASEAN|SCO|ECO)\b")
TRADE = re.compile(r"\b(?:trade|export|exports|import|imports|tariff|tariffs|invest\w*|FTA|free trade)\b", re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def stratum(item: dict) -> str | None:
    text = f"{item['title']}\n{item['body']}"
    if US.search(text) and ECON.search(text):
        return "A"
    if (not US_WIDE.search(text) and text.count("Pakistan") >= 2 and len(ECON.findall(text)) >= 3
            and any(THIRD.search(s) and TRADE.search(s) for s in SENTENCE.split(text))):
        return "B"
    return None


def shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 5]) for i in range(max(len(words) - 4, 1))}


def sample(mirror: str, out: Path, first_set: Path, seed: int = SEED, draw=DRAW, exclude: tuple[Path, ...] = ()) -> None:
    first = [x for path in (first_set, *exclude) for x in json.loads(path.read_text(encoding="utf-8"))]
    first_links, first_paths = {x["url"] for x in first}, {x["source_path"] for x in first}
    items, _ = articles(mirror, COMMIT)
    first_items = [i for i in items if i["url"] in first_links or i["path"] in first_paths]
    holders: dict[str, set[int]] = {}  # shingle -> the first-set articles that have it
    for n, first_item in enumerate(first_items):
        for shingle in shingles(first_item["body"]):
            holders.setdefault(shingle, set()).add(n)
    pools: dict[tuple[str, str], list[dict]] = {}
    near = 0
    for item in items:
        if item["url"] in first_links or item["path"] in first_paths:
            continue
        kind = stratum(item)
        if kind is None:
            continue
        own = shingles(item["body"])
        shared = Counter(n for shingle in own for n in holders.get(shingle, ()))
        if shared and max(shared.values()) >= 0.8 * len(own):
            near += 1
            continue
        pools.setdefault((kind, item["outlet"]), []).append(item)
    rng = random.Random(seed)
    drawn = []
    for kind, outlet, size in draw:
        pool = sorted(pools[(kind, outlet)], key=lambda i: i["path"])
        print(f"stratum {kind} {outlet}: pool {len(pool)}, drawing {size}")
        drawn += [(kind, i) for i in rng.sample(pool, size)]
    print(f"set aside {len(first_items)} articles of earlier sets and {near} near copies of them")
    pointers = [{"id": f"{i['outlet']}-{hashlib.md5(i['url'].encode()).hexdigest()[:8]}", "stratum": kind,
                 "source_path": i["path"], "url": i["url"], "outlet": i["outlet"], "published": i["published"],
                 "relevant": None, "confidence": None, "reason": "", "sectors": []} for kind, i in drawn]
    out.write_text(json.dumps(pointers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(pointers)} pointers to {out}")


def texts(mirror: str, labels: Path, out: Path) -> int:
    pointers = json.loads(labels.read_text(encoding="utf-8"))
    try:
        git(mirror, "cat-file", "-e", f"{COMMIT}^{{commit}}")
        rev = COMMIT
    except subprocess.CalledProcessError:
        print(f"build.py: warning: commit {COMMIT} not in {mirror}; reading HEAD (texts may differ)", file=sys.stderr)
        rev = "HEAD"
    found = dict(blobs(mirror, rev, [p["source_path"] for p in pointers]))
    items, missing = [], []
    for p in pointers:
        if p["source_path"] not in found:
            missing.append(p["id"])
            continue
        raw = json.loads(found[p["source_path"]])
        items.append({"id": p["id"], "title": TITLE_SUFFIX.sub("", (raw.get("title") or "").strip()).strip(),
                      "body": body_of(raw.get("content") or ""), "relevant": p["relevant"], "sectors": p["sectors"],
                      "note": p["reason"], "confidence": p["confidence"], "url": p["url"],
                      "published": p["published"], "stratum": p.get("stratum")})
    out.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    if missing:
        print(f"build.py: warning: {len(missing)} article(s) not in the mirror: {', '.join(missing[:10])}",
              file=sys.stderr)
    print(f"wrote {out}: {len(items)} articles ({sum(bool(i['relevant']) for i in items)} relevant) from {rev[:10]}")
    return 2 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["texts", "sample"])
    parser.add_argument("mirror", help="git copy of gitcodeuu/xai_articles")
    parser.add_argument("--labels", type=Path, default=LABELS, help="pointers and labels (default: labels-2.json)")
    parser.add_argument("--out", type=Path, required=True, help="where to write (outside the repository)")
    parser.add_argument("--first", type=Path, default=FIRST_SET, help="the first set's labels.json (sample only)")
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="another set to leave out (sample)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"sample: the random seed (default {SEED})")
    parser.add_argument("--draw", default=",".join(f"{k}:{o}:{n}" for k, o, n in DRAW),
                        help="sample: stratum:outlet:size,... in drawing order")
    args = parser.parse_args(argv)
    if not Path(args.mirror).is_dir():
        print(f"build.py: {args.mirror} is not a directory; fetch github:gitcodeuu/xai_articles first", file=sys.stderr)
        return 2
    if args.command == "sample":
        if not args.first or not args.first.is_file():
            print("build.py: give the first real set's labels.json with --first", file=sys.stderr)
            return 2
        draw = [(k, o, int(n)) for k, o, n in (part.split(":") for part in args.draw.split(","))]
        sample(args.mirror, args.out, args.first, args.seed, draw, tuple(args.exclude))
        return 0
    return texts(args.mirror, args.labels, args.out)


if __name__ == "__main__":
    sys.exit(main())
