"""Primitives every stage shares, each written once.

* :data:`DEFAULT_TZ` — the time zone whose calendar defines days and months by default.
* :func:`parse_month` and :func:`parse_day` — the ``month="2025-09"`` and ``as_of="2025-08-31"``
  parameters notebooks pass as plain literals.
* :func:`local_day` — the local calendar day of a UTC timestamp column (polars).
* :func:`require_columns` — the column check that names what is missing and what is there.
* :data:`SAMPLE_DIR`, :data:`REPORTS_DIR`, :data:`CATALOGUE_FILE`, :data:`SCHEDULE_FILE` — the
  project's default folders and files (the raw data folder's own layout is
  :mod:`insights.data.layout`).
* :func:`day_span` — a run of days in words ("1 to 28 September 2025") for titles and text.

The engine-agnostic reduce (:mod:`insights.reduce.aggregates`) builds its local day with
narwhals expressions instead, from the same :data:`DEFAULT_TZ`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from insights.errors import ParameterError

__all__ = [
    "CATALOGUE_FILE",
    "DEFAULT_TZ",
    "REPORTS_DIR",
    "SAMPLE_DIR",
    "SCHEDULE_FILE",
    "day_span",
    "local_day",
    "parse_day",
    "parse_month",
    "require_columns",
]

#: Time zone whose calendar defines a day or a month unless a function is told otherwise.
DEFAULT_TZ = "Europe/London"

#: The project's folders, relative to the working directory (the repository's root): where
#: ``insights sample`` writes the sample data, and where the runner finds its catalogue and
#: schedule and publishes the reports.
SAMPLE_DIR = Path("data/sample")
REPORTS_DIR = Path("reports")
CATALOGUE_FILE = Path("notebooks/catalogue.toml")
SCHEDULE_FILE = REPORTS_DIR / "schedule.toml"


def parse_month(month: str, /) -> date:
    """Parse a ``"YYYY-MM"`` month parameter into the date of its first day.

    Raises
    ------
    ParameterError
        If ``month`` is not a string of the form ``"YYYY-MM"`` with a month from 01 to 12.

    Examples
    --------
    >>> parse_month("2025-09")
    datetime.date(2025, 9, 1)

    """
    match = re.fullmatch(r"(\d{4})-(\d{2})", month) if isinstance(month, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        msg = f"month must look like '2025-09' (year-month), got {month!r}."
        raise ParameterError(msg)
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_day(day: date | str, /, *, name: str = "as_of") -> date:
    """Accept a date or an ISO ``"YYYY-MM-DD"`` string (notebook parameters are plain literals).

    Examples
    --------
    >>> parse_day("2025-08-31")
    datetime.date(2025, 8, 31)

    """
    if isinstance(day, date):
        return day
    try:
        return date.fromisoformat(day)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a date or 'YYYY-MM-DD', not {day!r}") from exc


def local_day(column: str = "created_at", /, *, tz: str = DEFAULT_TZ) -> pl.Expr:
    """Local calendar date in ``tz`` of the UTC timestamps in ``column``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> frame = pl.DataFrame({"created_at": [datetime(2025, 9, 30, 23, 30, tzinfo=timezone.utc)]})
    >>> frame.select(local_day(tz="Europe/London")).item()  # 00:30 on 1 October, BST
    datetime.date(2025, 10, 1)

    """
    return pl.col(column).dt.convert_time_zone(tz).dt.date()


def require_columns(
    frame: pl.DataFrame | pl.LazyFrame,
    columns: Sequence[str],
    /,
    *,
    who: str,
    what: str = "",
    fix: str = "",
) -> None:
    """Raise :class:`ParameterError` naming the columns ``who`` needs that ``frame`` lacks.

    ``what`` names the frame in the message (``"the history"``); ``fix`` is appended to it
    (how to build a frame with those columns).

    Examples
    --------
    >>> require_columns(pl.DataFrame({"a": [1]}), ["a", "b"], who="chart")
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: chart needs columns ['a', 'b']; missing ['b'] (got ['a']).
    >>> require_columns(pl.DataFrame({"a": [1]}), ["b"], who="f", what="the table", fix="Add b.")
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: f needs columns ['b'] in the table; missing ['b'] (got ['a']). Add b.

    """  # noqa: E501
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    missing = [c for c in columns if c not in names]
    if missing:
        where = f" in {what}" if what else ""
        msg = f"{who} needs columns {list(columns)}{where}; missing {missing} (got {names})."
        raise ParameterError(f"{msg} {fix}" if fix else msg)


def day_span(first: date, last: date, /) -> str:
    """Name a run of days the way a reader says it, e.g. "1 to 28 September 2025".

    Examples
    --------
    >>> day_span(date(2025, 9, 1), date(2025, 9, 28))
    '1 to 28 September 2025'
    >>> day_span(date(2025, 9, 29), date(2025, 10, 26))
    '29 September to 26 October 2025'
    >>> day_span(date(2025, 12, 15), date(2026, 1, 11))
    '15 December 2025 to 11 January 2026'
    >>> day_span(date(2025, 9, 1), date(2025, 9, 1))
    '1 September 2025'

    """
    if first == last:
        return f"{last:%-d %B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%-d} to {last:%-d %B %Y}"
    if first.year == last.year:
        return f"{first:%-d %B} to {last:%-d %B %Y}"
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}"
