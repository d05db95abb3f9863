"""`pkus`: crawl outlets into archive.db, search it, serve it with Datasette.

Each command is a thin shell around a library function (crawler.run, crawler.archive,
crawler.sitecopy), so what the CLI does, tests and the scheduler can do the same way.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from pathlib import Path

import click

from .cli_errors import DATE, remember_db, run
from .outlets import SourceError, get_source, load_sources

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = PROJECT_ROOT / "datasette"
DB_OPTION = click.option("--db", default="archive.db", show_default=True, envvar="PKUS_DB",
                         type=click.Path(dir_okay=False), callback=remember_db, help="The archive file (env PKUS_DB).")


@click.group()
@click.version_option(package_name="pkus-archive")
def cli():
    """pkus-archive: news coverage of Pakistan–US economic relations, crawled into SQLite."""


def _check_spiders(names: tuple[str, ...], all_: bool) -> list[str]:
    broken: dict[str, str] = {}
    known = load_sources(errors=broken)
    if all_ == bool(names):
        raise click.UsageError("name one or more spiders, or use --all")
    for name in [n for n in broken if all_ or n in names]:
        if not all_:
            raise SourceError(broken[name])
        click.echo(f"pkus: skipping {name}: {broken[name]}", err=True)  # the other outlets still run
    if all_:
        return list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(f"unknown spider {', '.join(unknown)}; known: {', '.join(known)}")
    return list(dict.fromkeys(names))


def _parse_sites(values: tuple[str, ...], spiders: list[str]) -> dict[str, str]:
    """--site SPIDER=URL values; SPIDER must be one being crawled (a typo must not crawl the live site)."""
    sites = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"expected SPIDER=URL, got {value!r}", param_hint="--site")
        if name not in spiders:
            raise click.BadParameter(f"{name!r} is not one of the spiders given ({', '.join(spiders)})",
                                     param_hint="--site")
        sites[name] = url
    return sites


def _print_summary(summary) -> None:
    click.echo(summary.line())
    sys.stdout.flush()  # each outlet's line as it finishes, also into a cron log


def _run_and_report(spiders: list[str], db: str, since: str | None, sites: dict, verbose: bool) -> list:
    """Crawl, printing each outlet's summary line as it finishes (live progress on a terminal)."""
    from .run import ArchiveBusy, run_crawls

    live = not verbose and sys.stdout.isatty() and sys.stderr.isatty()
    try:
        return run_crawls(spiders, db, since=since, sites=sites, log_level="INFO" if verbose else "ERROR",
                          report=_print_summary, live=live)
    except ArchiveBusy as exc:
        click.echo(f"pkus: {exc}; not starting another crawl")
        sys.exit(0)  # under cron, a run still in progress is not an error


@cli.command()
@click.argument("spiders", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Crawl every outlet in crawler/sources/.")
@DB_OPTION
@click.option("--since", type=DATE, help="Back-fill: page back through sitemaps and listings to this date.")
@click.option("--site", "sites", multiple=True, metavar="SPIDER=URL",
              help="Crawl a copy of an outlet served at URL instead of the live site (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's progress log.")
def crawl(spiders, all_, db, since, sites, verbose):
    """Crawl outlets into the archive; prints one summary line per outlet.

    Exits 0 if any outlet was crawled (or another crawl holds the lock), 1 if every outlet failed.
    """
    names = _check_spiders(spiders, all_)
    summaries = _run_and_report(names, db, since, _parse_sites(sites, names), verbose)
    if not any(s.ok for s in summaries):  # no outlet crawled (or none even started a run)
        sys.exit(1)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def datasette_command(db: str | Path, host: str, port: int) -> list[str]:
    """The `datasette serve` command line for an archive, with the project's metadata and templates."""
    db = Path(db)
    metadata = DATASETTE_DIR / "metadata.yml"
    name = db.stem
    if name != "archive":  # metadata.yml configures the database called "archive"; rename its key
        text = metadata.read_text(encoding="utf-8").replace("\n  archive:\n", f"\n  {name}:\n")
        handle = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False, prefix="pkus-metadata-")
        handle.write(text)
        handle.close()
        metadata = Path(handle.name)
    cmd = [sys.executable, "-m", "datasette", "serve", str(db), "--metadata", str(metadata),
           "--host", host, "--port", str(port)]
    for flag, folder in (("--template-dir", "templates"), ("--plugins-dir", "plugins"), ("--static", "static")):
        path = DATASETTE_DIR / folder
        if path.is_dir() and any(path.iterdir()):
            cmd += [flag, f"static:{path}" if flag == "--static" else str(path)]
    settings = DATASETTE_DIR / "settings.json"
    if settings.is_file():
        for key, value in json.loads(settings.read_text()).items():
            cmd += ["--setting", key, str(value)]
    return cmd


def _serve(db: str, host: str, port: int) -> None:
    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db} (run `pkus crawl` or `pkus demo` first)")
    if not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is in use; choose another with --port")
    cmd = datasette_command(db, host, port)
    click.echo(f"Serving {db} at http://{host}:{port}/  (Ctrl-C to stop)")
    sys.stdout.flush()
    os.execv(cmd[0], cmd)  # become Datasette: Ctrl-C and SIGTERM reach it directly, no child left behind


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db, host, port):
    """Serve the archive with Datasette (search, facets, saved queries, feeds)."""
    _serve(db, host, port)


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Crawl, print the summary and exit.")
@click.option("--since", default="2025-01-01", show_default=True, type=DATE,
              help="Back-fill date for the copies (they hold articles from 2025 on).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's progress log.")
def demo(db, host, port, no_serve, since, verbose):
    """Serve the bundled offline outlets on 127.0.0.1, crawl them all, then serve the archive."""
    from .sitecopy import available_copies, serve_copies, stop_all

    if not no_serve and not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is in use; choose another with --port")
    sources = available_copies()
    if not sources:
        raise click.ClickException("no offline outlet copies found under tests/sites/")
    servers = serve_copies(sources)
    try:
        for name, server in servers.items():
            click.echo(f"offline copy of {sources[name].name} at {server.base}")
        summaries = _run_and_report(list(servers), db, since, {n: s.base for n, s in servers.items()}, verbose)
    finally:
        stop_all(servers)
    total = sum(s.articles_new + s.articles_updated for s in summaries)
    click.echo(f"archive: {db} ({total} articles added or updated)")
    if not no_serve:
        _serve(db, host, port)


@cli.command()
@click.argument("spiders", nargs=-1)
def sites(spiders):
    """Serve the offline outlet copies (tests/sites/) on 127.0.0.1 until Ctrl-C; prints each address."""
    import signal

    from .sitecopy import available_copies, serve_copies, stop_all

    copies = available_copies()
    unknown = [s for s in spiders if s not in copies]
    if unknown:
        raise click.UsageError(f"no offline copy for {', '.join(unknown)}; copies: {', '.join(copies)}")
    servers = serve_copies({n: copies[n] for n in spiders} if spiders else copies)
    try:
        for name, server in servers.items():
            click.echo(f"{name:<18} {server.base}   (copy of {copies[name].site})")
        click.echo("crawl one with: pkus crawl SPIDER --site SPIDER=URL   (Ctrl-C stops the servers)")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(servers)


def _source_for(html: bytes, url: str | None, spider: str | None):
    """The outlet whose rules apply, the page's address and how the outlet was found.

    Named with --source; else the outlet whose site --url is on; else the one the page's own
    canonical link (or og:url) names. None when no source file covers the page.
    """
    from .extract import page_url, source_for_url

    if spider:
        return get_source(spider), url, "--source"
    if url:
        return source_for_url(url), url, "--url"
    own = page_url(html)
    return source_for_url(own), own, "the page's canonical link" if own else None


@cli.command()
@click.argument("target", metavar="FILE|URL|-")
@click.option("--url", help="The page's URL (for a file or standard input).")
@click.option("--source", "spider", help="Apply this outlet's rules (default: the outlet of --url, else of the "
              "page's own canonical link).")
def extract(target, url, spider):
    """Print what the extractor makes of one page, as JSON (the pipeline's own code)."""

    from .encoding import decode_page
    from .extract import UNKNOWN, ExtractionError, extract_article
    from .topics import classify

    if target == "-":
        html = sys.stdin.buffer.read()
    elif target.startswith(("http://", "https://")):
        from .health import Fetcher
        from .run import project_settings

        url = url or target
        settings = project_settings("archive.db")
        fetcher = Fetcher(settings.get("USER_AGENT"), max_size=settings.getint("DOWNLOAD_MAXSIZE"))
        if not fetcher.allowed(target):
            raise click.ClickException(f"robots.txt disallows {target}")
        status, html, content_type = fetcher.get_page(target)
        if status != 200:
            raise click.ClickException(f"HTTP {status} for {target}")
        html = decode_page(html, content_type)
    else:
        path = Path(target)
        if not path.is_file():
            raise click.ClickException(f"no such file: {target}")
        html = path.read_bytes()
    try:
        source, url, found_by = _source_for(html, url, spider)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    if source is not None:
        click.echo(f"pkus: applied the rules of {source.spider} ({source.name}), found from {found_by}", err=True)
    else:
        where = f" ({url})" if url else ""
        click.echo(f"pkus: applied no outlet's rules: no source file for this page{where}", err=True)
    try:
        article = extract_article(html, url or "", source or UNKNOWN)
    except ExtractionError as exc:
        raise click.ClickException(f"no article found: {exc}") from exc
    article.update(rules=source.spider if source else None, rules_from=found_by if source else None)
    verdict = classify(article["title"], article["body"])
    article.update(relevant=verdict.relevant, relevance=verdict.score, relevance_terms=verdict.terms,
                   sectors=verdict.sectors)
    click.echo(json.dumps(article, ensure_ascii=False, indent=2))


@cli.group(invoke_without_command=True)
@DB_OPTION
@click.pass_context
def sources(ctx, db):
    """List the outlets: articles held, newest article, last successful crawl, failing URLs."""
    ctx.obj = {"db": db}
    if ctx.invoked_subcommand is not None:
        return
    from .health import outlet_summary
    from .run import project_settings

    rows = outlet_summary(db, load_sources(), project_settings(db).getint("PKUS_MAX_TRIES"))
    click.echo(f"{'spider':<18} {'articles':>8}  {'newest article':<20} {'last good crawl':<20} "
               f"{'failing':>7} {'gave up':>7}  name")
    for r in rows:
        click.echo(f"{r['spider']:<18} {r['articles']:>8}  {(r['newest'] or '-')[:19]:<20} "
                   f"{(r['last_ok_crawl'] or '-')[:19]:<20} {r['failing']:>7} {r['gave_up']:>7}  {r['name']}")


@sources.command("check")
@click.argument("spiders", nargs=-1)
@click.option("--site", "sites", multiple=True, metavar="SPIDER=URL", help="Check a copy at URL instead of the live site.")
def sources_check(spiders, sites):
    """Fetch every entry point (feeds, sitemaps, first listing page) and report what a crawl would find.

    Exits 1 if any entry point failed.
    """
    from .health import Fetcher, check_source
    from .run import project_settings
    from .spiders.news import NewsSpider

    names = _check_spiders(spiders, all_=not spiders)
    overrides = _parse_sites(sites, names)
    all_sources = load_sources()
    settings = project_settings("archive.db")
    fetcher = Fetcher(settings.get("USER_AGENT"), max_size=settings.getint("PKUS_SITEMAP_MAXSIZE"))
    failed = False
    for name in names:
        source = all_sources[name]
        base = overrides.get(name, source.site).rstrip("/")
        spider = type("Check", (NewsSpider,), {"name": name, "source": source})()
        spider.base = base
        click.echo(f"{name}: {source.name} at {base}")
        for check in check_source(source, base, fetcher, lambda u: spider.is_article(spider.canonical(u))):
            failed |= check.status == "fail"
            click.echo(f"  {check.status.upper():<4} {check.kind:<8} {check.url}  {check.detail}")
    if failed:
        sys.exit(1)


from .cli_search import add_search_command  # noqa: E402
from .cli_topics import add_topic_commands  # noqa: E402 - eval-topics, reclassify, reextract

add_topic_commands(cli, DB_OPTION)
add_search_command(cli, DB_OPTION)

from .cli_import import add_import_command  # noqa: E402 - pkus import
add_import_command(cli, DB_OPTION)

from .cli_nodes import add_node_commands  # noqa: E402 - snapshot, ingest, nodes deploy|status|crawl

add_node_commands(cli, DB_OPTION)


def main():  # pragma: no cover - console entry point
    run(cli)  # one line and an exit code for every error a user can cause (crawler.cli_errors)


from .scheduler import schedule  # noqa: E402

cli.add_command(schedule)

if __name__ == "__main__":
    main()
