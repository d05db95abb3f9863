"""Crawl on Scrapyd nodes, write on one machine: deploy, dispatch, wait, collect, ingest.

SQLite takes one writer, so the crawling spreads out and the writing stays here. A round
(``pkus nodes crawl``, or a ``pkus schedule`` job in a schedule file with a ``[scrapyd]``
table) goes:

1. ingest what earlier rounds left in the exports directory (jobs that finished since);
2. publish the snapshot the nodes read (``urls`` only: what the archive holds, validators,
   retries), so their crawls stay incremental;
3. send each outlet to a node through Scrapyd's JSON API (``schedule.json``): never an outlet
   that is still pending or running on any node (one job per outlet at a time), each to the
   node with the fewest jobs (outlets spread over nodes), to the next one if a node is down;
4. wait for the jobs (``listjobs.json``), cancelling those still running at the timeout;
5. ingest their exports (crawler.ingest) and regroup stories.

Each job runs the project's spider from the egg deployed on the node (``scrapyd-deploy``,
or :func:`deploy`) with ``PKUS_NODE=1`` (crawler.node), its export going through ``FEEDS`` to
``<exports>/<spider>/<job>.jl``. A node with ``items_dir`` set in its scrapyd.conf keeps the
export itself; it is then fetched from the job's ``items_url``. The exports directory and the
snapshot must be at the same path on the nodes and here (a shared directory).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import requests

from .archive import connect
from .ingest import IngestResult, ingest
from .run import ArchiveBusy
from .snapshot import take_snapshot

PROJECT = "pkus-archive"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
HTTP_TIMEOUT = 30
log = logging.getLogger("pkus.nodes")


class NodeError(RuntimeError):
    """A Scrapyd node could not be reached or refused a request."""


@dataclass(frozen=True)
class Cluster:
    """The Scrapyd nodes and the shared places they and the writer use."""

    nodes: tuple[str, ...]  # Scrapyd base URLs, e.g. http://10.0.0.11:6800
    exports: Path  # where nodes write their exports and the writer reads them
    snapshot: Path | None = None  # where the writer publishes the snapshot nodes read
    project: str = PROJECT
    poll: float = 5.0  # seconds between listjobs.json polls

    @property
    def snapshot_path(self) -> Path:
        return self.snapshot or self.exports / "snapshot.db"

    def export_path(self, spider: str, job: str) -> Path:
        return self.exports / spider / f"{job}.jl"


def api(node: str, endpoint: str, method: str = "GET", **kwargs) -> dict:
    """Call one Scrapyd JSON endpoint; a node down or answering an error raises NodeError."""
    url = urljoin(node.rstrip("/") + "/", f"{endpoint}.json")
    try:
        response = requests.request(method, url, timeout=HTTP_TIMEOUT, **kwargs)
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise NodeError(f"{node}: {endpoint}.json: {type(exc).__name__}: {exc}") from None
    if data.get("status") != "ok":
        raise NodeError(f"{node}: {endpoint}.json: {data.get('message', data)}")
    return data


# -- deploying ---------------------------------------------------------------------------------
def build_egg(out: Path) -> Path:
    """The project as a Scrapyd egg, built by scrapyd-deploy (setup.py bdist_egg from pyproject.toml)."""
    result = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(out)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise NodeError(f"building the egg failed: {result.stderr.strip()[-2000:]}")
    return out


def deploy(nodes: list[str], project: str = PROJECT, version: str | None = None) -> dict[str, dict]:
    """Build the egg once and upload it to every node (addversion.json); returns each node's answer."""
    version = version or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    with tempfile.TemporaryDirectory(prefix="pkus-egg-") as tmp:
        egg = build_egg(Path(tmp) / f"{project}-{version}.egg").read_bytes()
    return {node: api(node, "addversion", "POST", data={"project": project, "version": version},
                      files={"egg": ("project.egg", egg)}) for node in nodes}


# -- a round -------------------------------------------------------------------------------------
@dataclass
class Job:
    node: str
    spider: str
    id: str


@dataclass
class RoundResult:
    dispatched: list[Job] = field(default_factory=list)
    busy: dict[str, str] = field(default_factory=dict)  # spider -> node still running an earlier job of it
    undispatched: list[str] = field(default_factory=list)  # no node took them
    down: list[str] = field(default_factory=list)  # nodes that could not be reached
    cancelled: list[Job] = field(default_factory=list)  # still running at the timeout
    ingested: IngestResult = field(default_factory=IngestResult)
    writer_busy: str | None = None  # the archive was busy at the end: the exports wait for the next round

    def lines(self) -> list[str]:
        out = [summary.line() for summary in sorted(self.ingested.summaries, key=lambda s: s.spider)]
        out += [f"{spider}: still running on {node} from an earlier round; not sent again"
                for spider, node in sorted(self.busy.items())]
        out += [f"node {node}: down ({reason})" for node, reason in dict(self.down).items()]
        out += [f"{spider}: not sent: no node could take it" for spider in self.undispatched]
        out += [f"{job.spider}: cancelled on {job.node}" for job in self.cancelled]
        if self.writer_busy:
            out.append(f"pkus: {self.writer_busy}; the round's exports are ingested at the next round")
        return out + [f"pkus ingest: {error}" for error in self.ingested.errors]


def list_jobs(cluster: Cluster, down: list | None = None) -> dict[str, dict]:
    """listjobs.json of every node that answers (the others are noted in ``down``)."""
    jobs = {}
    for node in cluster.nodes:
        try:
            jobs[node] = api(node, "listjobs", params={"project": cluster.project})
        except NodeError as exc:
            if down is not None:
                down.append((node, str(exc).split(": ", 1)[-1][:200]))
    return jobs


def _active(jobs: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """job id -> (node, spider) of every pending or running job."""
    return {job["id"]: (node, job["spider"]) for node, listing in jobs.items()
            for job in listing.get("pending", []) + listing.get("running", [])}


def collect(cluster: Cluster, jobs: dict[str, dict]) -> None:
    """Fetch from a node's items_url the exports of finished jobs that did not reach the directory."""
    for node, listing in jobs.items():
        for job in listing.get("finished", []):
            path = cluster.export_path(job["spider"], job["id"])
            if path.exists() or not job.get("items_url"):
                continue
            try:
                response = requests.get(urljoin(node.rstrip("/") + "/", job["items_url"]), timeout=HTTP_TIMEOUT)
            except requests.RequestException as exc:
                log.warning("%s: export of job %s not fetched: %s", node, job["id"], exc)
                continue
            if response.status_code == 200:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".part")
                tmp.write_bytes(response.content)
                tmp.rename(path)


def schedule_job(cluster: Cluster, node: str, spider: str, since: str | None, site: str | None,
                 max_tries: int) -> Job:
    job_id = f"{spider}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    feed = {cluster.export_path(spider, job_id).resolve().as_uri(): {"format": "jsonlines", "encoding": "utf-8"}}
    settings = {"PKUS_NODE": "1", "PKUS_DB": str(cluster.snapshot_path.resolve()), "FEEDS": json.dumps(feed),
                "PKUS_MAX_TRIES": str(max_tries)}
    if site:
        settings["PKUS_SITES"] = json.dumps({spider: site})
    data = [("project", cluster.project), ("spider", spider), ("jobid", job_id),
            *(("setting", f"{k}={v}") for k, v in settings.items())]
    if since:
        data.append(("since", since))
    api(node, "schedule", "POST", data=data)
    return Job(node, spider, job_id)


def crawl_round(spiders: list[str], db: str | Path, cluster: Cluster, since: str | None = None,
                sites: dict[str, str] | None = None, timeout: float = 3600, max_tries: int = 5,
                stop: threading.Event | None = None) -> RoundResult:
    """One round over ``spiders``: dispatch to the nodes, wait, ingest. See the module's doc.

    ``stop`` set (SIGTERM) ends the round early as the timeout does: its jobs are cancelled,
    their exports (ending "shutdown") ingested."""
    stop = stop or threading.Event()
    result = RoundResult()
    cluster.exports.mkdir(parents=True, exist_ok=True)
    connect(db).conn.close()  # an empty archive on the first round, so there is a snapshot to read
    jobs = list_jobs(cluster, result.down)
    active = _active(jobs)
    collect(cluster, jobs)
    ingest(db, [cluster.exports], skip_jobs=set(active))  # what finished since the last round
    take_snapshot(db, cluster.snapshot_path, urls_only=True)

    busy = {spider: node for node, spider in active.values()}
    load = Counter({node: 0 for node in jobs})
    load.update(node for node, _ in active.values())
    for spider in spiders:
        if stop.is_set():
            result.undispatched.append(spider)
            continue
        if spider in busy:
            result.busy[spider] = busy[spider]
            continue
        for node in sorted(load, key=lambda n: (load[n], cluster.nodes.index(n))):
            try:
                job = schedule_job(cluster, node, spider, since, (sites or {}).get(spider), max_tries)
            except NodeError as exc:
                result.down.append((node, str(exc).split(": ", 1)[-1][:200]))
                del load[node]
                continue
            result.dispatched.append(job)
            load[node] += 1
            log.info("%s: job %s on %s", spider, job.id, node)
            break
        else:
            result.undispatched.append(spider)

    waiting = _wait(cluster, result, timeout, stop)
    jobs = list_jobs(cluster)
    collect(cluster, jobs)
    still = set(_active(jobs)) | {job.id for job in waiting}
    try:
        result.ingested = ingest(db, [cluster.exports], skip_jobs=still)
    except ArchiveBusy as exc:  # a crawl by hand meanwhile: nothing is lost, the exports stay
        result.writer_busy = str(exc)
    return result


def _wait(cluster: Cluster, result: RoundResult, timeout: float, stop: threading.Event) -> list[Job]:
    """Until every dispatched job has finished (or its node is gone); cancel what runs past ``timeout``
    or when ``stop`` is set. Returns the jobs still running after the cancel's grace period."""
    waiting = {job.id: job for job in result.dispatched}
    deadline = time.monotonic() + timeout
    cancelled_at = None
    while waiting:
        stop.wait(cluster.poll)
        for node in {job.node for job in waiting.values()}:
            try:
                listing = api(node, "listjobs", params={"project": cluster.project})
            except NodeError as exc:
                result.down.append((node, str(exc).split(": ", 1)[-1][:200]))
                waiting = {k: j for k, j in waiting.items() if j.node != node}  # gone with its node
                continue
            done = {job["id"] for job in listing.get("finished", [])}
            waiting = {k: j for k, j in waiting.items() if not (j.node == node and k in done)}
        if waiting and cancelled_at is None and (time.monotonic() > deadline or stop.is_set()):
            cancelled_at = time.monotonic()
            for job in waiting.values():
                try:  # TERM: Scrapy closes the spider gracefully and the export ends with "shutdown"
                    api(job.node, "cancel", "POST", data={"project": cluster.project, "job": job.id, "signal": "TERM"})
                    result.cancelled.append(job)
                except NodeError:
                    pass
        if cancelled_at is not None and time.monotonic() > cancelled_at + 120:
            break
    return list(waiting.values())


# -- the [scrapyd] table of a schedule file --------------------------------------------------------
CLUSTER_KEYS = {"nodes", "exports", "snapshot", "project", "poll"}


def cluster_from_table(table: dict, where: str) -> Cluster:
    """A Cluster from a schedule file's ``[scrapyd]`` table; ValueError says what is wrong."""
    if unknown := set(table) - CLUSTER_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} in [scrapyd]; known: {sorted(CLUSTER_KEYS)}")
    nodes = table.get("nodes")
    if not nodes or not isinstance(nodes, list) or not all(
            isinstance(n, str) and n.startswith(("http://", "https://")) for n in nodes):
        raise ValueError(f"{where}: [scrapyd] nodes must be a list of Scrapyd URLs, e.g. [\"http://10.0.0.11:6800\"]")
    if not table.get("exports"):
        raise ValueError(f"{where}: [scrapyd] needs exports, a directory the nodes and this machine share")
    # relative paths are taken from where `pkus schedule` starts, like --db
    return Cluster(nodes=tuple(n.rstrip("/") for n in nodes), exports=Path(table["exports"]).resolve(),
                   snapshot=Path(table["snapshot"]).resolve() if table.get("snapshot") else None,
                   project=table.get("project", PROJECT), poll=float(table.get("poll", 5.0)))


def cluster_args(cluster: Cluster) -> list[str]:
    """The ``pkus nodes crawl`` options that describe ``cluster``."""
    args = [arg for node in cluster.nodes for arg in ("--node", node)] + ["--exports", str(cluster.exports),
                                                                          "--project", cluster.project,
                                                                          "--poll", f"{cluster.poll:g}"]
    return args + (["--snapshot", str(cluster.snapshot)] if cluster.snapshot else [])
