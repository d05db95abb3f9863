"""Archive times are UTC; readers in Pakistan read them in Pakistan time.

``published`` is ISO 8601 in UTC (``2025-10-23T20:30:00+00:00``), or a bare date
(``2025-02-05``) when the outlet printed no time: a date is shown as that date, never shifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Karachi")
LOCAL_ABBR = "PKT"
# Pakistan has kept UTC+5 all year since 2009, so SQL can bucket by local month with a fixed
# modifier (SQLite has no time zones); a bare date is its own local day.
LOCAL_MONTH_SQL = ("case when length({col}) = 10 then substr({col}, 1, 7) "
                   "else strftime('%Y-%m', {col}, '+5 hours') end")


@dataclass(frozen=True)
class Shown:
    text: str  # "24 Oct 2025, 01:30 PKT", or "5 Feb 2025" for a bare date
    utc: str  # "23 Oct 2025, 20:30 UTC" (what a hover shows), or "date only, no time given"
    iso: str  # for <time datetime>
    day: str  # local YYYY-MM-DD


def parse(value: str | None) -> datetime | date | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def shown(value: str | None, with_time: bool = True) -> Shown | None:
    """How an archive time reads in Pakistan; None for an empty or unreadable value."""
    parsed = parse(value)
    if parsed is None:
        return None
    if not isinstance(parsed, datetime):
        text = f"{parsed.day} {parsed:%b %Y}"
        return Shown(text, "date only, no time given", parsed.isoformat(), parsed.isoformat())
    local = parsed.astimezone(LOCAL_TZ)
    utc = parsed.astimezone(timezone.utc)
    text = f"{local.day} {local:%b %Y}" + (f", {local:%H:%M} {LOCAL_ABBR}" if with_time else "")
    return Shown(text, f"{utc.day} {utc:%b %Y}, {utc:%H:%M} UTC", utc.isoformat(), local.date().isoformat())


def day_start_utc(day: date) -> str:
    """The UTC instant a local day begins, in the archive's format, for ``published >= ?``."""
    start = datetime.combine(day, time(0), LOCAL_TZ).astimezone(timezone.utc)
    return start.isoformat()


def day_after_start_utc(day: date) -> str:
    """The UTC instant the local day after ``day`` begins, for ``published < ?``."""
    return day_start_utc(day + timedelta(days=1))
