"""ISO-week helpers: every partition in credwatch is keyed by an ISO week `YYYY-Www`."""
from __future__ import annotations

import datetime as dt
import re

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(week: str) -> dt.date:
    """Return the Monday of ISO week `week` ("2026-W07").

    Raises ValueError naming the input and the expected form.
    """
    m = _WEEK_RE.match(week or "")
    if not m:
        raise ValueError(f"week {week!r} is not an ISO week; write it as YYYY-Www, e.g. 2026-W07")
    year, num = int(m.group(1)), int(m.group(2))
    try:
        return dt.date.fromisocalendar(year, num, 1)
    except ValueError as exc:
        raise ValueError(f"week {week!r} does not exist in ISO year {year}: {exc}") from None


def week_of(day: dt.date | dt.datetime) -> str:
    """ISO week label of a date or datetime."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def week_start(week: str) -> dt.date:
    return parse_week(week)


def week_end(week: str) -> dt.date:
    """Sunday of the week (inclusive end)."""
    return parse_week(week) + dt.timedelta(days=6)


def shift(week: str, n: int) -> str:
    """The week `n` weeks after `week` (negative for before)."""
    return week_of(parse_week(week) + dt.timedelta(weeks=n))


def week_range(first: str, last: str) -> list[str]:
    """All weeks from `first` to `last` inclusive, in order."""
    start, end = parse_week(first), parse_week(last)
    if end < start:
        raise ValueError(f"week range {first}..{last} is empty: the first week is after the last")
    out, d = [], start
    while d <= end:
        out.append(week_of(d))
        d += dt.timedelta(weeks=1)
    return out


def index_between(first: str, week: str) -> int:
    """Number of weeks from `first` to `week` (0 when equal)."""
    return (parse_week(week) - parse_week(first)).days // 7


def resolve_run_weeks(params: dict | None, data_interval_start=None, logical_date=None) -> list[str]:
    """Which weeks a pipeline run processes.

    Explicit params win: `weeks` (a list) or `week` (one). Otherwise the run's
    data interval start (a scheduled run processes the week that just ended),
    else its logical date. Manual and API-triggered runs in Airflow 3 have no
    logical date, so without a param there is nothing to derive a week from:
    that is an error naming the fix, never a silent "this week".
    """
    params = params or {}
    weeks = [w for w in (params.get("weeks") or []) if w]
    if not weeks and params.get("week"):
        weeks = [params["week"]]
    if weeks:
        for w in weeks:
            parse_week(w)
        return sorted(set(weeks))
    when = data_interval_start or logical_date
    if when is None:
        raise ValueError(
            "this run has no logical date (manual or API trigger) and no 'week' param; "
            "trigger it with conf {\"week\": \"YYYY-Www\"} or {\"weeks\": [...]}"
        )
    return [week_of(when)]
