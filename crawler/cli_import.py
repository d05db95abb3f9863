"""`pkus import FILE|-`: JSON Lines article records into the archive (crawler.importer).

Registered on the main `pkus` group by crawler/cli.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def add_import_command(cli: click.Group, db_option) -> None:
    @cli.command("import")
    @click.argument("source", metavar="FILE|-")
    @db_option
    @click.option("--batch", "batch_size", type=click.IntRange(1), default=None,
                  help="Records per transaction (default 2000); a kill loses at most one batch.")
    @click.option("--workers", type=click.IntRange(0), default=None,
                  help="Processes that check and score records (default: one per CPU; 0: none).")
    @click.option("--threshold", type=float, help="Relevance threshold for records without a relevance.")
    @click.option("--stories/--no-stories", default=True,
                  help="Regroup the stories at the end (default), or leave that to the next crawl's regroup.")
    def import_(source, db, batch_size, workers, threshold, stories):
        """Import article records (JSON Lines, the archive's column names) from FILE or standard input.

        Records without a relevance are scored by the topic model; relevant ones become articles,
        stories are regrouped at the end. Importing the same records again changes nothing.
        Prints one summary line; exits 1 if any record was rejected (each gets one error line).
        """
        from .importer import BATCH, import_lines
        from .run import ArchiveBusy

        name = "<stdin>" if source == "-" else source
        if source != "-" and not Path(source).is_file():
            raise click.ClickException(f"no such file: {source}")

        def report(line: int, message: str) -> None:
            click.echo(f"pkus import: {name}:{line}: {message}", err=True)

        handle = sys.stdin.buffer if source == "-" else open(source, "rb")
        try:
            summary = import_lines(db, handle, batch_size=batch_size or BATCH, workers=workers,
                                   threshold=threshold, report=report, stories=stories)
        except ArchiveBusy as exc:
            raise click.ClickException(f"{exc}; try again when it has finished") from None
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
        click.echo(summary.line())
        if summary.rejected:
            sys.exit(1)
