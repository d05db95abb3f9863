"""`pkus schedule`: crawl on a timetable as a long-running service (APScheduler 3).

Jobs come from a TOML file (``schedules/default.toml``): which outlets, when (a crontab line or an
interval), optional jitter. Each run is a child process, ``python -m crawler.cli crawl ...``, the
same command cron would run: Twisted's reactor cannot be restarted in one process, and a child
gives its memory back and can be stopped when it overruns its timeout.

Two jobs that fire together queue: the scheduler has one worker thread, because every crawl
writes the same archive and only one may hold its writer lock. A run that waited longer than
``misfire_grace_time`` is skipped (APScheduler logs it) and the job runs at its next time. A job
never overlaps itself (``max_instances=1``) and runs it missed collapse into one (``coalesce``).
A crawl started by hand meanwhile holds the writer lock; the scheduled child then exits at once,
which the run's log line says, and the job runs again at its next time.

The job store is a SQLite file beside the archive (``<db>-schedule.sqlite``; never archive.db
itself), so a restart keeps every job's next run time, and a run missed while the service was down
is made up at start if it is no later than ``misfire_grace_time``. At start the store is synced
with the file: an unchanged job keeps its next run time, a changed one is replaced, a job no longer
in the file is removed.

SIGTERM or SIGINT: no new crawl starts, the running crawl gets one SIGTERM (Scrapy closes the
spider gracefully; its ``crawl_runs`` row says "shutdown"), the service waits for it and exits 0.
A second signal is passed on too, and Scrapy then stops at once.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import signal
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from .outlets import load_sources

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "schedules" / "default.toml"
STOP_GRACE_SECONDS = 120  # after SIGTERM on timeout, how long a crawl may take to close before SIGKILL
JOB_KEYS = {"id", "spiders", "cron", "interval", "jitter", "timeout", "since_days", "sites"}
TOP_KEYS = {"timezone", "misfire_grace_time", "timeout", "job", "scrapyd"}
# crontab counts days of the week from Sunday (0 and 7); APScheduler 3 counts 0 as Monday
CRON_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]

log = logging.getLogger("pkus.schedule")


class ScheduleError(ValueError):
    """A schedule file is missing, unreadable or wrong."""


class _Stop(Exception):
    """Raised by the signal handler to leave the scheduler's loop wherever it waits."""


# -- the schedule file -------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    id: str
    when: str  # the cron line or interval, as written
    trigger: object  # an APScheduler trigger
    spiders: tuple[str, ...] = ()  # () means every outlet
    sites: dict = field(default_factory=dict)  # spider -> base URL of a copy to crawl instead
    since_days: int | None = None  # back-fill this many days on every run
    timeout: float = 3600
    nodes: tuple[str, ...] = ()  # `pkus nodes crawl` options when the file has a [scrapyd] table

    def kwargs(self, db: str) -> dict:
        """What the job function gets (pickled into the job store)."""
        kwargs = {"job_id": self.id, "spiders": list(self.spiders), "db": db, "sites": dict(self.sites),
                  "since_days": self.since_days, "timeout": self.timeout}
        return {**kwargs, "nodes": list(self.nodes)} if self.nodes else kwargs

    def name(self, db: str) -> str:
        """The id and a digest that changes whenever anything about the job changes (APScheduler logs it)."""
        text = json.dumps([self.when, repr(self.trigger), self.kwargs(db)], sort_keys=True)
        return f"{self.id} [{hashlib.sha256(text.encode()).hexdigest()[:12]}]"


@dataclass(frozen=True)
class Schedule:
    path: Path
    timezone: str
    misfire_grace_time: int
    jobs: list[Job]


def cron_day_names(field_: str) -> str:
    """A crontab day-of-week field with the numbers turned into names.

    APScheduler 3 reads ``1`` as Tuesday where cron means Monday (agronholm/apscheduler#286), so
    numbers are converted (ranges become lists: ``0-2`` is ``sun,mon,tue``) and steps over
    numbers, whose start differs between the two, are refused.
    """
    parts = []
    for part in field_.split(","):
        base, _, step = part.partition("/")
        if step and (base == "*" or any(c.isdigit() for c in base)):
            raise ScheduleError(f"day of week {field_!r}: a step counts from Monday in APScheduler but from "
                                "Sunday in cron; list the days by name, e.g. 'sun,tue,thu,sat'")
        if not any(c.isdigit() for c in base):
            parts.append(part)
            continue
        first, _, last = base.partition("-")
        try:
            numbers = range(int(first), int(last or first) + 1)
        except ValueError:
            raise ScheduleError(f"day of week {field_!r}: write days as names (mon-fri) or numbers 0-7") from None
        if not numbers or numbers[0] < 0 or numbers[-1] > 7:
            raise ScheduleError(f"day of week {field_!r}: numbers run from 0 (Sunday) to 7 (Sunday)")
        parts.extend(CRON_DAYS[n] for n in numbers)
    return ",".join(dict.fromkeys(parts))


def make_trigger(spec: dict, timezone: str, where: str):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jitter = spec.get("jitter")
    if ("cron" in spec) == ("interval" in spec):
        raise ScheduleError(f"{where}: give either cron = \"m h dom mon dow\" or interval = {{ minutes = N }}")
    try:
        if "cron" in spec:
            fields = str(spec["cron"]).split()
            if len(fields) != 5:
                raise ScheduleError(f"{where}: cron needs 5 fields (minute hour day month day-of-week), "
                                    f"got {spec['cron']!r}")
            minute, hour, day, month, dow = fields
            return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=cron_day_names(dow),
                               timezone=timezone, jitter=jitter)
        interval = spec["interval"]
        if not isinstance(interval, dict) or not interval:
            raise ScheduleError(f"{where}: interval is a table such as {{ minutes = 30 }}")
        return IntervalTrigger(**interval, timezone=timezone, jitter=jitter)
    except ScheduleError:
        raise
    except (TypeError, ValueError) as exc:
        raise ScheduleError(f"{where}: {exc}") from exc


def load_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleError(f"{path}: {exc}") from exc
    if unknown := set(data) - TOP_KEYS:
        raise ScheduleError(f"{path}: unknown keys {sorted(unknown)}")
    timezone = data.get("timezone", "UTC")
    nodes = _node_args(data["scrapyd"], str(path)) if "scrapyd" in data else ()
    known = load_sources()
    jobs, seen = [], set()
    for n, spec in enumerate(data.get("job", []), start=1):
        where = f"{path}: job {spec.get('id') or n}"
        if unknown := set(spec) - JOB_KEYS:
            raise ScheduleError(f"{where}: unknown keys {sorted(unknown)}")
        if not spec.get("id") or spec["id"] in seen:
            raise ScheduleError(f"{where}: every job needs its own id")
        seen.add(spec["id"])
        spiders = spec.get("spiders", "all")
        spiders = () if spiders == "all" else tuple([spiders] if isinstance(spiders, str) else spiders)
        if missing := [s for s in (*spiders, *spec.get("sites", {})) if s not in known]:
            raise ScheduleError(f"{where}: unknown spider {', '.join(missing)}; known: {', '.join(known)}")
        when = f"cron {spec['cron']!r}" if "cron" in spec else \
            "every " + ", ".join(f"{v} {k}" for k, v in dict(spec.get("interval") or {}).items())
        jobs.append(Job(id=spec["id"], when=when + (f", jitter {spec['jitter']}s" if spec.get("jitter") else ""),
                        trigger=make_trigger(spec, timezone, where), spiders=spiders, sites=spec.get("sites", {}),
                        since_days=spec.get("since_days"), timeout=spec.get("timeout", data.get("timeout", 3600)),
                        nodes=nodes))
    if not jobs:
        raise ScheduleError(f"{path}: no [[job]] tables")
    return Schedule(path, timezone, data.get("misfire_grace_time", 900), jobs)


def _node_args(table, where: str) -> tuple[str, ...]:
    from .nodes import cluster_args, cluster_from_table

    if not isinstance(table, dict):
        raise ScheduleError(f"{where}: [scrapyd] must be a table")
    try:
        return tuple(cluster_args(cluster_from_table(table, where)))
    except ValueError as exc:
        raise ScheduleError(str(exc)) from None


def next_runs(job: Job, count: int, now: datetime) -> list[datetime]:
    """The next ``count`` run times after ``now``, before jitter."""
    trigger = copy.copy(job.trigger)
    trigger.jitter = None
    runs, previous = [], None
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, previous or now)
        if previous is None:
            break
        runs.append(previous)
    return runs


# -- one run: a child process --------------------------------------------------------------------
_lock = threading.RLock()  # guards _stopping and _children between job threads and the signal handler
_stopping = threading.Event()
_children: set[subprocess.Popen] = set()


def crawl_command(spiders: list[str], db: str, sites: dict, since_days: int | None,
                  nodes: list[str] | None = None, timeout: float = 3600) -> list[str]:
    """`pkus crawl ...`, or with Scrapyd nodes `pkus nodes crawl ...` (one round on the nodes)."""
    verb = ["nodes", "crawl", *nodes, "--timeout", f"{timeout:g}"] if nodes else ["crawl"]
    command = [sys.executable, "-m", "crawler.cli", *verb, *(spiders or ["--all"]), "--db", db]
    for name, url in sites.items():
        command += ["--site", f"{name}={url}"]
    if since_days:
        command += ["--since", (date.today() - timedelta(days=since_days)).isoformat()]
    return command


def run_crawl_job(job_id: str, spiders: list[str], db: str, sites: dict, since_days: int | None,
                  timeout: float, nodes: list[str] | None = None) -> None:
    """Run one crawl as a child process and log one line about it. The job stores this by name."""
    command = crawl_command(spiders, db, sites, since_days, nodes, timeout)
    if nodes:  # the round cancels its node jobs at `timeout` and waits for them to close
        timeout += STOP_GRACE_SECONDS + 60
    with _lock:
        if _stopping.is_set():
            log.info("%s: not started, the service is stopping", job_id)
            return
        started = time.monotonic()
        # its own session: a Ctrl-C in the terminal reaches the service only, which passes on one SIGTERM
        child = subprocess.Popen(command, cwd=PROJECT_ROOT,
                                 stdout=subprocess.PIPE, text=True, start_new_session=True)
        _children.add(child)
    try:
        try:
            output, _ = child.communicate(timeout=timeout)
            outcome = f"exit {child.returncode}"
        except subprocess.TimeoutExpired:
            child.terminate()
            try:
                output, _ = child.communicate(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                output, _ = child.communicate()
            outcome = f"stopped after the {timeout:g}s timeout, exit {child.returncode}"
    finally:
        with _lock:
            _children.discard(child)
    summary = "; ".join(line.strip() for line in output.splitlines() if line.strip()) or "no output"
    log.log(logging.INFO if child.returncode == 0 else logging.WARNING, "%s: %s in %.1fs: %s",
            job_id, outcome, time.monotonic() - started, summary)


# -- the service --------------------------------------------------------------------------------
def default_jobstore(db: str | Path) -> Path:
    return Path(f"{db}-schedule.sqlite")


def make_scheduler(schedule: Schedule, db: str | Path, jobstore: str | Path, scheduler_class=None):
    """A scheduler whose job store is synced with ``schedule`` when it starts."""
    from apscheduler.events import EVENT_SCHEDULER_START
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    db = str(Path(db).resolve())
    scheduler = (scheduler_class or BlockingScheduler)(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{Path(jobstore).resolve()}")},
        executors={"default": ThreadPoolExecutor(max_workers=1)},  # crawls queue: one writer at a time
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": schedule.misfire_grace_time},
        timezone=schedule.timezone,
    )

    def sync(_event) -> None:
        stored = {job.id: job for job in scheduler.get_jobs()}
        for job in schedule.jobs:
            old = stored.pop(job.id, None)
            if old is not None and old.name == job.name(db):
                continue  # unchanged: keep its next run time, so a run missed while down is made up
            scheduler.add_job(run_crawl_job, job.trigger, id=job.id, name=job.name(db),
                              kwargs=job.kwargs(db), replace_existing=True)
        for job_id in stored:
            scheduler.remove_job(job_id)
        for job in scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)

    scheduler.add_listener(sync, EVENT_SCHEDULER_START)
    return scheduler


def serve(schedule: Schedule, db: str | Path, jobstore: str | Path) -> None:
    """Run the schedule until SIGTERM or SIGINT; returns once the running crawl has ended."""
    from .run import writer_lock

    scheduler = make_scheduler(schedule, db, jobstore)

    def stop(signum, _frame) -> None:
        with _lock:
            first = not _stopping.is_set()
            _stopping.set()
            children = list(_children)
        for child in children:
            try:
                child.send_signal(signal.SIGTERM)  # Scrapy: first one closes gracefully, second forces
            except ProcessLookupError:
                pass
        if first:
            log.info("%s: stopping once the running crawl has ended (%d running)",
                     signal.Signals(signum).name, len(children))
            # Leave the loop by raising: a shutdown() called in here would let the loop go round
            # once more and submit a due job to the closed worker pool.
            raise _Stop

    with writer_lock(jobstore, what="pkus schedule"):  # one service per job store (APScheduler FAQ)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("pkus schedule: %s, %d jobs, archive %s, state %s", schedule.path, len(schedule.jobs), db, jobstore)
        try:
            scheduler.start()
        except _Stop:
            pass
        if scheduler.running:
            scheduler.shutdown(wait=True)  # waits for the running crawl; queued ones see _stopping and return
    log.info("pkus schedule: stopped")


@click.command()
@click.option("--config", default=str(DEFAULT_CONFIG), show_default=True, type=click.Path(dir_okay=False),
              help="The schedule file (TOML, [[job]] tables).")
@click.option("--db", default="archive.db", show_default=True, envvar="PKUS_DB", type=click.Path(dir_okay=False),
              help="The archive file (env PKUS_DB).")
@click.option("--jobstore", type=click.Path(dir_okay=False),
              help="SQLite file keeping the schedule's state  [default: <db>-schedule.sqlite]")
@click.option("--check", is_flag=True, help="Print every job and its next three runs, then exit.")
def schedule(config, db, jobstore, check):
    """Crawl on the timetable in a schedule file, as a service; SIGTERM or Ctrl-C stops it."""
    from .run import ArchiveBusy

    try:
        plan = load_schedule(config)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc
    if check:
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo(plan.timezone))
        for job in plan.jobs:
            runs = ", ".join(t.strftime("%a %Y-%m-%d %H:%M") for t in next_runs(job, 3, now))
            where = f", on {job.nodes.count('--node')} Scrapyd nodes" if job.nodes else ""
            click.echo(f"{job.id}: {', '.join(job.spiders) or 'every outlet'}{where}, {job.when} ({plan.timezone}); "
                       f"next: {runs}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # keeps missed / skipped / error lines
    try:
        serve(plan, db, jobstore or default_jobstore(db))
    except ArchiveBusy as exc:
        raise click.ClickException(f"{exc}; the schedule is already running") from exc
