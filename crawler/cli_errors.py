"""Bad input gets one clear line and an exit code, never a traceback.

:func:`run` wraps the whole `pkus` command (``main()``), so no command has to catch these
itself: a wrong option value, a broken source file, an archive that is not SQLite, a
read-only folder, a full disk, no network. Exit codes (documented in the README):

====  ===========================================================================
0     done
1     the command ran and failed (every outlet failed, a check failed, no network)
2     bad command line (an option value, an unknown spider)
3     a broken source file (crawler/sources/*.toml)
4     the archive cannot be used (not SQLite, corrupt, read-only, disk full)
130   interrupted (Ctrl-C)
====  ===========================================================================
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

import click

from .outlets import SourceError

EXIT_FAILED, EXIT_USAGE, EXIT_SOURCE, EXIT_ARCHIVE, EXIT_INTERRUPTED = 1, 2, 3, 4, 130
_db_path: list[str] = []  # the --db of the running command, for messages about it


class ArchiveUnusable(Exception):
    """The archive could not be read or written (raised after a crawl stopped because of it)."""


class FetchError(OSError):
    """A page could not be fetched (no network, a refused redirect, a body over the cap)."""


def remember_db(ctx, param, value):
    """click callback of every --db option: error messages name the file."""
    _db_path[:] = [value]
    return value


class DateParam(click.ParamType):
    """A calendar date, YYYY-MM-DD (or an ISO date and time): "next tuesday" is not one."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01", param, ctx)
        return parsed.isoformat()


DATE = DateParam()


def archive_problem(exc: BaseException, db: str | None = None) -> str | None:
    """One line saying what is wrong with the archive (and what to do), or None if it is not that."""
    db = db or (_db_path[0] if _db_path else "the archive")
    text = str(exc)
    if isinstance(exc, ArchiveUnusable):
        return text
    if isinstance(exc, sqlite3.DatabaseError):
        lowered = text.lower()
        if "not a database" in lowered:
            return f"{db} is not an SQLite archive ({text}); restore it from a backup or give another --db"
        if "malformed" in lowered or "corrupt" in lowered:
            return f"{db} is corrupt ({text}); restore it from a backup (sqlite3 {db} .recover) or give another --db"
        if "full" in lowered:
            return f"the disk is full writing {db}; free some space and run again (nothing was half-written)"
        if "readonly" in lowered or "read-only" in lowered:
            return f"{db} is read-only; run as a user who may write it and its folder, or give another --db"
        if "unable to open" in lowered:
            folder = Path(db).parent
            if not folder.is_dir():
                return f"cannot open {db}: there is no folder {folder}; create it or give another --db"
            if _read_only(folder):
                return f"cannot open {db}: its folder {folder} is read-only; make it writable or give another --db"
            return f"cannot open {db} ({text}); check its permissions or give another --db"
        return f"cannot use {db}: {text}"
    if isinstance(exc, OSError) and not isinstance(exc, FetchError) and exc.errno in (
            errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT):
        target = exc.filename or db
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full writing {target}; free some space and run again (nothing was half-written)"
        return f"cannot write {target}: it is read-only for this user ({exc.strerror}); fix that or give another --db"
    return None


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _say(message: str) -> None:
    click.echo(f"pkus: {message}", err=True)


def run(cli: click.Command, args: list[str] | None = None) -> None:
    """Run the CLI; every error the user can cause ends in one line on stderr and its exit code."""
    try:
        code = cli.main(args=args, prog_name="pkus", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "pkus"
        _say(f"{exc.format_message()} (see '{where} --help')")
        code = EXIT_USAGE
    except click.ClickException as exc:
        _say(exc.format_message())
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        _say("interrupted")
        code = EXIT_INTERRUPTED
    except SourceError as exc:
        _say(f"{exc}; fix the source file (see README, 'Adding an outlet')")
        code = EXIT_SOURCE
    except FetchError as exc:
        _say(str(exc))
        code = EXIT_FAILED
    except (sqlite3.DatabaseError, ArchiveUnusable, OSError) as exc:
        problem = archive_problem(exc)
        if problem is None:
            raise
        _say(problem)
        code = EXIT_ARCHIVE
    sys.exit(code if isinstance(code, int) else 0)
