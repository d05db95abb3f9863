"""Benchmark: the search page and the home page on a big archive.

    .venv/bin/python bench/search_scale.py [--articles N] [--db PATH]
    # prints the figures and rewrites its section of docs/benchmarks.md

Builds (or reuses, when --db exists) an archive of N synthetic articles (default 1,000,000)
with the real schema and FTS triggers (crawler.archive.connect): headlines and 300-word bodies
drawn from the words of the offline outlets' articles (tests/sites/*/manifest.json) with their
frequencies, so common words are common; ten outlets, sectors, people, stories of one to five
articles, five years of dates. Then times what a page costs: crawler.search.run as the search
page runs it (Datasette's default limits: 1 s per query, 0.2 s per facet) and the home page's
overview queries, each the median of 3 runs on a read-only connection.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawl import write_section  # noqa: E402 - bench/crawl.py, beside this script
from crawler.archive import connect  # noqa: E402
from crawler.reading_room import STORY_PICKER_SQL  # noqa: E402
from crawler.reading_room.pages import COVERAGE_SQL, HEALTH_SQL, LATEST_SQL, SPAN_SQL  # noqa: E402
from crawler.search import FACETS_UPTO, Search, run  # noqa: E402

BEGIN, END = "<!-- bench/search_scale.py begin -->", "<!-- bench/search_scale.py end -->"
SECTORS = ["trade-tariffs", "investment", "it-digital", "mining-minerals", "energy", "finance-imf",
           "agriculture", "textiles", "remittances"]
PEOPLE = ["Howard Lutnick", "Muhammad Aurangzeb", "Ishaq Dar", "Marco Rubio", "Donald Trump", "Asim Munir"]
SEARCHES = [
    ("a name", Search(q="Lutnick")),
    ("common word", Search(q="pakistan")),
    ("common word, newest first", Search(q="pakistan", sort="newest")),
    ("phrase", Search(q='"reko diq"')),
    ("phrase and a word", Search(q='"reko diq" Lutnick textiles')),
    ("prefix", Search(q="invest*")),
    ("OR", Search(q="tariff OR imf")),
    ("NOT", Search(q="tariff NOT india")),
    ("title only", Search(q="title:tariff")),
    ("common word, one outlet and a year", Search(q="pakistan", sources=("dawn",), since=datetime(2024, 1, 1).date(),
                                                  until=datetime(2024, 12, 31).date())),
    ("common word, grouped by story", Search(q="pakistan", by_story=True)),
    ("page 50 of a common word", Search(q="tariff", page=50)),
    ("no words: everything, newest first", Search()),
    ("no words, one sector", Search(sectors=("energy",))),
]


def vocabulary() -> tuple[list[str], list[int], list[str]]:
    words: Counter = Counter()
    titles = []
    for manifest in sorted((ROOT / "tests" / "sites").glob("*/manifest.json")):
        for article in json.loads(manifest.read_text(encoding="utf-8")):
            words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", " ".join(article.get("body") or [])))
            titles.append(article["title"])
    common = words.most_common()
    return [w for w, _ in common], [n for _, n in common], titles


def build(path: Path, count: int) -> None:
    rng = random.Random(12)
    words, weights, titles = vocabulary()
    db = connect(path)
    db["sources"].insert_all([{"spider": s, "name": s.title()} for s in
                              ["dawn", "brecorder", "tribune", "thenews", "app", "nation", "arabnews", "wenews",
                               "profit", "diplomaticinsight"]], replace=True)
    sources = [r["spider"] for r in db["sources"].rows]
    db["entities"].insert_all([{"id": i + 1, "name": n, "kind": "person"} for i, n in enumerate(PEOPLE)], replace=True)
    start = datetime(2021, 1, 1, tzinfo=timezone.utc)
    story, left = 0, 0
    began = time.monotonic()
    for first in range(1, count + 1, 5000):
        rows, mentions, stories = [], [], []
        for n in range(first, min(first + 5000, count + 1)):
            if left == 0:
                story, left = story + 1, rng.randint(1, 5)
                stories.append({"id": story, "title": rng.choice(titles), "article_count": left})
            left -= 1
            body = rng.choices(words, weights, k=300)
            published = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
            rows.append({"id": n, "url": f"https://example.org/{n}", "source": rng.choice(sources),
                         "title": rng.choice(titles) if rng.random() < 0.5 else " ".join(rng.choices(words, weights, k=9)),
                         "description": " ".join(rng.choices(words, weights, k=25)),
                         "body": " ".join(body), "word_count": 300, "published": published.isoformat(),
                         "sectors": json.dumps(rng.sample(SECTORS, rng.randint(1, 3))), "story_id": story,
                         "first_seen": published.isoformat(), "last_seen": published.isoformat()})
            if rng.random() < 0.3:
                mentions.append({"article_id": n, "entity_id": rng.randint(1, len(PEOPLE)), "mentions": 1})
        db.execute("BEGIN IMMEDIATE")
        db["stories"].insert_all(stories, replace=True)
        db["articles"].insert_all(rows)
        db["article_entities"].insert_all(mentions, replace=True)
        db.execute("COMMIT")
        if first % 100_000 == 1:
            print(f"  {first - 1:,} articles, {time.monotonic() - began:.0f} s", flush=True)
    db.execute("analyze")
    db.conn.close()


def median_ms(fn, times: int = 3) -> float:
    runs = []
    for _ in range(times):
        began = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - began) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the search page on a big synthetic archive.")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/pkus-search-scale.db"))
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.articles:,} articles into {args.db}")
        began = time.monotonic()
        build(args.db, args.articles)
        print(f"built in {time.monotonic() - began:.0f} s")
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    articles = conn.execute("select count(*) from articles").fetchone()[0]
    rows = []
    for label, search in SEARCHES:
        last = {}

        def once():
            last["r"] = run(conn, search, time_limit=1.0, facet_time_limit=0.2)

        ms = median_ms(once)
        r = last["r"]
        skipped = [f for f, v in r.facets.items() if v is None]
        if r.too_slow:
            note = "too slow (stopped at 1 s)"
        elif r.total_capped or r.total > FACETS_UPTO:
            note = "not counted (too many results)"
        else:
            note = f"{len(skipped)} of 4 over 0.2 s, left out" if skipped else "all counted"
        if r.ranked_among:
            note += f"; ranked among the newest {r.ranked_among:,}"
        total = f"{r.count_cap:,}+" if r.total_capped else f"{r.total:,}"
        rows.append((label, f"`{search.q or '(none)'}`", total, f"{ms:,.0f} ms", note))
        print(f"{label:<40} {total:>8}  {ms:8.0f} ms  {note}", flush=True)
    home = []
    for label, sql in (("archive size and span", SPAN_SQL), ("latest headlines", LATEST_SQL),
                       ("outlets' health", HEALTH_SQL), ("coverage per month by outlet", COVERAGE_SQL["outlet"]),
                       ("coverage per month by sector", COVERAGE_SQL["sector"]),
                       ("story picker (story_timeline)", STORY_PICKER_SQL)):
        ms = median_ms(lambda: conn.execute(sql, {"n": 8}).fetchall())
        home.append((label, f"{ms:,.0f} ms"))
        print(f"home: {label:<34} {ms:8.0f} ms", flush=True)
    size = args.db.stat().st_size / 2**30
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    machine = f"{platform.python_implementation()} {platform.python_version()}, SQLite {sqlite3.sqlite_version}, " \
              f"{os.cpu_count()} CPUs, {platform.machine()}"
    lines = [BEGIN, "## Search and home pages at scale (bench/search_scale.py)", "",
             f"Measured {datetime.now():%Y-%m-%d} on {machine}; {articles:,} synthetic articles ({size:.1f} GiB), "
             f"a warm page cache; load at the end: `{load}`. Each figure is the median of 3 runs of what the page "
             "runs (`crawler.search.run` with Datasette's default limits), facets included. Facets are "
             f"counted for up to {FACETS_UPTO:,} results.", "",
             "| search | query | matches | time | facets |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    lines += ["", "The home page's overview (cached by the page until the archive changes; "
              "coverage by sector is on /coverage only) and the story picker:", "",
              "| query | time |", "|---|---|"] + [f"| {a} | {b} |" for a, b in home]
    lines += ["", "Synthetic bodies repeat the fixtures' vocabulary, so common words match far more articles "
              "(and rare ones fewer) than real text would; the 2 CPUs are shared with other work.", END]
    write_section("\n".join(lines), BEGIN, END)
    print("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()
