"""Benchmark: the relevance model over a whole year of real news, not a sample.

    .venv/bin/python bench/topics_stream.py MIRROR [--commit REV] [--kept FILE] [--no-docs]

MIRROR is a git copy (bare or not) of the public repository gitcodeuu/xai_articles, a scrape
of every Dawn and APP article of 2025 (bring it here with the search tool's `fetch`). The
JSON files are read straight from git (`git ls-tree`, then one `git cat-file --batch`), with
the de-duplication rules of the real-topics development set: one copy per link (the copy
filed under its own publication date, else the first path in sort order), identical texts
collapsed, bodies under 80 words left out. Every article is classified with the current model;
the script prints how many it keeps per outlet and per month and how long it takes, and
rewrites its section of docs/benchmarks.md. `--kept FILE` writes the kept articles (id,
outlet, date, probability, title, link) as JSON for spot-checking: the texts are the
publishers', so keep that file out of the repository.

Without MIRROR (or when it is not a copy of that repository) it says so and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import write_section  # noqa: E402 - bench/crawl.py, beside this script
from crawler.topics import classify, load_model  # noqa: E402

BEGIN, END = "<!-- bench/topics_stream.py begin -->", "<!-- bench/topics_stream.py end -->"
OUTLETS = ("dawn", "app")
PATH = re.compile(r"^data/(?P<outlet>dawn|app)/articles/(?P<date>\d{4}/\d{2}/\d{2})/[^/]+\.json$")
TITLE_SUFFIX = re.compile(r"(\s+-\s+[^-]{1,40})?\s+-\s+DAWN\.COM\s*$")  # "... - Pakistan - DAWN.COM"
# Page furniture in the scraped text: ad scripts, video players, Dawn's player speeds.
JUNK = re.compile(r"^\(adsbygoogle=|^Video Player\s*https?://|^JOIN OUR WHATSAPP CHANNEL$|^\d(\.\d+)?x$|^0$")
MIN_WORDS = 80


def git(mirror: str, *args: str) -> str:
    return subprocess.run(["git", "-C", mirror, *args], check=True, capture_output=True, text=True).stdout


def blobs(mirror: str, rev: str, paths: list[str]):
    """(path, bytes) for each path, through one `git cat-file --batch` process."""
    proc = subprocess.Popen(["git", "-C", mirror, "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    try:
        for path in paths:
            proc.stdin.write(f"{rev}:{path}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if header[-1] == b"missing":
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            yield path, data
    finally:
        proc.stdin.close()
        proc.wait()


def body_of(content: str) -> str:
    lines = (line.strip() for line in (content or "").replace("\r\n", "\n").replace("\\n", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line and not JUNK.search(line))


def articles(mirror: str, rev: str) -> tuple[list[dict], dict]:
    """The de-duplicated articles of both outlets, and counts of what was set aside."""
    listing = git(mirror, "ls-tree", "-r", "--name-only", rev, "--", *(f"data/{o}/articles" for o in OUTLETS))
    paths = sorted(p for p in listing.splitlines() if PATH.match(p))
    by_link: dict[str, dict] = {}
    counts = Counter(files=len(paths))
    for path, data in blobs(mirror, rev, paths):
        try:
            raw = json.loads(data)
        except ValueError:
            counts["unreadable"] += 1
            continue
        match = PATH.match(path)
        published = raw.get("date_published") or ((raw.get("dateList") or [None])[0])
        link = raw.get("link") or path
        item = {"id": f"{match['outlet']}-{Path(path).stem.split('_')[-1][:8]}", "outlet": match["outlet"],
                "path": path, "url": link, "published": published, "month": match["date"][:7].replace("/", "-"),
                "title": TITLE_SUFFIX.sub("", (raw.get("title") or "").strip()).strip(),
                "body": body_of(raw.get("content") or "")}
        own_date = bool(published) and str(published)[:10].replace("-", "/") == match["date"]
        kept = by_link.get(link)
        # one copy per link: the one filed under its own date, else the first in path order
        if kept is None or (own_date and not kept["own_date"]):
            by_link[link] = {**item, "own_date": own_date}
    counts["links"] = len(by_link)
    seen_text, out = set(), []
    for item in sorted(by_link.values(), key=lambda i: i["path"]):
        text = re.sub(r"\s+", " ", item["body"]).strip()
        if text in seen_text:
            counts["same_text"] += 1
            continue
        seen_text.add(text)
        if len(text.split()) < MIN_WORDS:
            counts["short"] += 1
            continue
        out.append(item)
    return out, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", nargs="?", help="git copy of gitcodeuu/xai_articles")
    parser.add_argument("--commit", default="HEAD", help="revision to read (default HEAD)")
    parser.add_argument("--kept", type=Path, help="write the kept articles here (JSON; not for the repository)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not args.mirror or not Path(args.mirror).is_dir():
        print("topics_stream: skipped: give the path of a git copy of gitcodeuu/xai_articles "
              "(the search tool's fetch of github:gitcodeuu/xai_articles prints it)", file=sys.stderr)
        return 2
    try:
        rev = git(args.mirror, "rev-parse", args.commit).strip()
        git(args.mirror, "cat-file", "-e", f"{rev}:data/dawn/articles")
    except subprocess.CalledProcessError:
        print(f"topics_stream: skipped: {args.mirror} is not a git copy of gitcodeuu/xai_articles "
              f"with data/dawn/articles at {args.commit}", file=sys.stderr)
        return 2

    load = os.getloadavg()
    start = time.perf_counter()
    items, counts = articles(args.mirror, rev)
    read_seconds = time.perf_counter() - start
    model = load_model()
    start, cpu = time.perf_counter(), time.process_time()
    kept = []
    for item in items:
        verdict = classify(item["title"], item["body"], model)
        if verdict.relevant:
            kept.append({k: item[k] for k in ("id", "outlet", "month", "published", "url", "title")}
                        | {"probability": verdict.score})
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu

    total = Counter(i["outlet"] for i in items)
    kept_by = Counter(k["outlet"] for k in kept)
    # months of the folder the copy was filed under (its publication date; a few dates_published are garbled)
    months = sorted({i["month"] for i in items})
    per_month = defaultdict(Counter)
    for i in items:
        per_month[i["month"]][i["outlet"]] += 1
    kept_month = defaultdict(Counter)
    for k in kept:
        kept_month[k["month"]][k["outlet"]] += 1
    if args.kept:
        args.kept.write_text(json.dumps(sorted(kept, key=lambda k: (k["published"] or "", k["id"])),
                                        ensure_ascii=False, indent=1), encoding="utf-8")

    rows = "\n".join(f"| {o} | {total[o]:,} | {kept_by[o]} | {100 * kept_by[o] / max(total[o], 1):.2f} % |"
                     for o in OUTLETS)
    month_rows = "\n".join(
        f"| {m} | {per_month[m]['dawn']:,} | {kept_month[m]['dawn']} | {per_month[m]['app']:,} | {kept_month[m]['app']} |"
        for m in months)
    section = f"""{BEGIN}
## Relevance over a year of real news (bench/topics_stream.py)

Measured {time.strftime('%Y-%m-%d')} on CPython {platform.python_version()}, {os.cpu_count()} CPUs,
{platform.machine()}, load average {load[0]:.2f} at the start (a machine shared with other work);
model v{model.version}, threshold {model.threshold:g}. Input: every Dawn and APP article of
gitcodeuu/xai_articles at {rev[:10]} ({counts['files']:,} files; one copy per link, identical texts
collapsed ({counts['same_text']:,}), {counts['short']:,} under {MIN_WORDS} words left out), read straight from git.

| outlet | articles | kept | kept rate |
|---|---|---|---|
{rows}
| all | {len(items):,} | {len(kept)} | {100 * len(kept) / max(len(items), 1):.2f} % |

| month | Dawn articles | Dawn kept | APP articles | APP kept |
|---|---|---|---|---|
{month_rows}

| measure | figure |
|---|---|
| reading and de-duplicating {counts['files']:,} JSON files from git | {read_seconds:.0f} s |
| classifying {len(items):,} articles (wall / CPU) | {seconds:.0f} s / {cpu:.0f} s |
| per article | {1000 * seconds / max(len(items), 1):.1f} ms |
{END}"""
    print(section)
    if not args.no_docs:
        write_section(section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
