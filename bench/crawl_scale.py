"""Benchmark: crawl throughput and memory on a generated N-article copy of an outlet.

    .venv/bin/python bench/crawl_scale.py                       # 2,000 articles; 1,000 vs 10,000 for memory
    .venv/bin/python bench/crawl_scale.py --articles 2000 --memory 1000 10000 --write

The outlet is Dawn's offline copy (tests/sites/dawn: its templates, i.e. the real markup, and
its site.toml) with a generated manifest: the 18 fixture articles repeated with new ids, dates,
titles and paragraph orders, so every page is the outlet's markup around a different text.
Listings show 30 stories a page (the fixture's 4 would make the crawl mostly listing pages).
The copy is built once per N into --cache and served by ``crawler.sitecopy`` in a child process
on 127.0.0.1 (a free port), stopped by its pid.

Measured, each in its own child process against the same served copy:

- crawl: a real ``pkus crawl dawn --since`` back-fill into a fresh archive; pages/s is article
  pages handled over the Scrapy run (crawl_runs started -> finished; discovery of the feeds,
  sitemaps and listings included, the story regroup after it not);
- fetch-only: a Scrapy spider with the project's settings (the same concurrency) that fetches
  the same article URLs and does nothing with them;
- extraction on every core: the crawl's own worker function over the saved pages, in the
  crawl's process pool (crawler.workers), extraction alone and extraction + classification;
- memory: the peak of the summed RSS of the crawl process and its children (the extraction
  workers), sampled from /proc every 0.1 s, for two sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sites"))

SPIDER = "dawn"
SINCE = "2020-01-01"
BEGIN, END = "<!-- bench/crawl_scale.py begin -->", "<!-- bench/crawl_scale.py end -->"
PER_PAGE = 30


# -- the generated outlet ------------------------------------------------------------------------

def generated_manifest(n: int, seed: int = 13) -> list[dict]:
    """``n`` articles made from the fixture's: new id and URL, a date every 4 hours from 2021,
    a numbered title and the paragraphs in a shuffled order (so no two texts are the same)."""
    real = json.loads((ROOT / "tests" / "sites" / SPIDER / "manifest.json").read_text())
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, 9, tzinfo=timezone(timedelta(hours=5)))
    out = []
    for i in range(n):
        base = real[i % len(real)]
        body = list(base["body"])
        rng.shuffle(body)
        when = (start + timedelta(hours=4 * i)).isoformat()
        ident = 3_000_000 + i
        slug = base["url"].rstrip("/").rsplit("/", 1)[-1]
        article = {k: v for k, v in base.items() if k not in ("earlier", "read_more", "wire_of", "seed")}
        article.update(url=f"/news/{ident}/{slug}-{i}", id=ident, title=f"{base['title']} ({i + 1})",
                       published=when, modified=when, body=body)
        out.append(article)
    return out


def build_outlet(n: int, cache: Path) -> Path:
    """The served folder of an ``n``-article copy (built once into ``cache``)."""
    from build import build_site  # tests/sites/build.py

    outlet = cache / f"{SPIDER}-{n}"
    site = outlet / SPIDER / "site"
    if (outlet / "done").exists():
        return site
    if outlet.exists():
        shutil.rmtree(outlet)
    fixture = ROOT / "tests" / "sites" / SPIDER
    shutil.copytree(fixture / "templates", outlet / SPIDER / "templates")
    config = (fixture / "site.toml").read_text()
    (outlet / SPIDER / "site.toml").write_text(config.replace("per_page = 4", f"per_page = {PER_PAGE}"))
    (outlet / SPIDER / "manifest.json").write_text(json.dumps(generated_manifest(n)))
    started = time.perf_counter()
    build_site(SPIDER, site, sites_dir=outlet)
    (outlet / "done").write_text(f"built in {time.perf_counter() - started:.0f} s\n")
    return site


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    """Serve ``site`` in a child process; returns it and its base URL."""
    code = ("import sys, time; from crawler.sitecopy import SiteServer, SiteCopy; from pathlib import Path; "
            "from crawler.outlets import get_source; "
            f"s = SiteServer(SiteCopy(root=Path(sys.argv[1]), origin=get_source({SPIDER!r}).site)); "
            "print(s.base, flush=True); time.sleep(10**6)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(site)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"the copy server did not start: {base!r}")
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


def article_urls(site: Path, base: str) -> list[str]:
    manifest = json.loads((site.parent / "manifest.json").read_text())
    return [base + a["url"] for a in manifest]


# -- memory of a process tree ----------------------------------------------------------------------

def tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of ``pid`` and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def run_sampled(args: list[str]) -> tuple[float, int, int]:
    """Run ``args``; return (wall seconds, peak tree RSS, peak RSS of the process itself)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = own = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        own = max(own, tree_rss_own(proc.pid))
        time.sleep(0.1)
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{args[:4]} failed ({proc.returncode}):\n{out[-2000:]}\n{err[-4000:]}")
    return time.perf_counter() - started, peak, own


def tree_rss_own(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
    except (FileNotFoundError, StopIteration):
        return 0


# -- the measurements ------------------------------------------------------------------------------

def bench_crawl(base: str, workdir: Path) -> dict:
    db = workdir / f"crawl-{time.time_ns()}.db"
    wall, peak, own = run_sampled([sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--db", str(db),
                                   "--since", SINCE, "--site", f"{SPIDER}={base}"])
    conn = sqlite3.connect(db)
    started, finished, stats = conn.execute(
        "select started, finished, stats from crawl_runs order by id desc limit 1").fetchone()
    stats = json.loads(stats)
    archived = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    pages = stats.get("pkus/extract/ok", 0) + stats.get("pkus/extract/failed", 0)
    seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    return {"pages": pages, "archived": archived, "requests": stats.get("downloader/request_count", 0),
            "seconds": seconds, "rate": pages / seconds, "wall": wall, "peak_tree_mb": peak / 2**20,
            "peak_main_mb": own / 2**20}


def bench_fetch_only(urls: list[str], workdir: Path) -> dict:
    url_file = workdir / "urls.txt"
    url_file.write_text("\n".join(urls))
    stats_file = workdir / "fetch-stats.json"
    run_sampled([sys.executable, __file__, "--fetch-only", str(url_file), str(stats_file)])
    stats = json.loads(stats_file.read_text())
    pages = stats["response_received_count"] - stats.get("robotstxt/response_count", 0)
    return {"pages": pages, "seconds": stats["elapsed_time_seconds"], "rate": pages / stats["elapsed_time_seconds"]}


def fetch_only(url_file: Path, stats_file: Path) -> None:
    """Child process: fetch every URL with the project's settings, keep nothing."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.outlets import get_source
    from crawler.run import project_settings

    urls = url_file.read_text().split()

    class FetchOnly(scrapy.Spider):
        name = "fetch-only"
        source = get_source(SPIDER)  # for the site guard (crawler.netsafety), as the crawl has it
        base = urls[0].split("/news/")[0]

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response):
            return None

    settings = project_settings(url_file.parent / "unused.db")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("ADDONS", {}, priority="cmdline")
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")  # what the crawl does on a loopback copy
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FetchOnly)
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float))}
    stats_file.write_text(json.dumps(stats))


def bench_extraction(site: Path, base: str, workers: int, limit: int = 600) -> dict:
    """The crawl's worker function over saved pages, in the crawl's pool: pages/s on ``workers`` cores."""
    from crawler.workers import analyse_page, default_workers, extract_page, process_pool

    manifest = json.loads((site.parent / "manifest.json").read_text())[:limit]
    jobs = [((site / a["url"].lstrip("/") / "index.html") if (site / a["url"].lstrip("/")).is_dir()
             else site / a["url"].lstrip("/"), a["url"]) for a in manifest]
    pages = [(path.read_bytes(), "text/html; charset=utf-8", "https://www.dawn.com" + url, SPIDER, {})
             for path, url in jobs]
    workers = workers or default_workers()
    out = {}
    with process_pool(workers) as pool:
        list(pool.map(extract_page, pages[:workers * 4], chunksize=1))  # start-up and warm caches first
        for name, fn in (("extract", extract_page), ("extract_classify", analyse_page)):
            started = time.perf_counter()
            results = list(pool.map(fn, pages, chunksize=1))
            out[name] = len(pages) / (time.perf_counter() - started)
            out[name + "_ok"] = sum(1 for r in results if r[0] is not None)
    out["pages"], out["workers"] = len(pages), workers
    return out


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="size of the throughput outlet")
    parser.add_argument("--memory", type=int, nargs=2, default=[1000, 10000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=2, help="runs of each rate measurement (best kept)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "pkus-crawl-scale")
    parser.add_argument("--write", action="store_true", help="rewrite this script's section of docs/benchmarks.md")
    parser.add_argument("--note", default="", help="a line about the conditions, put under the table")
    parser.add_argument("--fetch-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fetch_only:
        fetch_only(*args.fetch_only)
        return

    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "load": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = build_outlet(args.articles, args.cache)
        proc, base = serve(site)
        try:
            urls = article_urls(site, base)
            results["fetch_only"] = [bench_fetch_only(urls, work) for _ in range(args.repeat)]
            results["crawl"] = [bench_crawl(base, work) for _ in range(args.repeat)]
            results["extraction"] = bench_extraction(site, base, 0)
            results["extraction_1"] = bench_extraction(site, base, 1, limit=300)
        finally:
            stop(proc)
        for n in args.memory:
            site = build_outlet(n, args.cache)
            proc, base = serve(site)
            try:
                results[f"memory_{n}"] = bench_crawl(base, work)
            finally:
                stop(proc)
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=1))
    if args.write:
        write_doc(results, args)


def write_doc(r: dict, args) -> None:
    from crawl import write_section  # bench/crawl.py

    crawl = max(r["crawl"], key=lambda c: c["rate"])
    fetch = max(r["fetch_only"], key=lambda c: c["rate"])
    ex = r["extraction"]
    bound = min(fetch["rate"], ex["extract"])
    small, large = (r[f"memory_{n}"] for n in args.memory)
    ratio = large["peak_tree_mb"] / small["peak_tree_mb"]
    section = f"""{BEGIN}
## Crawl throughput and memory on a generated outlet (bench/crawl_scale.py)

Measured {r['date']} on {r['machine']}. **The machine was shared** by 5 helpers running
tests and benchmarks at the same time (load average {r['load'][0]:.1f} before, {r['load_after'][0]:.1f}
after), so these rates are low and noisy; the lead re-runs this on a quiet machine.
Outlet: Dawn's fixture markup with {args.articles:,} generated articles, served from a child
process on 127.0.0.1; best of {args.repeat} runs for each rate.

| measure | figure |
|---|---|
| crawl (`pkus crawl dawn --since`), article pages/s over the Scrapy run | **{crawl['rate']:.1f}/s** ({crawl['pages']} pages, {crawl['requests']} requests, {crawl['seconds']:.1f} s; command wall time {crawl['wall']:.1f} s with start-up and story regroup) |
| fetch-only Scrapy spider, same article URLs, same settings | {fetch['rate']:.1f}/s ({fetch['pages']} pages in {fetch['seconds']:.1f} s) |
| extraction, crawl worker function, {ex['workers']} worker processes | {ex['extract']:.1f}/s (+ classification: {ex['extract_classify']:.1f}/s; one worker: {r['extraction_1']['extract']:.1f}/s) over {ex['pages']} saved pages |
| crawl / min(fetch-only, extraction on every core) | **{crawl['rate'] / bound:.2f}** (target ≥ 0.8) |
| peak RSS, crawl + workers, {args.memory[0]:,} articles | {small['peak_tree_mb']:.0f} MB (crawl process alone {small['peak_main_mb']:.0f} MB) |
| peak RSS, crawl + workers, {args.memory[1]:,} articles | {large['peak_tree_mb']:.0f} MB (crawl process alone {large['peak_main_mb']:.0f} MB) |
| memory ratio {args.memory[1]:,} / {args.memory[0]:,} | **{ratio:.2f}** (target ≤ 1.2) |

{args.note}
{END}"""
    print(section)
    write_section(section, BEGIN, END)


if __name__ == "__main__":
    main()
