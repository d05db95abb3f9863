"""`pkus search`: the web search page's search (crawler.search), in a terminal."""

from __future__ import annotations

import json

import click

from .outlets import load_sources


def _text(results) -> None:
    search = results.search
    if results.too_slow:
        click.echo(f"the search for {search.q!r} took too long; be more specific")
        return
    if not results.hits:
        click.echo(f"no articles match {results.query.shown or search.q!r}" + (" with these filters" if search.filtered else ""))
        for label, broader in results.query.broader():
            click.echo(f"  try {label}: pkus search '{broader}'")
        return
    order = "best match first" if search.sort == "rank" and search.q else "newest first"
    if results.newest_instead:
        order = "newest first (too many matches to rank in time)"
    elif results.ranked_among:
        order = f"best match first among the newest {results.ranked_among:,}"
    total = f"{results.total - 1:,}+" if results.total_capped else f"{results.total:,}"
    noun = "article matches" if results.total == 1 else "articles match"
    click.echo(f"{total} {noun} {results.query.shown or 'the filters'}, {order}:" if search.q or search.filtered
               else f"{total} articles, newest first:")
    for n, hit in enumerate(results.hits, start=1):
        title = "".join(click.style(t, bold=True) if m else t for t, m in hit["title_parts"])
        meta = [hit["outlet"], hit["when"].text if hit["when"] else "date unknown"]
        if hit["sectors"]:
            meta.append(", ".join(hit["sectors"]))
        click.echo(f"\n{n:>3}. {title}\n     {' · '.join(meta)}")
        if hit["snippet"]:
            click.echo("     " + "".join(click.style(t, bold=True) if m else t for t, m in hit["snippet"]))
        click.echo(f"     {hit['url']}")
    if results.has_next:
        click.echo(f"\n(more: raise --limit, now {search.size})")


def add_search_command(cli, db_option) -> None:
    @cli.command()
    @click.argument("query", default="")
    @db_option
    @click.option("--sort", type=click.Choice(["rank", "newest"]), default="rank", show_default=True,
                  help="Best match (bm25, headline weighted) or newest first.")
    @click.option("--source", "sources", multiple=True, metavar="SPIDER", help="Only this outlet (repeatable).")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                  help="Published on or after this day (Pakistan time).")
    @click.option("--until", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                  help="Published on or before this day (Pakistan time).")
    @click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
    def search(query, db, sort, sources, since, until, limit, as_json):
        """Full-text search, with the same language and ranking as the web search page.

        QUERY: words, "phrases", prefix*, AND / OR / NOT (capitals), -word, title:word.
        """
        from .archive import connect_readonly
        from .search import Search, run

        known = load_sources()
        unknown = [s for s in sources if s not in known]
        if unknown:
            raise click.BadParameter(f"unknown outlet {', '.join(unknown)}; known: {', '.join(known)}",
                                     param_hint="--source")
        if since and until and since > until:
            raise click.BadParameter("--since is after --until", param_hint="--since")
        try:
            reader = connect_readonly(db)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
        request = Search(q=query.strip(), sort=sort, sources=tuple(dict.fromkeys(sources)),
                         since=since.date() if since else None, until=until.date() if until else None, size=limit)
        try:
            results = run(reader.conn, request, facets=False)
        finally:
            reader.conn.close()
        if as_json:
            click.echo(json.dumps(results.as_json(), ensure_ascii=False, indent=2))
        else:
            _text(results)
