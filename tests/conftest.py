"""Shared fixtures: the offline outlets served on loopback, and crawls run the way users run them.

Crawls run in a child process (`python -m crawler.cli crawl ...`), as cron and the scheduler
run them: Twisted's reactor cannot be restarted inside the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from w3lib.url import canonicalize_url

from crawler.outlets import load_sources
from crawler.sitecopy import SITES_DIR, available_copies, serve_copies, stop_all

ROOT = Path(__file__).resolve().parent.parent
DEMO_SINCE = "2025-01-01"


def run_pkus(*args: str, env: dict | None = None, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
    """Run the pkus CLI in a child process, as a user (or cron) would."""
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"pkus {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def crawl(db: Path, servers: dict, *spiders: str, since: str | None = None, check: bool = True,
          extra: tuple[str, ...] = (), env: dict | None = None) -> subprocess.CompletedProcess:
    names = spiders or tuple(servers)
    args = ["crawl", *names, "--db", str(db)]
    for name in names:
        args += ["--site", f"{name}={servers[name].base}"]
    if since:
        args += ["--since", since]
    return run_pkus(*args, *extra, check=check, env=env)


def manifest(spider: str) -> list[dict]:
    return json.loads((SITES_DIR / spider / "manifest.json").read_text(encoding="utf-8"))


def live_url(spider: str, path: str) -> str:
    """The canonical URL the archive keys an article under: the live origin, not the copy's address."""
    return canonicalize_url(load_sources()[spider].site + path)


@pytest.fixture(scope="session")
def copies():
    """Every outlet that has an offline copy, keyed by spider name."""
    return available_copies()


@pytest.fixture(scope="session")
def servers(copies):
    """All offline copies, served on free loopback ports for the whole session."""
    running = serve_copies(copies)
    yield running
    stop_all(running)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, servers):
    """One back-filling crawl of every offline outlet, as `pkus demo` does; shared read-only."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    for server in servers.values():
        server.copy.log.clear()
    result = crawl(db, servers, since=DEMO_SINCE)
    return {"db": db, "output": result.stdout}


async def datasette_get(db: Path, path: str):
    """GET a path from Datasette serving `db` with the project's metadata, in process."""
    import yaml
    from datasette.app import Datasette

    from crawler.cli import DATASETTE_DIR

    ds = Datasette([str(db)], metadata=yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text()))
    await ds.invoke_startup()
    return await ds.client.get(path)
