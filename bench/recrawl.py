"""Benchmark: what a routine (incremental) crawl costs, and that it does not grow with the archive.

    .venv/bin/python bench/recrawl.py [ROWS]   # prints the figures and rewrites its section of docs/benchmarks.md

Every outlet copy is served on loopback and crawled with `pkus crawl --all` in a child process:
first a back-fill, then a routine run with nothing new (every entry point should answer 304),
then the same routine run after ROWS synthetic URLs (default 500,000) were added to `urls`,
as an archive that has met that many URLs would hold. Requests come from crawl_runs, peak
peak memory is the child's maximum RSS (wait4), times from outside.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from crawl import write_section  # noqa: E402 - bench/crawl.py, beside this script
from crawler.sitecopy import available_copies, serve_copies, stop_all  # noqa: E402
from crawler.spiders.news import KNOWN_SQL  # noqa: E402

BEGIN, END = "<!-- bench/recrawl.py begin -->", "<!-- bench/recrawl.py end -->"


def crawl(db: Path, servers: dict, *extra: str) -> dict:
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--all", "--db", str(db), *extra]
    for name, server in servers.items():
        args += ["--site", f"{name}={server.base}"]
    last = sqlite_utils.Database(db).execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0] \
        if db.exists() else 0
    for server in servers.values():
        server.copy.log.clear()
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS, not the largest of all children
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode:
        raise SystemExit(f"pkus crawl exited {child.returncode}")
    runs = list(sqlite_utils.Database(db).query("select * from crawl_runs where id > ?", [last]))
    answers = Counter(h.status for server in servers.values() for h in server.copy.log if h.path != "/robots.txt")
    return {"seconds": seconds, "requests": sum(r["requests"] for r in runs), "answers": dict(answers),
            "new": sum(r["articles_new"] + r["irrelevant"] for r in runs), "rss_mb": usage.ru_maxrss / 1024}


def pad_urls(db: Path, rows: int) -> None:
    archive = sqlite_utils.Database(db)
    archive["urls"].insert_all(({"url": f"https://example.org/padding/{n}/", "source": "padding", "kind": "article",
                                 "state": "archived", "first_seen": "2025-01-01T00:00:00+00:00",
                                 "lastmod": "2025-01-01T00:00:00+00:00"} for n in range(rows)), batch_size=5000)
    archive.conn.close()


def lookup_us(db: Path, count: int = 20000) -> float:
    """Mean time of the spider's "have we got this?" query, in microseconds."""
    archive = sqlite_utils.Database(db)
    start = time.perf_counter()
    for n in range(count):
        archive.execute(KNOWN_SQL, [f"https://example.org/padding/{n * 7919 % 400000}/"]).fetchall()
    return (time.perf_counter() - start) / count * 1e6


def main(rows: int = 500_000) -> None:
    servers = serve_copies(available_copies())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "archive.db"
            backfill = crawl(db, servers, "--since", "2025-01-01")
            routine = crawl(db, servers)
            small = lookup_us(db)
            pad_urls(db, rows)
            big = crawl(db, servers)
            large = lookup_us(db)
            size_mb = db.stat().st_size / 1e6
    finally:
        stop_all(servers)
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    n = len(servers)
    section = f"""{BEGIN}
## Incremental crawls (bench/recrawl.py)

Measured {time.strftime('%Y-%m-%d')} on {machine}; `pkus crawl --all` over {n} offline outlets.

| run | requests | articles fetched | wall time | peak memory of the crawl |
|---|---|---|---|---|
| back-fill (`--since 2025-01-01`) into an empty archive | {backfill['requests']} | {backfill['new']} | {backfill['seconds']:.1f} s | {backfill['rss_mb']:.0f} MB |
| routine run, nothing new (entry points answer 304) | {routine['requests']} | {routine['new']} | {routine['seconds']:.1f} s | {routine['rss_mb']:.0f} MB |
| the same, with {rows:,} more URLs in `urls` ({size_mb:.0f} MB archive) | {big['requests']} | {big['new']} | {big['seconds']:.1f} s | {big['rss_mb']:.0f} MB |

"Have we got this?" (one primary-key lookup in `urls`): {small:.0f} µs with the archive as crawled,
{large:.0f} µs with {rows:,} more URLs. Nothing loads the archive's URLs into memory, so a routine
run costs the same however large the archive grows: robots.txt plus one conditional request per
entry point per outlet; the routine run's answers, robots.txt aside: {routine['answers']}.
{END}"""
    print(section)
    write_section(section, BEGIN, END)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
