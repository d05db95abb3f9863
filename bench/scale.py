"""Benchmark: a big archive built through `pkus import`, then search and stories on it.

    .venv/bin/python bench/scale.py [--articles N] [--records FILE.jsonl] [--dir /work/data/bulk] [--keep]
    # prints the figures and rewrites its section of docs/benchmarks.md (unless --no-write)

Writes N import records (default 1,000,000) to a JSON Lines file (not timed), then times
`pkus import FILE` into a new archive: that is the insert rate, with every article written as a
crawl writes it (FTS, entities, URL states, then the stories). Generated records are 300-word
bodies drawn from the offline outlets' vocabulary (bench/search_scale.py), ten outlets, five
years of dates, sectors and people, and carry a relevance (so the writer, not the model, is
timed; `--records` with unscored real records times both). Then it reports the file size per
article and calls ``bench.search_scale.measure(db)`` and ``bench.stories_bench.measure(db)``
when those exist (each returns a dict of figures), and prints their figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BEGIN, END = "<!-- bench/scale.py begin -->", "<!-- bench/scale.py end -->"
OUTLETS = ["dawn", "brecorder", "tribune", "thenews", "app", "nation", "arabnews", "wenews", "profit",
           "diplomaticinsight"]
SECTORS = ["trade-tariffs", "investment", "it-digital", "mining-minerals", "energy", "finance-imf",
           "agriculture", "textiles", "remittances"]
PEOPLE = ["Howard Lutnick", "Muhammad Aurangzeb", "Ishaq Dar", "Marco Rubio", "Donald Trump", "Asim Munir", "IMF",
          "World Bank"]


def generated(count: int, seed: int = 13):
    """``count`` import records of generated text (relevance given: the writer is what is timed)."""
    from search_scale import vocabulary  # bench/search_scale.py: the fixtures' words with their frequencies

    rng = random.Random(seed)
    words, weights, titles = vocabulary()
    start = datetime(2021, 1, 1, tzinfo=timezone.utc)
    for n in range(count):
        body = rng.choices(words, weights, k=300)
        paragraphs = [" ".join(body[i:i + 60]).capitalize() + "." for i in range(0, 300, 60)]
        published = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        title = rng.choice(titles) if rng.random() < 0.5 else " ".join(rng.choices(words, weights, k=9)).capitalize()
        people = rng.sample(PEOPLE, rng.randint(0, 3))
        yield {"url": f"https://bench.example/{rng.choice(OUTLETS)}/{n}", "source": rng.choice(OUTLETS),
               "title": title, "body": "\n\n".join(paragraphs),
               "description": " ".join(rng.choices(words, weights, k=25)),
               "published": published.isoformat(), "sectors": rng.sample(SECTORS, rng.randint(1, 3)),
               "entities": {p: rng.randint(1, 4) for p in people}, "relevance": round(rng.uniform(0.4, 1.0), 4),
               "relevance_version": 4}


def write_records(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item in generated(count):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def run_import(records: Path, db: Path, extra: list[str]) -> tuple[float, str]:
    """`pkus import` in its own process, as a user runs it; (seconds, its summary line)."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "import", str(records), "--db", str(db), *extra],
                          cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"pkus import failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout.strip().splitlines()[-1]


def optional_measure(module: str, db: Path) -> dict | None:
    """``bench.<module>.measure(db)`` if that exists yet (other benchmarks add it); its figures."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    measure = getattr(found, "measure", None)
    if measure is None:
        return None
    print(f"{module}.measure ...", flush=True)
    return measure(db)


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
            f"{platform.machine()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A big archive through `pkus import`, then search and stories.")
    parser.add_argument("--articles", type=int, default=1_000_000, help="generated records (without --records)")
    parser.add_argument("--records", type=Path, help="import these JSON Lines records instead of generated ones")
    parser.add_argument("--dir", type=Path, default=Path("/work/data/bulk"), help="where the archive is built")
    parser.add_argument("--keep", action="store_true", help="keep the archive and records file afterwards")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--note", default="", help="a sentence for the benchmarks section (conditions)")
    parser.add_argument("import_args", nargs="*", help="after --: more `pkus import` options (--batch, --workers)")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    made = args.records is None
    records = args.records or args.dir / f"scale-{args.articles}.jsonl"
    if made and not records.exists():
        began = time.perf_counter()
        write_records(records, args.articles)
        print(f"{args.articles:,} records written to {records} in {time.perf_counter() - began:.0f} s", flush=True)
    with records.open("rb") as handle:
        count = sum(1 for line in handle if line.strip())
    db = args.dir / f"scale-{count}.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    seconds, summary = run_import(records, db, args.import_args)
    print(summary)
    articles = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    size = db.stat().st_size
    figures = {"records": count, "articles": articles, "import_s": round(seconds, 1),
               "records_per_s": round(count / seconds), "articles_per_s": round(articles / seconds),
               "bytes_per_article": round(size / max(articles, 1)), "file_gib": round(size / 2**30, 2)}
    write_rate = re.search(r"written in ([\d.]+) s", summary)
    if write_rate:
        figures["written_per_s"] = round(count / float(write_rate.group(1)))
    print(json.dumps(figures), flush=True)
    others = {name: optional_measure(name, db) for name in ("search_scale", "stories_bench")}
    for name, found in others.items():
        print(f"{name}: {json.dumps(found, default=str) if found is not None else 'no measure() yet'}", flush=True)
    if not args.no_write:
        write_section(figures, others, summary, records if not made else None, args.note)
    if not args.keep:
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), *([records] if made else [])):
            path.unlink(missing_ok=True)
    return 0


def write_section(figures: dict, others: dict, summary: str, real: Path | None, note: str) -> None:
    from crawl import write_section as replace  # bench/crawl.py, beside this script

    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    what = (f"real records from `{real.name}`" if real else
            f"{figures['records']:,} generated records (300-word bodies, relevance given)")
    lines = [BEGIN, "## Bulk import at scale (bench/scale.py)", "",
             f"Measured {datetime.now():%Y-%m-%d} on {machine()} (2 cores, 24 GiB, shared with other work); "
             f"{what}, imported by `pkus import` into a new archive; load at the end: `{load}`. {note}".rstrip(), "",
             "| what | figure |", "|---|---|",
             f"| records | {figures['records']:,} |", f"| articles | {figures['articles']:,} |",
             f"| `pkus import`, start to end (stories included) | {figures['import_s']:,} s |",
             f"| insert rate | {figures['articles_per_s']:,} articles/s ({figures['records_per_s']:,} records/s) |"]
    if "written_per_s" in figures:
        lines.append(f"| records written (before the story regroup) | {figures['written_per_s']:,} records/s |")
    lines += [f"| file | {figures['file_gib']} GiB, {figures['bytes_per_article']:,} bytes per article |",
              "", f"`pkus import` said: `{summary}`"]
    for name, found in others.items():
        if found:
            lines += ["", f"`bench/{name}.py` measure() on this archive:", "", "| figure | value |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in found.items()]
    lines.append(END)
    replace("\n".join(lines), BEGIN, END)
    print("docs/benchmarks.md updated")


if __name__ == "__main__":
    sys.exit(main())
