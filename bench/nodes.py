"""Benchmark: what crawling on Scrapyd nodes costs, job by job, and what the writer does with it.

    .venv/bin/python bench/nodes.py [EXTRA_URLS]   # prints the figures and rewrites its section of docs/benchmarks.md

Every offline outlet copy is crawled the way a Scrapyd job crawls it: one `scrapy crawl
SPIDER -s PKUS_NODE=1` process per outlet (what Scrapyd's runner starts), reading a snapshot
and exporting JSON Lines. Measured: each job's wall and CPU time (its start-up included), the
size of the exports, `pkus ingest` of all of them into an empty archive (stories included),
and `pkus snapshot` (full, and urls-only as the nodes get it) of the result, then again with
EXTRA_URLS (default 500,000) more rows in `urls` (copies of real article URLs' rows), the
size a long-lived archive reaches.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlite_utils  # noqa: E402
from crawl import write_section  # noqa: E402

from crawler.archive import connect  # noqa: E402
from crawler.ingest import ingest  # noqa: E402
from crawler.sitecopy import available_copies, serve_copies, stop_all  # noqa: E402
from crawler.snapshot import take_snapshot  # noqa: E402

BEGIN, END = "<!-- bench/nodes.py begin -->", "<!-- bench/nodes.py end -->"
SINCE = "2025-01-01"


def node_job(spider: str, base: str, snapshot: Path, out: Path, since: str | None = SINCE) -> dict:
    args = [sys.executable, "-m", "scrapy", "crawl", spider, *(["-a", f"since={since}"] if since else []),
            "-s", "PKUS_NODE=1",
            "-s", f"PKUS_DB={snapshot}", "-s", f"PKUS_SITES={json.dumps({spider: base})}",
            "-s", "LOG_LEVEL=WARNING", "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": time.perf_counter() - start,
            "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "rss_mb": after.ru_maxrss / 1024}


def pad_urls(db: Path, rows: int) -> None:
    """``rows`` more `urls` rows, each a copy of a real article URL's row under a new URL."""
    archive = sqlite_utils.Database(db)
    real = list(archive.query("select * from urls where kind = 'article'"))
    archive["urls"].insert_all(({**real[n % len(real)], "url": f"{real[n % len(real)]['url']}?copy={n}"}
                                for n in range(rows)), batch_size=5000)
    archive.conn.close()


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main(extra_urls: int = 500_000) -> None:
    copies = available_copies()
    servers = serve_copies(copies)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        connect(tmp / "empty.db").conn.close()
        snapshot = take_snapshot(tmp / "empty.db", tmp / "exports" / "snapshot.db", urls_only=True)
        try:
            jobs = {name: node_job(name, server.base, snapshot, tmp / "exports" / name / "job.jl")
                    for name, server in servers.items()}
            records = [json.loads(line) for path in (tmp / "exports").rglob("*.jl") for line in path.open()]
            db = tmp / "archive.db"
            result, ingest_s = timed(ingest, db, [tmp / "exports"])
            # a routine round: the nodes read the new snapshot, every entry point answers 304
            snapshot = take_snapshot(db, tmp / "exports" / "snapshot.db", urls_only=True)
            routine = {name: node_job(name, server.base, snapshot, tmp / "routine" / f"{name}.jl", since=None)
                       for name, server in servers.items()}
        finally:
            stop_all(servers)
        sizes = {kind: [len(json.dumps(r)) for r in records if r["type"] == kind] for kind in ("article", "irrelevant")}
        export_bytes = sum(p.stat().st_size for p in (tmp / "exports").rglob("*.jl"))
        articles = sum(s.articles_new for s in result.summaries)
        _, full_s = timed(take_snapshot, db, tmp / "full.db")
        _, urls_s = timed(take_snapshot, db, tmp / "urls.db", urls_only=True)
        full_mb, urls_mb = (tmp / "full.db").stat().st_size / 1e6, (tmp / "urls.db").stat().st_size / 1e6
        pad_urls(db, extra_urls)
        _, big_urls_s = timed(take_snapshot, db, tmp / "urls-big.db", urls_only=True)
        big_urls_mb = (tmp / "urls-big.db").stat().st_size / 1e6
        _, big_full_s = timed(take_snapshot, db, tmp / "full-big.db")
        big_full_mb = (tmp / "full-big.db").stat().st_size / 1e6

    cpu = sorted(j["cpu"] for j in jobs.values())
    idle = sorted(j["cpu"] for j in routine.values())
    wall = sorted(j["seconds"] for j in jobs.values())
    load = os.getloadavg()
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    section = f"""{BEGIN}
## Crawling on Scrapyd nodes (bench/nodes.py)

Measured {time.strftime('%Y-%m-%d')} on {machine}, load average {load[0]:.1f} (a machine shared with
other work: wall times are pessimistic); {len(jobs)} offline outlets, each crawled as a Scrapyd job
crawls it (its own `scrapy crawl -s PKUS_NODE=1` process, back-fill to {SINCE}).

| measure | figure |
|---|---|
| one job, wall time (min / median / max) | {wall[0]:.1f} / {wall[len(wall) // 2]:.1f} / {wall[-1]:.1f} s |
| one job, CPU time, start-up included (min / median / max) | {cpu[0]:.1f} / {cpu[len(cpu) // 2]:.1f} / {cpu[-1]:.1f} s |
| one routine job, nothing new (entry points 304), CPU time (min / median / max) | {idle[0]:.1f} / {idle[len(idle) // 2]:.1f} / {idle[-1]:.1f} s |
| peak RSS of a job | {max(j['rss_mb'] for j in jobs.values()):.0f} MB |
| exports: records / size | {len(records)} / {export_bytes / 1e6:.1f} MB |
| one export record, article / irrelevant page (median, page included) | {sorted(sizes['article'])[len(sizes['article']) // 2] / 1e3:.1f} / {sorted(sizes['irrelevant'])[len(sizes['irrelevant']) // 2] / 1e3:.1f} KB |
| `pkus ingest` of all exports into an empty archive (stories included) | {ingest_s:.1f} s: {len(records) / ingest_s:.0f} records/s, {articles} articles |
| `pkus snapshot`, full (backup API) | {full_s * 1000:.0f} ms, {full_mb:.1f} MB |
| `pkus snapshot --urls-only` (what nodes read) | {urls_s * 1000:.0f} ms, {urls_mb:.2f} MB |
| the same with {extra_urls:,} more URLs: urls-only / full | {big_urls_s:.1f} s, {big_urls_mb:.0f} MB / {big_full_s:.1f} s, {big_full_mb:.0f} MB |

A job pays a process start-up (Python, Scrapy, trafilatura: most of the routine job's CPU time)
once per outlet and round; the crawl itself costs what it costs locally (bench/crawl.py).
A node's snapshot grows by about {big_urls_mb * 1e6 / extra_urls:.0f} bytes per URL the archive knows.
{END}"""
    print(section)
    write_section(section, BEGIN, END)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000)
