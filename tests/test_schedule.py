"""Running unattended: the schedule file, the `pkus schedule` service, and `pkus crawl` under cron."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlite_utils

from crawler.outlets import load_sources
from crawler.run import writer_lock
from crawler.scheduler import DEFAULT_CONFIG, ScheduleError, load_schedule, make_scheduler, next_runs
from crawler.sitecopy import SiteCopy, SiteServer, copy_root

from .conftest import ROOT, run_pkus

SPIDER = "diplomaticinsight"
SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def schedule_file(tmp_path: Path, jobs: str, header: str = 'timezone = "UTC"\nmisfire_grace_time = 30\n') -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(header + jobs, encoding="utf-8")
    return path


def cron_job(tmp_path: Path, cron: str):
    return load_schedule(schedule_file(tmp_path, f'[[job]]\nid = "j"\ncron = "{cron}"\n')).jobs[0]


def weekdays(job, count=7) -> list[str]:
    return [t.strftime("%a") for t in next_runs(job, count, SUNDAY)]


@pytest.mark.parametrize("cron, days", [
    ("0 9 * * 1", ["Mon"]),  # APScheduler's own from_crontab would say Tuesday
    ("0 9 * * 0", ["Sun"]),
    ("0 9 * * 7", ["Sun"]),
    ("0 9 * * 1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("0 9 * * 0-2", ["Sun", "Mon", "Tue"]),
    ("0 9 * * 5,6", ["Fri", "Sat"]),
    ("0 9 * * mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
    ("0 9 * * sun", ["Sun"]),
])
def test_cron_days_of_week_mean_what_cron_means(tmp_path, cron, days):
    assert sorted(set(weekdays(cron_job(tmp_path, cron))), key=days.index) == days


def test_numeric_day_of_week_steps_are_refused(tmp_path):
    with pytest.raises(ScheduleError, match="by name"):
        cron_job(tmp_path, "0 9 * * */2")


@pytest.mark.parametrize("jobs, message", [
    ('[[job]]\nid = "a"\ncron = "* * * * *"\ninterval = { minutes = 5 }\n', "either cron"),
    ('[[job]]\nid = "a"\ninterval = { minutes = 5 }\nspiders = ["nosuch"]\n', "unknown spider nosuch"),
    ('[[job]]\nid = "a"\ninterval = { minutes = 5 }\nevery = 3\n', "unknown keys"),
    ('[[job]]\nid = "a"\ncron = "* * *"\n', "5 fields"),
    ('[[job]]\nid = "a"\ninterval = { minutes = 5 }\n[[job]]\nid = "a"\ninterval = { minutes = 6 }\n', "own id"),
    ('[[job]]\nid = "a"\ninterval = { fortnights = 1 }\n', "fortnights"),
])
def test_schedule_file_errors_say_what_is_wrong(tmp_path, jobs, message):
    with pytest.raises(ScheduleError, match=message):
        load_schedule(schedule_file(tmp_path, jobs))


def test_default_schedule_loads_and_check_prints_next_runs():
    plan = load_schedule(DEFAULT_CONFIG)
    assert [job.id for job in plan.jobs] == ["news", "backfill"]
    assert {t.strftime("%a %H:%M") for t in next_runs(plan.jobs[1], 3, SUNDAY)} == {"Sun 03:40"}
    result = run_pkus("schedule", "--check")
    assert result.stdout.splitlines()[0].startswith("news: every outlet, cron '*/30 * * * *', jitter 120s")


def test_job_store_keeps_unchanged_jobs_and_replaces_changed_ones(tmp_path):
    from apscheduler.schedulers.base import BaseScheduler

    class LooplessScheduler(BaseScheduler):
        """Starts (and so syncs the store) and stops, but has no loop: nothing ever runs. A
        BackgroundScheduler's loop would process due jobs once more after shutdown()."""

        def wakeup(self):
            pass

        def shutdown(self, wait=True):
            super().shutdown(wait)

    db, store = tmp_path / "archive.db", tmp_path / "jobs.sqlite"

    missed = datetime(2026, 1, 1, 6, tzinfo=timezone.utc)

    def started(jobs: str, down_at_daily_run: bool = False):
        scheduler = make_scheduler(load_schedule(schedule_file(tmp_path, jobs)), db, store, LooplessScheduler)
        scheduler.start()
        if down_at_daily_run:  # as if the service stopped just before the daily run was due
            scheduler.modify_job("daily", next_run_time=missed)
        state = {job.id: job.next_run_time for job in scheduler.get_jobs()}
        scheduler.shutdown()
        return state

    daily = '[[job]]\nid = "daily"\ncron = "0 6 * * *"\n'
    first = started(daily + '[[job]]\nid = "hourly"\ninterval = { hours = 1 }\n', down_at_daily_run=True)
    assert set(first) == {"daily", "hourly"}
    second = started(daily)  # hourly dropped from the file; daily unchanged
    assert set(second) == {"daily"}
    assert second["daily"] == missed  # kept, so the scheduler runs it at once if within misfire_grace_time
    third = started('[[job]]\nid = "daily"\ncron = "0 7 * * *"\n')  # changed: replaced, rescheduled
    assert third["daily"] > datetime.now(timezone.utc) and third["daily"].hour == 7


# -- the service, as a child process ---------------------------------------------------------------
def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def runs(db: Path) -> list[dict]:
    """crawl_runs, read the way a reader would: read-only, never in the writer's way."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return list(sqlite_utils.Database(conn).query("select * from crawl_runs order by id"))
    except sqlite3.OperationalError:  # not created or not migrated yet
        return []


class Service:
    """`pkus schedule` in a child process, with the crawls it starts watched through /proc."""

    def __init__(self, tmp_path: Path, jobs: str):
        self.db = tmp_path / "archive.db"
        self.log = tmp_path / "schedule.log"
        config = schedule_file(tmp_path, jobs)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "schedule", "--config", str(config), "--db", str(self.db)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.crawls: set[int] = set()

    def wait_for(self, condition, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"timed out\n{self.log.read_text()}"
            self.crawls |= children_of(self.process.pid)
            time.sleep(0.1)

    def stop(self) -> int:
        self.crawls |= children_of(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=180)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for pid in self.crawls:  # a test that failed must not leave a crawl behind
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def job_on(server: SiteServer, every: str, job_id: str = "often") -> str:
    return (f'[[job]]\nid = "{job_id}"\nspiders = ["{SPIDER}"]\ninterval = {{ {every} }}\ntimeout = 120\n'
            f'sites = {{ {SPIDER} = "{server.base}" }}\n')


@pytest.fixture
def outlet():
    server = SiteServer(SiteCopy(root=copy_root(SPIDER), origin=load_sources()[SPIDER].site))
    yield server
    server.stop()


def test_scheduler_runs_crawls_one_at_a_time_and_stops_cleanly(tmp_path, outlet):
    # two jobs that always fire together: they queue for the one worker, never run at once
    service = Service(tmp_path, job_on(outlet, "seconds = 2") + job_on(outlet, "seconds = 2", "also"))
    try:
        service.wait_for(lambda: sum(r["status"] == "finished" for r in runs(service.db)) >= 3)
        assert service.crawls, "no crawl child was seen"
    finally:
        code = service.stop()
    assert code == 0, service.log.read_text()
    assert not [pid for pid in service.crawls if alive(pid)], "a crawl outlived the scheduler"

    rows = runs(service.db)
    assert all(r["status"] in ("finished", "shutdown") for r in rows), rows
    for earlier, later in zip(rows, rows[1:]):  # never two at once
        assert earlier["finished"] and later["started"] >= earlier["finished"], (earlier, later)
    log = service.log.read_text()
    # one summary line per crawl (a crawl that got the SIGTERM while exiting may say "exit -15")
    assert log.count("often: exit ") + log.count("also: exit ") == len(rows) >= 3
    assert "often: exit 0" in log and "also: exit 0" in log
    assert "ERROR" not in log
    assert f"{SPIDER}: finished, " in log
    assert "pkus schedule: stopped" in log


def test_sigterm_during_a_crawl_stops_it_gracefully(tmp_path, outlet):
    outlet.copy.delay = 0.3  # slow enough that the crawl is still running when the signal comes
    service = Service(tmp_path, job_on(outlet, "seconds = 1"))
    try:
        service.wait_for(lambda: any(r["status"] == "running" for r in runs(service.db)))
    finally:
        code = service.stop()
    assert code == 0, service.log.read_text()
    assert not [pid for pid in service.crawls if alive(pid)]
    assert [r["status"] for r in runs(service.db)] == ["shutdown"]  # Scrapy closed the spider and said so
    assert "SIGTERM: stopping once the running crawl has ended (1 running)" in service.log.read_text()


def test_a_second_scheduler_on_the_same_job_store_refuses_to_start(tmp_path):
    db = tmp_path / "archive.db"
    with writer_lock(f"{db}-schedule.sqlite", what="pkus schedule"):
        result = run_pkus("schedule", "--db", str(db), check=False)
    assert result.returncode == 1
    assert "the schedule is already running" in result.stderr


# -- cron: pkus crawl ------------------------------------------------------------------------------
def test_crawl_while_another_holds_the_lock_exits_0_with_a_message(tmp_path):
    db = tmp_path / "archive.db"
    with writer_lock(db):
        result = run_pkus("crawl", SPIDER, "--db", str(db), "--site", f"{SPIDER}=http://127.0.0.1:9", check=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"pkus: another crawl is writing {db} (pid {os.getpid()}); not starting another crawl"


def test_example_crontab_runs_pkus_crawl_with_day_names():
    lines = [line for line in (ROOT / "schedules" / "crontab").read_text().splitlines()
             if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(lines) == 2
    for line in lines:
        minute, hour, day, month, dow, *command = line.split()
        assert not any(c.isdigit() for c in dow), f"day of week by name, not number: {line}"
        assert ".venv/bin/pkus crawl --all" in line
        assert "%" not in line.replace("\\%", ""), f"cron turns a bare % into a newline: {line}"


def test_crawl_all_exits_0_when_one_outlet_is_down_and_1_when_all_are(tmp_path, servers):
    """The cron line: `pkus crawl --all`, here with every outlet's copy served but one down."""
    with socket.socket() as sock:  # a port nobody listens on: an outlet that is down
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # never the live web: an outlet without a copy is "down" too
    sites = {name: servers[name].base if name in servers and name != SPIDER else down for name in load_sources()}
    expected = {(name, "finished" if url != down else "failed") for name, url in sites.items()}
    db = tmp_path / "archive.db"
    result = run_pkus("crawl", "--all", "--db", str(db), *(f"--site={n}={u}" for n, u in sites.items()), check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()  # short: one line per outlet
    assert {tuple(line.split(",")[0].split(": ")) for line in lines} == expected
    assert {(r["spider"], r["status"]) for r in runs(db)} == expected

    result = run_pkus("crawl", "--all", "--db", str(db), *(f"--site={n}={down}" for n in sites), check=False)
    assert result.returncode == 1
    assert all(line.split(",")[0].endswith(": failed") for line in result.stdout.splitlines())
