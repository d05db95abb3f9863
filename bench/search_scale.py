"""Benchmark: the search page and the home page on a big archive.

    .venv/bin/python bench/search_scale.py [--articles N] [--db PATH]
    # prints the figures and rewrites its section of docs/benchmarks.md

Builds (or reuses, when --db exists) an archive of N synthetic articles (default 1,000,000)
with the real schema and FTS triggers (crawler.archive.connect): headlines and 300-word bodies
drawn from the words of the offline outlets' articles (tests/sites/*/manifest.json) with their
frequencies, so common words are common; ten outlets, sectors, people, stories of one to five
articles, five years of dates. Then times what a page costs: crawler.search.run as the search
page runs it (Datasette's default limits: 1 s per query, 0.2 s per facet) and the home page's
overview queries, each the median of 3 runs on a read-only connection. Last, :func:`measure`
(also called by bench/scale.py) starts plain ``datasette archive.db -m datasette/metadata.yml``
on a free loopback port and times, over HTTP as a client asking for gzip, Datasette's own search
``/archive/articles.json?_search=Q`` for :data:`DATASETTE_SEARCHES` (the first time each is asked,
then repeated rounds) and the articles table page with no search (HTML and .json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
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
from tests.datasette_servers import free_port, plain_datasette, running  # noqa: E402

BEGIN, END = "<!-- bench/search_scale.py begin -->", "<!-- bench/search_scale.py end -->"
DS_BEGIN, DS_END = "<!-- bench/search_scale.py datasette begin -->", "<!-- bench/search_scale.py datasette end -->"
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

# Datasette's ?_search= on the articles table: names, common and rare words, phrases, prefixes,
# operators and a column filter (the archive's search language, crawler/query.py).
DATASETTE_SEARCHES = [
    "pakistan", "tariff", "Lutnick", "Aurangzeb", "imf", "investment", '"reko diq"', '"trade deal"',
    "invest*", "export*", "tariff OR imf", "tariff NOT india", "title:tariff", "minerals mining",
    '"reko diq" Lutnick textiles', "remittances", "textiles tariff", "energy pipeline",
    "washington islamabad", "-india pakistan",
]
REPEATS = 5  # rounds of the 20 searches after the first
PAGE_RUNS = 20


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


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else float("nan")


def _get_ms(url: str) -> tuple[float, bytes]:
    began = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=120) as r:
        body = r.read()
        assert r.status == 200, (url, r.status)
    return (time.perf_counter() - began) * 1000, body


def _figures(runs: list[float]) -> dict:
    return {"p50_ms": round(percentile(runs, 0.5), 1), "p95_ms": round(percentile(runs, 0.95), 1),
            "max_ms": round(max(runs), 1), "runs": len(runs)}


def measure(db_path: Path) -> dict:
    """Datasette's search and articles table page on the archive at ``db_path``, as served by plain
    ``datasette archive.db -m datasette/metadata.yml`` (127.0.0.1, a free port, stopped by its pid).

    The archive is migrated first (``crawler.archive.connect``). Datasette names a database after
    its file and datasette/metadata.yml configures ``archive``, so a file with another name is
    served through a hard link ``archive.db`` in a temporary folder beside it. Returns p50/p95/max
    in ms for: ``search_first`` (each of the 20 searches asked once, first thing after start-up
    and the table's first view), ``search_repeated`` (:data:`REPEATS` more rounds), ``table_html``
    and ``table_json`` (:data:`PAGE_RUNS` each), plus ``table_first_view_ms`` and per-query times."""
    db_path = Path(db_path).resolve()
    connect(db_path).conn.close()
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        served = db_path
        if db_path.name != "archive.db":
            served = Path(tmp) / "archive.db"
            os.link(db_path, served)
        port = free_port()
        with running(plain_datasette(served, port), port, Path(tmp) / "datasette.log", timeout=300) as base:
            table = f"{base}/archive/articles"
            first_view, _ = _get_ms(table)
            time.sleep(1)  # let the start-up count of the whole table finish (it runs in the background)
            for _ in range(3):  # the whole table's counts are computed once, then kept
                _get_ms(table + ".json")
            per_query: dict[str, list[float]] = {}
            first = []
            for rnd in range(REPEATS + 1):
                for q in DATASETTE_SEARCHES:
                    ms, body = _get_ms(f"{table}.json?{urllib.parse.urlencode({'_search': q})}")
                    (first if rnd == 0 else per_query.setdefault(q, [])).append(ms)
                    if rnd == 0:
                        per_query.setdefault(q + " (first)", []).append(ms)
            html = [_get_ms(table)[0] for _ in range(PAGE_RUNS)]
            json_ = [_get_ms(table + ".json")[0] for _ in range(PAGE_RUNS)]
            counts = {}
            for q in DATASETTE_SEARCHES:
                _, body = _get_ms(f"{table}.json?{urllib.parse.urlencode({'_search': q, '_size': 1})}")
                counts[q] = json.loads(gzip.decompress(body)).get("filtered_table_rows_count")
    repeated = [ms for q in DATASETTE_SEARCHES for ms in per_query[q]]
    return {
        "articles": sqlite3.connect(f"file:{db_path}?mode=ro", uri=True).execute("select count(*) from articles").fetchone()[0],
        "search_first": _figures(first), "search_repeated": _figures(repeated),
        "table_html": _figures(html), "table_json": _figures(json_), "table_first_view_ms": round(first_view, 1),
        "queries": {q: {"first_ms": round(per_query[q + " (first)"][0], 1),
                        "repeated_p50_ms": round(statistics.median(per_query[q]), 1), "rows": counts[q]}
                    for q in DATASETTE_SEARCHES},
    }


def machine_and_load() -> str:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return (f"{platform.python_implementation()} {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, {platform.machine()}; load at the end: `{load}`")


def datasette_lines(d: dict) -> list[str]:
    row = lambda label, f: f"| {label} | {f['p50_ms']:,.0f} ms | {f['p95_ms']:,.0f} ms | {f['max_ms']:,.0f} ms | {f['runs']} |"  # noqa: E731
    lines = [DS_BEGIN, "", f"**Datasette's own pages** ({d['articles']:,} articles; measured {datetime.now():%Y-%m-%d} on "
             f"{machine_and_load()}): plain `datasette archive.db -m datasette/metadata.yml` as a real server, timed "
             "over HTTP on 127.0.0.1 as a client asking for gzip, including the transfer; the 20 searches of "
             "`DATASETTE_SEARCHES` on `/archive/articles.json?_search=` (the page's JSON as it comes: 100 rows of "
             "every column, the count and the three facets), and the articles table page with no search:", "",
             "| what | p50 | p95 | max | runs |", "|---|---|---|---|---|",
             row("search, each asked the first time", d["search_first"]),
             row(f"search, asked again ({REPEATS} rounds)", d["search_repeated"]),
             row("articles table page, HTML, no search", d["table_html"]),
             row("articles table page, .json, no search", d["table_json"]),
             "", f"The table page's first view after start-up (its whole-table counts still being made): "
             f"{d['table_first_view_ms']:,.0f} ms.", "",
             "| search | rows | first time | again (p50) |", "|---|---|---|---|"]
    lines += [f"| `{q}` | {v['rows']:,} | {v['first_ms']:,.0f} ms | {v['repeated_p50_ms']:,.0f} ms |"
              for q, v in d["queries"].items()]
    return lines + ["", "A search asked again reuses its ids and its facet counts (kept until the archive changes); "
                    "the first time ranks it in SQL. `rows` is what the page counts: at most the 1,000 best.", DS_END]


def write_datasette_section(d: dict) -> None:
    """Only the Datasette figures of this script's section of docs/benchmarks.md."""
    from crawl import DOC
    text = DOC.read_text()
    if DS_BEGIN not in text:
        text = text.replace(END, DS_BEGIN + DS_END + "\n" + END)
        DOC.write_text(text)
    write_section("\n".join(datasette_lines(d)), DS_BEGIN, DS_END)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the search page on a big synthetic archive.")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/pkus-search-scale.db"))
    parser.add_argument("--datasette-only", action="store_true",
                        help="only time Datasette (measure()) and rewrite only those figures in docs/benchmarks.md")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.articles:,} articles into {args.db}")
        began = time.monotonic()
        build(args.db, args.articles)
        print(f"built in {time.monotonic() - began:.0f} s")
    if args.datasette_only:
        served = measure(args.db)
        print(json.dumps(served, indent=1))
        write_datasette_section(served)
        print("docs/benchmarks.md updated (Datasette figures)")
        return
    connect(args.db).conn.close()  # migrated as the code now has it (indexes the table page needs)
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
    conn.close()
    served = measure(args.db)
    for key in ("search_first", "search_repeated", "table_html", "table_json"):
        print(f"datasette: {key:<16} p50 {served[key]['p50_ms']:7.0f} ms  p95 {served[key]['p95_ms']:7.0f} ms", flush=True)
    print(json.dumps(served["queries"], indent=1))
    size = args.db.stat().st_size / 2**30
    lines = [BEGIN, "## Search and home pages at scale (bench/search_scale.py)", "",
             f"Measured {datetime.now():%Y-%m-%d} on {machine_and_load()}; {articles:,} synthetic articles "
             f"({size:.1f} GiB), a warm page cache. Each figure is the median of 3 runs of what the page "
             "runs (`crawler.search.run` with Datasette's default limits), facets included. Facets are "
             f"counted for up to {FACETS_UPTO:,} results.", "",
             "| search | query | matches | time | facets |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    lines += ["", "The home page's overview (cached by the page until the archive changes; "
              "coverage by sector is on /coverage only) and the story picker:", "",
              "| query | time |", "|---|---|"] + [f"| {a} | {b} |" for a, b in home]
    lines += datasette_lines(served)
    lines += ["", "Synthetic bodies repeat the fixtures' vocabulary, so common words match far more articles "
              "(and rare ones fewer) than real text would; the 2 CPUs are shared with other work.", END]
    write_section("\n".join(lines), BEGIN, END)
    print("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()
