"""Turn the public gitcodeuu/xai_articles collection (2025 Dawn and APP articles) into `pkus import` records.

    python bench/xai_records.py SRC OUT.jsonl [--copies N] [--limit N]

SRC is a checkout of github.com/gitcodeuu/xai_articles (or any folder holding its
``data/<outlet>/articles/**/*.json`` files); OUT gets one JSON Lines record per article in the
archive's column names (README, "Importing records"). Keep OUT outside the repository: it is
publisher text. ``--copies N`` writes each article N times with a varied URL (``?copy=k``)
and a varied last paragraph (so its content hash differs and it is not a wire copy of itself),
to reach 100,000 records from ~42,000 articles; the figures say so when it is used.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

OUTLETS = {"dawn": "dawn", "app": "app"}  # folder under data/ -> the archive's spider name
_DAWN_TITLE = re.compile(r"(?:\s+-\s+[^-]{1,40})?\s+-\s+DAWN\.COM$")  # "Headline - Business - DAWN.COM"


def record(raw: dict, spider: str) -> dict | None:
    """One source JSON file as an import record; None when it has no text or address."""
    body = (raw.get("content") or "").replace("\u00ad", "")  # Dawn's soft hyphens split words for search
    title = _DAWN_TITLE.sub("", (raw.get("title") or "").replace("\u00ad", "")).strip()
    url = (raw.get("link") or "").strip()
    if not body.strip() or not title or not url.startswith(("http://", "https://")):
        return None
    paragraphs = [p.strip() for p in re.split(r"\n+", body) if p.strip()]
    out = {"url": url, "source": spider, "title": title, "body": "\n\n".join(paragraphs)}
    if raw.get("date_published"):
        out["published"] = raw["date_published"]
    elif raw.get("dateList"):
        out["published"] = raw["dateList"]  # the listing's day, a date without a time
    if raw.get("author"):
        out["author"] = raw["author"]
    if raw.get("tags"):
        out["tags"] = [t for t in raw["tags"] if isinstance(t, str)]
    if isinstance(raw.get("image"), str) and raw["image"].startswith("http"):
        out["image"] = raw["image"]
    if raw.get("retrievedAt"):
        out["first_seen"] = out["last_seen"] = raw["retrievedAt"]
    return out


def articles(src: Path):
    for folder, spider in OUTLETS.items():
        for path in sorted((src / "data" / folder / "articles").rglob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue  # one file in the collection is empty
            item = record(raw, spider)
            if item is not None:
                yield item


def copy(item: dict, k: int) -> dict:
    if k == 0:
        return item
    sep = "&" if "?" in item["url"] else "?"
    return {**item, "url": f"{item['url']}{sep}copy={k}", "body": f"{item['body']}\n\n(Copy {k}.)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=1, help="each article this many times, URLs varied")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many records")
    args = parser.parse_args(argv)
    items = list(articles(args.src))
    written = 0
    with args.out.open("w", encoding="utf-8") as out:
        for k in range(args.copies):
            for item in items:
                if args.limit is not None and written >= args.limit:
                    break
                out.write(json.dumps(copy(item, k), ensure_ascii=False) + "\n")
                written += 1
    print(f"{len(items)} articles, {written} records -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
