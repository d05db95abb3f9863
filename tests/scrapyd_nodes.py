"""Scrapyd as real server processes on free loopback ports, for tests; stopped by their pids.

Each node has its own folder (scrapyd.conf, eggs, logs, dbs) and its own HOME, so no
~/.scrapyd.conf or project scrapy.cfg of the machine leaks in.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .datasette_servers import free_port

CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {dir}/eggs
logs_dir = {dir}/logs
dbs_dir = {dir}/dbs
items_dir =
poll_interval = 0.2
max_proc = 6
"""


class ScrapydNode:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (folder / "scrapyd.conf").write_text(CONF.format(port=self.port, dir=folder))
        self.log = folder / "scrapyd.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "ScrapydNode":
        with open(self.log, "a") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=self.folder, stdout=out,
                                            stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(self.folder)})
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"scrapyd exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                self.get("daemonstatus")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.url} did not answer within {timeout}s:\n{self.log.read_text()}")
                time.sleep(0.2)

    def get(self, endpoint: str, **params) -> dict:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        with urllib.request.urlopen(f"{self.url}/{endpoint}.json?{query}", timeout=10) as response:
            return json.load(response)

    def jobs(self, project: str = "pkus-archive") -> dict:
        return self.get("listjobs", project=project)

    def children(self) -> set[int]:
        """The crawl processes Scrapyd runs now (its children, from /proc)."""
        if not self.process or self.process.poll() is not None:
            return set()
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.add(int(stat.parent.name))
        return found

    def kill(self) -> None:
        """The machine dies: Scrapyd and the crawls it runs, at once, with SIGKILL."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: int) -> None:
        crawls = self.children()  # taken while they are surely Scrapyd's, before it goes
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in crawls:  # a crawl outliving its node (or a failed test) must not stay behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
