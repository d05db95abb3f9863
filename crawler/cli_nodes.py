"""`pkus snapshot`, `pkus ingest`, `pkus nodes deploy|status|crawl`: crawling on Scrapyd nodes.

Thin shells around crawler.snapshot, crawler.ingest and crawler.nodes, registered on the
main `pkus` group by crawler/cli.py.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click


def _busy(exc) -> click.ClickException:
    return click.ClickException(f"{exc}; try again when it has finished")


def _cluster(nodes, exports, snapshot, project, poll):
    from .nodes import Cluster

    if not nodes:
        raise click.UsageError("name the Scrapyd nodes with --node URL (repeatable)")
    return Cluster(nodes=tuple(n.rstrip("/") for n in nodes), exports=Path(exports),
                   snapshot=Path(snapshot) if snapshot else None, project=project, poll=poll)


NODE_OPTION = click.option("--node", "nodes", multiple=True, metavar="URL",
                           help="A Scrapyd node, e.g. http://10.0.0.11:6800 (repeatable).")
PROJECT_OPTION = click.option("--project", default="pkus-archive", show_default=True,
                              help="The project name on the nodes.")


def add_node_commands(cli: click.Group, db_option) -> None:
    @cli.command()
    @click.argument("dest", type=click.Path(dir_okay=False))
    @db_option
    @click.option("--urls-only", is_flag=True, help="Only the `urls` table: what crawl nodes read.")
    def snapshot(dest, db, urls_only):
        """Write a consistent read-only copy of the archive to DEST (SQLite's backup API).

        Safe while crawls write; DEST is replaced in one step. Serve it with Datasette replicas,
        or give it to crawl nodes (--urls-only).
        """
        from .snapshot import take_snapshot

        try:
            path = take_snapshot(db, dest, urls_only=urls_only)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"snapshot of {db}{' (urls only)' if urls_only else ''}: {path}, "
                   f"{path.stat().st_size / 1e6:.1f} MB")

    @cli.command("ingest")
    @click.argument("paths", nargs=-1, required=True, type=click.Path())
    @db_option
    def ingest_command(paths, db):
        """Bring crawl nodes' exports (JSON Lines files, or directories of them) into the archive.

        In order and idempotently: what is already in is skipped, an export that grew since is
        continued. Prints one line per export; exits 1 if a line could not be read.
        """
        from .ingest import ingest
        from .run import ArchiveBusy

        try:
            result = ingest(db, list(paths))
        except ArchiveBusy as exc:
            raise _busy(exc) from None
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        for summary in result.summaries:
            click.echo(summary.line())
        click.echo(f"{result.exports} exports, {result.records} records ingested into {db}")
        for error in result.errors:
            click.echo(f"pkus ingest: {error}", err=True)
        if result.errors:
            sys.exit(1)

    @cli.group()
    def nodes():
        """Crawl on Scrapyd nodes: deploy the project, see what they run, crawl a round."""

    @nodes.command()
    @NODE_OPTION
    @PROJECT_OPTION
    @click.option("--version", help="Version name (default: the time, UTC).")
    def deploy(nodes, project, version):
        """Build the Scrapyd egg and upload it to every node (addversion.json)."""
        from .nodes import NodeError, deploy as run

        if not nodes:
            raise click.UsageError("name the Scrapyd nodes with --node URL (repeatable)")
        try:
            answers = run(list(nodes), project, version)
        except NodeError as exc:
            raise click.ClickException(str(exc)) from None
        for node, answer in answers.items():
            click.echo(f"{node}: {answer['project']} version {answer['version']}, {answer['spiders']} spiders")

    @nodes.command()
    @NODE_OPTION
    @PROJECT_OPTION
    def status(nodes, project):
        """What each node runs: pending, running and finished jobs of the project."""
        from .nodes import NodeError, api

        failed = False
        for node in nodes:
            try:
                jobs = api(node, "listjobs", params={"project": project})
            except NodeError as exc:
                click.echo(f"{node}: down or without {project}: {exc}")
                failed = True
                continue
            running = ", ".join(j["spider"] for j in jobs["running"]) or "-"
            click.echo(f"{node}: {len(jobs['pending'])} pending, {len(jobs['running'])} running ({running}), "
                       f"{len(jobs['finished'])} finished")
        if failed:
            sys.exit(1)

    @nodes.command("crawl")
    @click.argument("spiders", nargs=-1)
    @click.option("--all", "all_", is_flag=True, help="Every outlet in crawler/sources/.")
    @db_option
    @NODE_OPTION
    @click.option("--exports", required=True, type=click.Path(file_okay=False),
                  help="Directory the nodes write their exports to and this machine reads (shared).")
    @click.option("--snapshot", type=click.Path(dir_okay=False),
                  help="Where to publish the snapshot the nodes read  [default: EXPORTS/snapshot.db]")
    @PROJECT_OPTION
    @click.option("--poll", default=5.0, show_default=True, help="Seconds between job polls.")
    @click.option("--timeout", default=3600.0, show_default=True, help="Cancel jobs still running after this.")
    @click.option("--since", metavar="YYYY-MM-DD", help="Back-fill to this date.")
    @click.option("--site", "sites", multiple=True, metavar="SPIDER=URL", help="Crawl a copy of an outlet.")
    def crawl(spiders, all_, db, nodes, exports, snapshot, project, poll, timeout, since, sites):
        """One round on the nodes: dispatch each outlet, wait, ingest the exports into the archive.

        Exits 0 if any outlet was crawled, 1 if none was.
        """
        from .cli import _check_spiders, _parse_sites
        from .nodes import crawl_round
        from .run import ArchiveBusy, project_settings

        names = _check_spiders(spiders, all_)
        cluster = _cluster(nodes, exports, snapshot, project, poll)
        stop = threading.Event()

        def on_signal(signum, _frame):  # like Scrapy: the first one stops gracefully, a second at once
            if stop.is_set():
                raise SystemExit(128 + signum)
            click.echo(f"{signal.Signals(signum).name}: cancelling the round's jobs, then ingesting what they "
                       "exported", err=True)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            result = crawl_round(names, db, cluster, since=since, sites=_parse_sites(sites, names), timeout=timeout,
                                 max_tries=project_settings(db).getint("PKUS_MAX_TRIES"), stop=stop)
        except ArchiveBusy as exc:
            click.echo(f"pkus: {exc}; not starting a round")
            sys.exit(0)  # like `pkus crawl` under cron
        for line in result.lines():
            click.echo(line)
        if not any(s.ok for s in result.ingested.summaries) and not result.busy and not result.writer_busy:
            sys.exit(1)
