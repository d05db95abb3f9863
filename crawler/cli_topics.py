"""`pkus eval-topics`, `pkus reclassify`, `pkus reextract`: the topic model and re-processing.

Thin shells around crawler.topics.evaluate and crawler.reprocess, registered on the main
`pkus` group by crawler/cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "topics" / "labelled.json"


def _existing(db: str) -> str:
    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db} (run `pkus crawl` or `pkus demo` first)")
    return db


def _run(job, *args, **kwargs):
    from .run import ArchiveBusy

    try:
        return job(*args, **kwargs)
    except ArchiveBusy as exc:
        raise click.ClickException(f"{exc}; try again when it has finished") from None


def add_topic_commands(cli: click.Group, db_option) -> None:
    @cli.command("eval-topics")
    @click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  default=LABELLED, show_default=True, help="Labelled articles (JSON list).")
    @click.option("--threshold", type=float, help="Try another threshold than topics.toml's.")
    def eval_topics(path, threshold):
        """Precision and recall of the relevance model on labelled articles, and every miss."""
        from .topics import evaluate, load_model

        model = load_model(threshold=threshold)
        items = json.loads(path.read_text(encoding="utf-8"))
        result = evaluate(items, model)
        click.echo(f"model v{model.version}, threshold {model.threshold:g}: {len(items)} labelled articles in {path.name}")
        click.echo(f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}")
        click.echo(f"true positives {result.tp}  false positives {result.fp}  "
                   f"false negatives {result.fn}  true negatives {result.tn}")
        if not result.misclassified:
            click.echo("misclassified: none")
        for item, verdict in result.misclassified:
            kind = "false positive" if verdict.relevant else "false negative"
            terms = ", ".join(f"{t} {p:+g}" for t, p in list(verdict.terms.items())[:8]) or "no terms"
            click.echo(f"\n{kind}: {item.get('id', '?')}  score {verdict.score:g}  {item['title']}")
            click.echo(f"  terms: {terms}")
            if item.get("note"):
                click.echo(f"  label note: {item['note']}")

    @cli.command()
    @db_option
    @click.option("--threshold", type=float, help="Relevance threshold (default: topics.toml's).")
    def reclassify(db, threshold):
        """Re-score the whole archive with the current model; no fetching.

        Articles under the threshold stop being articles; stored irrelevant pages above it become
        articles; sectors, entities and stories are rebuilt.
        """
        from .reprocess import reclassify as run

        click.echo(_run(run, _existing(db), threshold=threshold).line())

    @cli.command()
    @db_option
    @click.option("--source", metavar="SPIDER", help="Only this outlet's pages.")
    def reextract(db, source):
        """Rebuild every article from its stored page with the current extractor and model; no fetching."""
        from .outlets import load_sources
        from .reprocess import reextract as run

        if source and source not in load_sources():
            raise click.UsageError(f"unknown spider {source}; known: {', '.join(load_sources())}")
        click.echo(_run(run, _existing(db), source=source).line())
