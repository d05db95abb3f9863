"""Bad input: one clear line on stderr, a documented exit code, and the archive untouched.

Each case runs the real `pkus` in a child process. The read-only folder and the full disk are
real file systems (a small tmpfs, mounted read-only or left to fill up), mounted when the tests
run as root; as another user the read-only case uses file permissions and the full disk is skipped.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.archive import connect
from crawler.outlets import SOURCES_DIR, load_sources
from crawler.sitecopy import serve_copies, stop_all

from .conftest import ROOT, run_pkus
from .faults.server import FaultServers

USAGE, SOURCE, ARCHIVE, FAILED = 2, 3, 4, 1
ARCHIVE_COMMANDS = (["crawl", "diplomaticinsight"], ["search", "tariff"], ["sources"], ["reextract"], ["reclassify"])


def one_line(result, code: int, *phrases: str) -> str:
    """The command failed with ``code`` and said so in one line on stderr, without a traceback."""
    err = result.stderr.strip()
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "\n" not in err and err.startswith("pkus"), result.stderr
    for phrase in phrases:
        assert phrase in err, err
    return err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def empty_archive(path: Path) -> Path:
    connect(path).conn.close()
    return path


# -- the command line ----------------------------------------------------------------------

@pytest.mark.parametrize("since", ["notadate", "next tuesday", "2026-13-45", "yesterday"])
def test_since_must_be_a_date(tmp_path, since):
    db = tmp_path / "a.db"
    result = run_pkus("crawl", "diplomaticinsight", "--db", str(db), "--since", since, check=False)
    one_line(result, USAGE, "--since", "YYYY-MM-DD")
    assert not db.exists()  # refused before anything was opened


def test_since_accepts_a_date_and_an_iso_time():
    from crawler.cli_errors import DATE

    assert DATE.convert("2026-03-01", None, None) == "2026-03-01"
    assert DATE.convert("2026-03-01T05:00:00+05:00", None, None) == "2026-03-01T05:00:00+05:00"


def test_site_for_a_spider_not_being_crawled_is_refused(tmp_path):
    db = tmp_path / "a.db"
    result = run_pkus("crawl", "dawn", "--site", "nosuch=http://127.0.0.1:1", "--db", str(db), check=False)
    one_line(result, USAGE, "nosuch", "--site")
    assert not db.exists()  # and dawn's live site was not crawled


def test_site_check_with_an_unknown_spider_is_refused():
    result = run_pkus("sources", "check", "dawn", "--site", "nosuch=http://127.0.0.1:1", check=False)
    one_line(result, USAGE, "nosuch")


# -- the archive ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ARCHIVE_COMMANDS, ids=lambda c: c[0])
def test_a_file_that_is_not_sqlite(tmp_path, command):
    db = tmp_path / "archive.db"
    db.write_text("id,title\n1,this is a CSV file someone saved as archive.db\n" * 20)
    before = digest(db)
    result = run_pkus(*command, "--db", str(db), check=False)
    one_line(result, ARCHIVE, "is not an SQLite archive", str(db))
    assert digest(db) == before


@pytest.mark.parametrize("command", ARCHIVE_COMMANDS, ids=lambda c: c[0])
def test_a_corrupt_archive(tmp_path, command):
    db = empty_archive(tmp_path / "archive.db")
    data = bytearray(db.read_bytes())
    data[100:3 * 4096] = bytes((i * 7 + 3) % 251 for i in range(3 * 4096 - 100))  # keep the header, break the schema
    db.write_bytes(bytes(data))
    before = digest(db)
    result = run_pkus(*command, "--db", str(db), check=False)
    one_line(result, ARCHIVE, "is corrupt", "restore it from a backup")
    assert digest(db) == before


def test_a_missing_folder(tmp_path):
    result = run_pkus("crawl", "diplomaticinsight", "--db", str(tmp_path / "nowhere" / "a.db"), check=False)
    one_line(result, ARCHIVE, "there is no folder")


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=True)  # still busy: detach it, never leave it mounted


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder holding an archive that cannot be written: a read-only mount (root) or mode 555."""
    folder = tmp_path / "ro"
    mounted = _mount_tmpfs(folder, "4m")
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("cannot mount a tmpfs here, and root ignores file permissions")
        folder.mkdir()
    empty_archive(folder / "archive.db")
    for leftover in folder.glob("archive.db-*"):
        leftover.unlink(missing_ok=True)
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    yield folder
    if mounted:
        _umount(folder)
    else:
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ARCHIVE_COMMANDS, ids=lambda c: c[0])
def test_a_read_only_folder(read_only_folder, command):
    db = read_only_folder / "archive.db"
    before = digest(db)
    result = run_pkus(*command, "--db", str(db), check=False)
    one_line(result, ARCHIVE, "read-only")
    assert digest(db) == before


def test_a_full_disk_stops_the_crawl_with_one_line_and_a_sound_archive(tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "700k"):
        pytest.skip("needs root to mount a small tmpfs to fill up")
    servers = serve_copies({"diplomaticinsight": load_sources()["diplomaticinsight"]})
    try:
        db = disk / "archive.db"
        result = run_pkus("crawl", "diplomaticinsight", "--site", f"diplomaticinsight={servers['diplomaticinsight'].base}",
                          "--db", str(db), "--since", "2025-01-01", check=False)
        one_line(result, ARCHIVE, "the disk is full", "free some space")
        assert shutil.disk_usage(disk).free < 64 * 1024  # it really filled up
        conn = sqlite3.connect(db)
        try:  # every transaction either committed or rolled back
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            held = conn.execute("select count(*) from articles").fetchone()[0]
            assert held == conn.execute("select count(*) from urls where state = 'archived'").fetchone()[0]
        finally:
            conn.close()
    finally:
        stop_all(servers)
        _umount(disk)


# -- source files ----------------------------------------------------------------------------

def _sources(tmp_path: Path, **files: str) -> dict:
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return {"PKUS_SOURCES": str(folder)}


GOOD = 'name = "Bad Outlet"\nsite = "https://bad.example.com"\n'


@pytest.mark.parametrize("text,phrase", [
    (GOOD + "[discover]\nfeeds = 5\n", "'feeds' must be a string or a list of strings"),
    (GOOD + '[discover]\nlistings = ["/news/"]\nlisting_links = "a[href"\n', "bad CSS selector in 'listing_links'"),
    (GOOD + '[extract]\nauthor = ".byline >> span"\n', "bad CSS selector in 'author'"),
    (GOOD + '[discover]\narticles = ["^/news/(\\\\d+$"]\n', "bad regex in 'articles'"),
    (GOOD + "[crawl]\nmax_size = \"big\"\n", "'max_size' must be a number"),
    ('name = "Bad Outlet"\nsite = "https://bad.example.com/news/"\n', "'site' must be an origin"),
    (GOOD + 'timezone = "Asia/Lahore"\n', "unknown timezone"),
    (GOOD + "feeds = [\n", "bad"),
    (GOOD + 'founded = "1947"\n', "'founded' must be a year"),
], ids=["feeds-5", "css-listing", "css-extract", "regex", "max-size", "site-path", "timezone", "toml", "founded"])
def test_a_broken_source_file_is_one_line_naming_it(tmp_path, text, phrase):
    env = _sources(tmp_path, bad=text)
    result = run_pkus("crawl", "bad", "--db", str(tmp_path / "a.db"), env=env, check=False)
    err = one_line(result, SOURCE, "bad.toml", "Adding an outlet")
    assert phrase in err or phrase == "bad", err
    assert not (tmp_path / "a.db").exists()


def test_one_broken_source_file_does_not_stop_crawl_all(tmp_path):
    env = _sources(tmp_path, bad=GOOD + "[discover]\nfeeds = 5\n",
                   diplomaticinsight=(SOURCES_DIR / "diplomaticinsight.toml").read_text(encoding="utf-8"))
    servers = serve_copies({"diplomaticinsight": load_sources()["diplomaticinsight"]})
    try:
        result = run_pkus("crawl", "--all", "--site", f"diplomaticinsight={servers['diplomaticinsight'].base}",
                          "--db", str(tmp_path / "a.db"), env=env, check=False)
    finally:
        stop_all(servers)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("diplomaticinsight: finished")
    one_line(result, 0, "skipping bad", "'feeds' must be")


# -- the network ------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("target", ["https://www.dawn.invalid/news/1", "closed-port"])
def test_extract_of_a_url_it_cannot_reach(target):
    if target == "closed-port":
        target = f"http://127.0.0.1:{_closed_port()}/news/1"
    result = run_pkus("extract", target, check=False)
    one_line(result, FAILED, "cannot fetch", "pkus extract FILE --url URL")


def test_extract_refuses_an_offsite_redirect():
    with FaultServers() as servers:
        result = run_pkus("extract", servers.site.base + "/news/offsite-redirect", check=False)
        assert servers.site.offsite_hits() == []
    one_line(result, FAILED, "refused an off-site redirect")


def test_an_offline_live_crawl_fails_fast_with_one_line(tmp_path):
    try:
        socket.getaddrinfo("www.dawn.com", 443)
        pytest.skip("this machine can resolve www.dawn.com: not crawling the live site from the tests")
    except OSError:
        pass
    started = time.monotonic()
    result = run_pkus("crawl", "dawn", "--db", str(tmp_path / "a.db"), check=False)
    assert time.monotonic() - started < 30
    assert result.returncode == FAILED and result.stderr == "", result.stderr
    assert result.stdout.startswith("dawn: failed") and result.stdout.count("\n") == 1
    assert "DNS lookup failed for www.dawn.com" in result.stdout


def test_the_console_script_uses_the_same_wrapper():
    """`pkus` (the installed entry point) and `python -m crawler.cli` both go through main()."""
    pkus = Path(sys.executable).parent / "pkus"
    if not pkus.exists():
        pytest.skip("pkus is not installed in this environment")
    result = subprocess.run([str(pkus), "crawl", "dawn", "--since", "notadate"], capture_output=True, text=True, cwd=ROOT)
    one_line(result, USAGE, "--since")
