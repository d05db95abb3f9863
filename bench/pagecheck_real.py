"""Real article pages must not be taken for non-articles, nor decoded into U+FFFD.

    python bench/pagecheck_real.py DIR     # a folder of saved article pages (*.html, *.html.gz)

For example the article-extraction-benchmark's ``html/`` folder (181 news and blog articles).
Every page there is an article, so every page `crawler.pagecheck.not_an_article` flags is a
false positive, and every U+FFFD that `crawler.encoding.decode_page` puts in a page whose bytes
do not contain one is a decoding error. Skips with a message when DIR is missing.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.encoding import decode_page  # noqa: E402
from crawler.pagecheck import not_an_article  # noqa: E402


def main(folder: Path) -> int:
    pages = sorted([*folder.glob("*.html"), *folder.glob("*.html.gz")])
    if not pages:
        print(f"skipped: no *.html or *.html.gz pages in {folder}")
        return 0
    flagged, replaced = [], []
    for path in pages:
        data = path.read_bytes()
        data = gzip.decompress(data) if path.suffix == ".gz" else data
        verdict = not_an_article(data, "text/html")
        if verdict:
            flagged.append((path.name, verdict[0]))
        if "\ufffd" in decode_page(data, None) and "\ufffd".encode() not in data:
            replaced.append(path.name)
    print(f"{len(pages)} article pages: {len(flagged)} taken for non-articles, {len(replaced)} decoded with U+FFFD")
    for name, reason in flagged:
        print(f"  flagged {name}: {reason}")
    for name in replaced:
        print(f"  U+FFFD  {name}")
    return 1 if flagged or replaced else 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("skipped: give a folder of saved article pages (e.g. article-extraction-benchmark/html)")
        sys.exit(0)
    sys.exit(main(Path(sys.argv[1])))
