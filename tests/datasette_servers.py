"""Datasette as a real server process on a free loopback port, for tests; stopped by its pid."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(cmd: list[str], port: int, log: Path, timeout: float = 60):
    """Start ``cmd`` (a server on ``port``), wait until it answers, yield its base URL, stop it."""
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{base} did not answer within {timeout}s:\n{log.read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pkus_serve(db: Path, port: int) -> list[str]:
    """The exact command a user runs: `pkus serve` (it execs Datasette, so the pid is Datasette's)."""
    return [sys.executable, "-m", "crawler.cli", "serve", "--db", str(db), "--port", str(port)]


def plain_datasette(db: Path, port: int) -> list[str]:
    """Plain `datasette archive.db -m datasette/metadata.yml`, with nothing from pkus on the line."""
    return [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(ROOT / "datasette" / "metadata.yml"),
            "--host", "127.0.0.1", "--port", str(port)]
