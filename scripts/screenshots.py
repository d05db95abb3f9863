"""Refresh the README's screenshots (docs/datasette-*.png) from an archive, in Debian's Chromium.

    bash scripts/demo.sh --no-serve            # build archive.db from the offline outlets
    .venv/bin/python scripts/screenshots.py    # serve it on a free port, capture, stop the server

Takes --db (default archive.db) and --out (default docs/).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
SEED_000 = "Pakistan, US Pledge to Deepen Economic Cooperation in Key Sectors"
# (file, path, viewport, whole page?)
SHOTS = [
    ("datasette-home.png", "/", DESK, True),
    ("datasette-search.png", "/search?q=Lutnick", DESK, False),
    ("datasette-search-phone.png", "/search?q=Lutnick", PHONE, False),
    ("datasette-stories.png", "/search?q=tariff&group=story", DESK, False),
    ("datasette-chart.png", "/coverage", DESK, False),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="archive.db")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    if not Path(args.db).exists():
        sys.exit(f"no archive at {args.db}: run `bash scripts/demo.sh --no-serve` first")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", args.db, "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, path, viewport, full in SHOTS:
                page = browser.new_page(viewport=viewport)
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(Path(args.out) / name), full_page=full)
                page.close()
            page = browser.new_page(viewport=DESK)  # the article page of seed 000
            page.goto(base + "/search?" + urllib.parse.urlencode({"q": f'title:"{SEED_000}"'}))
            page.locator("li.pkus-hit h2 a").first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(Path(args.out) / "datasette-article.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {args.out}")


if __name__ == "__main__":
    main()
