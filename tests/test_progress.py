"""What a crawl prints while it runs: each outlet's line as it finishes; live progress on a terminal only."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

from crawler.outlets import SOURCES_DIR, load_sources
from crawler.sitecopy import serve_copies, stop_all

from .conftest import ROOT
from .faults.server import SOURCE_DIR, SPIDER, FaultServers

BOTH = {"PKUS_SOURCES": os.pathsep.join([str(SOURCES_DIR), str(SOURCE_DIR)])}


def test_each_outlets_summary_is_printed_when_it_finishes(tmp_path):
    """The quick outlet's line comes while the slow one (timeouts, Retry-After) still crawls."""
    copies = serve_copies({"diplomaticinsight": load_sources()["diplomaticinsight"]})
    try:
        with FaultServers() as faults:
            child = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "crawl", "diplomaticinsight", SPIDER, "--db", str(tmp_path / "a.db"),
                 "--site", f"diplomaticinsight={copies['diplomaticinsight'].base}", "--site", f"{SPIDER}={faults.site.base}"],
                cwd=ROOT, env={**os.environ, **BOTH}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines = [(time.monotonic(), line) for line in child.stdout]
            err = child.stderr.read()
            child.wait(timeout=120)
    finally:
        stop_all(copies)
    assert child.returncode == 0 and err == "", err
    assert [line.split(":")[0] for _, line in lines] == ["diplomaticinsight", SPIDER]
    assert lines[1][0] - lines[0][0] > 1.0  # printed as it finished, not together at the end


def test_a_terminal_gets_live_progress_then_the_summary(tmp_path):
    with FaultServers() as faults:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
        child = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--db", str(tmp_path / "a.db"),
                                  "--site", f"{SPIDER}={faults.site.base}"],
                                 cwd=ROOT, env={**os.environ, "PKUS_SOURCES": str(SOURCE_DIR), "TERM": "xterm"},
                                 stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        output = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            try:
                chunk = os.read(master, 65536) if ready else b""
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                break
            output += chunk
        os.close(master)
        child.wait(timeout=60)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", "replace"))
    assert child.returncode == 0
    live = re.findall(r"faults\s+(\d+) requests\s+(\d+) new\s+(\d+) failures", text)
    assert len(live) >= 3 and max(int(r) for r, _, _ in live) > 10, text[-2000:]
    assert "faults: finished," in text and "Traceback" not in text
