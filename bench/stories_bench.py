"""How long story grouping takes: after a crawl (50 new articles) and a full rebuild.

Run: .venv/bin/python bench/stories_bench.py [--articles N] [--db PATH] [--write]

With --db PATH of an existing archive, measures that archive (it gains 50 articles). Otherwise
builds one of N articles (default 3,000) at PATH (or in a temporary directory): up to 10,000
with this script's event builder (events of 1-6 reports, each a reshuffled rewrite with the
event's people, figures and sectors, plus wire copies), beyond that with bench/search_scale.py's
builder (the real schema, 300-word bodies from the fixtures' vocabulary, five years of dates).
`measure(db_path)` (used by bench/scale.py) times, on the archive there:

- the first regroup, which featurises every article queued by the triggers (on an archive built
  with raw inserts or just migrated to m007, all of them; a one-time cost);
- the regroup after 50 new articles written through `Archive.import_article`, as after a crawl;
- a full regroup (`pkus reclassify`, `pkus reextract`), twice: the first rewrites whatever
  grouping the archive had, the second finds the same stories and rewrites nothing.

--write puts the figures in docs/benchmarks.md (section "Story grouping").
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawler.archive import Archive, content_hash  # noqa: E402
from crawler.stories import regroup  # noqa: E402
from crawler.topics import classify, default_model  # noqa: E402

PEOPLE = [["Muhammad Aurangzeb", "Howard Lutnick"], ["Ishaq Dar", "Marco Rubio"], ["Rizwan Saeed Sheikh", "Paul Kapur"],
          ["Shehbaz Sharif", "Donald Trump"], ["Jam Kamal Khan", "Jamieson Greer"], ["Muhammad Aurangzeb", "Scott Bessent"]]
SUBJECTS = ["copper and rare earth mining", "LNG cargoes and offshore exploration", "textile exports and tariffs",
            "IT exports and software houses", "cotton and soybean imports", "remittances and diaspora bonds",
            "EXIM financing for Reko Diq", "investment in energy projects"]
PLACES = ["Washington", "Islamabad", "Karachi", "Lahore", "New York"]
EVENT_BUILDER_UPTO = 10_000  # beyond this, bench/search_scale.py's raw builder


def report(rng: random.Random, event: dict, outlet: int) -> tuple[str, str]:
    a, b = event["people"]
    sentences = [
        f"{a} met {b} in {event['place']} to discuss {event['subject']} between Pakistan and the United States.",
        f"Officials said the talks covered a ${event['amount']}bn package and a {event['rate']}pc tariff.",
        f"American companies and Pakistani exporters welcomed the focus on {event['subject']}.",
        f"A follow-up meeting is planned for {event['date']}, the statement said.",
        f"Analysts in {rng.choice(PLACES)} said trade and investment ties could grow this year.",
    ]
    rng.shuffle(sentences)
    title = f"{a.split()[-1]}, {b.split()[-1]} discuss {event['subject']} (report {outlet})"
    return title, "\n\n".join(sentences[: rng.randint(3, 5)])


def build(archive: Archive, n: int, rng: random.Random, start: datetime, first: int = 0, days: float = 365) -> None:
    """n event reports published from `start` over `days`, through the archive's import path."""
    made = first
    while made < first + n:
        when = start + timedelta(days=rng.uniform(0, days))
        event = {"people": rng.choice(PEOPLE), "subject": rng.choice(SUBJECTS), "place": rng.choice(PLACES),
                 "amount": round(rng.uniform(0.1, 5), 1), "rate": rng.randint(5, 40),
                 "date": f"{rng.choice(['March', 'June', 'October'])} {rng.randint(1, 28)}"}
        wire = None
        for outlet in range(rng.randint(1, 6)):
            if made >= first + n:
                break
            title, body = wire if wire and rng.random() < 0.3 else report(rng, event, outlet)
            wire = wire or (title, body)
            verdict = classify(title, body)
            published = (when + timedelta(hours=rng.uniform(0, 48))).replace(microsecond=0).isoformat()
            archive.import_article({"url": f"https://bench.test/{made}", "source": "diplomaticinsight",
                                    "title": title, "body": body, "published": published, "first_seen": published,
                                    "content_hash": content_hash(body), **verdict.fields()})
            made += 1


def build_archive(path: Path, n: int) -> None:
    if n > EVENT_BUILDER_UPTO:
        from search_scale import build as build_raw  # the 1M-article builder, real schema
        build_raw(path, n)
        return
    archive = Archive(path)
    with archive.batch():
        build(archive, n, random.Random(5), datetime(2025, 7, 1, tzinfo=timezone.utc))
    archive.close()


def _timed(fn):
    began = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - began


def measure(db_path) -> dict:
    """Regroup timings on the archive at db_path (which gains 50 synthetic articles)."""
    default_model()
    archive = Archive(db_path)
    try:
        conn = archive.db.conn
        queued = conn.execute("select count(*) from story_pending").fetchone()[0]
        first, first_s = _timed(lambda: regroup(archive))
        latest = datetime.fromisoformat(conn.execute("select max(at) from story_features").fetchone()[0])
        new_from = conn.execute("select coalesce(max(id), 0) from articles").fetchone()[0] + 1
        with archive.batch():  # 50 reports of a few events in the archive's last day, as one crawl brings
            build(archive, 50, random.Random(new_from), latest.replace(tzinfo=timezone.utc) - timedelta(days=1),
                  first=new_from, days=1)
        incremental, incremental_s = _timed(lambda: regroup(archive))
        full, full_s = _timed(lambda: regroup(archive, full=True))
        again, again_s = _timed(lambda: regroup(archive, full=True))
    finally:
        archive.close()
    return {"articles": incremental.articles, "stories": again.stories, "wire_copies": again.duplicates,
            "first_regroup_s": round(first_s, 2), "first_regroup_featurised": queued,
            "incremental_s": round(incremental_s, 3), "incremental_read": incremental.read,
            "incremental_placed": incremental.assigned, "full_s": round(full_s, 1), "full_moved": full.assigned,
            "full_again_s": round(again_s, 1), "full_again_moved": again.assigned}


BEGIN, END = "<!-- bench/stories_bench.py begin -->", "<!-- bench/stories_bench.py end -->"


def write_figures(figures: list[dict]) -> None:
    from crawl import write_section  # bench/crawl.py

    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    machine = f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, " \
              f"SQLite {sqlite3.sqlite_version}"
    lines = [BEGIN, "## Story grouping (`crawler/stories.py`, bench/stories_bench.py)", "",
             f"Measured {datetime.now():%Y-%m-%d} on {machine}, the machine shared with other work "
             f"(load at the end: `{load}`).", "",
             "| articles | first regroup (featurises all) | after 50 new | read for it | full regroup | "
             "full again (nothing moves) | stories |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        lines.append(f"| {f['articles']:,} | {f['first_regroup_s']:,} s ({f['first_regroup_featurised']:,}) | "
                     f"{f['incremental_s']} s | {f['incremental_read']:,} | {f['full_s']:,} s ({f['full_moved']:,} moved) | "
                     f"{f['full_again_s']:,} s | {f['stories']:,} |")
    lines += [""] + NOTES + [END]
    write_section("\n".join(lines), BEGIN, END)


NOTES = ["Up to 10,000 articles the archive is this script's events (six pairs of people, eight subjects: they "
         "chain into few, large stories); beyond, bench/search_scale.py's synthetic archive (random bodies from "
         "the fixtures' words, five years, about 550 articles a day), to which the 50 new reports are added on its "
         "last day. \"Read for it\" is how many stored articles the regroup after a crawl compared: those within "
         "the four-day window of the new ones, whatever the archive's size. The first regroup on an archive "
         "featurises every article once (both cores from 20,000 queued); afterwards only new or changed articles "
         "are. The first full regroup rewrites the builder's made-up stories (each changed article is re-indexed "
         "by FTS); the second is what `pkus reclassify` costs when the stories stay."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[3000],
                        help="sizes of the archives to build (default 3,000)")
    parser.add_argument("--db", type=Path, help="an archive to measure (built there first if missing)")
    parser.add_argument("--write", action="store_true", help="put the figures in docs/benchmarks.md")
    args = parser.parse_args()
    if args.db and len(args.articles) > 1:
        parser.error("--db takes one --articles size")
    figures = []
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            path = args.db or Path(tmp) / "archive.db"
            if not path.exists():
                print(f"building {n:,} articles into {path}", flush=True)
                _, took = _timed(lambda: build_archive(path, n))
                print(f"built in {took:.0f} s", flush=True)
            figures.append(measure(path))
        print(figures[-1], flush=True)
    if args.write:
        write_figures(figures)


if __name__ == "__main__":
    main()
