"""Primitives every stage shares, each written once.

* :data:`DEFAULT_TZ` — the time zone whose calendar defines days and months by default.
* :func:`parse_month` and :func:`parse_day` — the ``month="2025-09"`` and ``as_of="2025-08-31"``
  parameters notebooks pass as plain literals (a ``date`` or ``"2025-09-01"`` is a month too).
* :func:`match_city` — a city parameter matched to the data's spelling, ignoring case, with a
  "did you mean" when it matches nothing.
* :func:`local_day` — the local calendar day of a UTC timestamp column (polars).
* :func:`polars_frame` — the door for frames from notebooks: polars as is, pandas converted
  (its ``datetime64`` month and day columns back to dates), anything else refused clearly.
* :func:`friendly` — what ``insights.<name>`` hands a notebook: the library function with a
  pandas first argument converted and a column missing deep inside reported as a
  :class:`ParameterError` naming the function, the column and what it expects.
* :func:`progress` — a progress bar over a long loop where someone is watching (Jupyter, a
  terminal), never in report runs or logs.
* :func:`require_columns` — the column check that names what is missing, what is there, the
  contract the frame should satisfy and the likely renames.
* :data:`SAMPLE_DIR`, :data:`REPORTS_DIR`, :data:`CATALOGUE_FILE`, :data:`SCHEDULE_FILE` — the
  project's default folders and files (the raw data folder's own layout is
  :mod:`insights.data.layout`).
* :func:`day_span` — a run of days in words ("1 to 28 September 2025") for titles and text.
* :func:`level_tag` and :func:`tag_level` — an interval level as it is written in column
  names (``97.5`` ↔ ``"97_5"``: ``lo_97_5``, ``coverage_97_5``) and back.
* :func:`normal_quantile` — the standard normal quantile whose central interval covers a level
  (1.2816 for 80%), for forecast intervals wherever they are built or read (stdlib, no scipy).

The engine-agnostic reduce (:mod:`insights.reduce.aggregates`) builds its local day with
narwhals expressions instead, from the same :data:`DEFAULT_TZ`.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
import re
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from insights.errors import ParameterError

__all__ = [
    "CATALOGUE_FILE",
    "DEFAULT_TZ",
    "PROGRESS_ENV",
    "REPORTS_DIR",
    "SAMPLE_DIR",
    "SCHEDULE_FILE",
    "Month",
    "day_span",
    "friendly",
    "level_tag",
    "local_day",
    "match_city",
    "normal_quantile",
    "parse_day",
    "parse_month",
    "polars_frame",
    "progress",
    "require_columns",
    "tag_level",
    "watched",
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


#: A month parameter: ``"2025-09"``, a day of it (``"2025-09-01"``, ``date(2025, 9, 1)``).
Month = str | date

_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def parse_month(month: Month, /) -> date:
    """Parse a month parameter into the date of its first day.

    A month is ``"YYYY-MM"``; a day of it (``"YYYY-MM-DD"``, a ``date`` or a ``datetime``)
    means its month, so ``month=date(2025, 9, 1)`` works as well as ``month="2025-09"``.

    Raises
    ------
    ParameterError
        If ``month`` is none of those, or not a real month or day.

    Examples
    --------
    >>> parse_month("2025-09"), parse_month("2025-09-01") == parse_month(date(2025, 9, 30))
    (datetime.date(2025, 9, 1), True)

    """
    if isinstance(month, date):  # a datetime is a date too
        return date(month.year, month.month, 1)
    match = _MONTH.fullmatch(month.strip()) if isinstance(month, str) else None
    if match is not None and 1 <= int(match.group(2)) <= 12:
        year, number, day = int(match.group(1)), int(match.group(2)), match.group(3)
        try:
            date(year, number, int(day) if day else 1)
        except ValueError:
            pass
        else:
            return date(year, number, 1)
    msg = (
        f"month must be a month like '2025-09' (or a day of it: '2025-09-01', "
        f"date(2025, 9, 1)), got {month!r}."
    )
    raise ParameterError(msg)


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


def match_city(city: str, cities: Iterable[str | None], /, *, who: str, strict: bool = True) -> str:
    """Return the data's spelling of ``city``, ignoring case and surrounding spaces.

    With ``strict=False`` a city that matches nothing and resembles no city of the data is
    returned as given (a city without spending gives an empty result, a normal result);
    one that resembles a city of the data is still taken for a typo.

    Raises
    ------
    ParameterError
        No city of the data matches: the message suggests the closest ("did you mean") and
        lists the cities there are.

    Examples
    --------
    >>> match_city("london", ["Leeds", "London"], who="trending_merchants")
    'London'
    >>> match_city("Londn", ["Leeds", "London"], who="f")
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: f: no city 'Londn' in the data; did you mean 'London'? ...

    """
    known = sorted({c for c in cities if c is not None})
    if city in known:
        return city
    folded = {c.casefold(): c for c in known}
    wanted = str(city).strip().casefold()
    if wanted in folded:
        return folded[wanted]
    close = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=0.6)
    if not strict and not close:
        return city
    hint = f"; did you mean {folded[close[0]]!r}?" if close else "."
    shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
    listed = f" The data has {len(known)} cities: {shown}." if known else " The data has no city."
    msg = f"{who}: no city {city!r} in the data{hint}{listed}"
    raise ParameterError(msg)


def require_columns(
    frame: pl.DataFrame | pl.LazyFrame,
    columns: Sequence[str],
    /,
    *,
    who: str,
    what: str = "",
    fix: str = "",
) -> None:
    r"""Raise :class:`ParameterError` naming the columns ``who`` needs that ``frame`` lacks.

    The message names the function, the missing columns, the columns there are, and, for
    a missing column whose name is close to one there is, the likely rename to undo.
    ``what`` names the frame in the message (``"the history"``); ``fix`` is appended to it
    (how to build a frame with those columns, or which mart or contract to pass).

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
    >>> frame = pl.DataFrame({"day": [1], "spent": [2]})
    >>> try:
    ...     require_columns(frame, ["day", "spend"], who="f", fix="Pass the daily mart.")
    ... except ParameterError as error:
    ...     print(*str(error).split(". "), sep="\n")
    f needs columns ['day', 'spend']; missing ['spend'] (got ['day', 'spent'])
    Pass the daily mart
    Was 'spend' renamed to 'spent'? Undo it with .rename({'spent': 'spend'}).

    """  # noqa: E501
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    missing = [c for c in columns if c not in names]
    if missing:
        extra = [n for n in names if n not in columns]
        renames = {
            close[0]: c
            for c in missing
            if (close := difflib.get_close_matches(c, extra, n=1, cutoff=0.6))
        }
        where = f" in {what}" if what else ""
        msg = f"{who} needs columns {list(columns)}{where}; missing {missing} (got {names})."
        if fix:
            msg += f" {fix}"
        if renames:
            was = ", ".join(f"{new!r} renamed to {old!r}" for old, new in renames.items())
            msg += f" Was {was}? Undo it with .rename({renames!r})."
        raise ParameterError(msg)


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


def level_tag(level: float, /) -> str:
    """Write an interval level (percent) as column names carry it: ``lo_<tag>``, ``hi_<tag>``.

    Examples
    --------
    >>> level_tag(80), level_tag(97.5), level_tag(80.0)
    ('80', '97_5', '80')

    """
    return f"{level:g}".replace(".", "_")


def tag_level(tag: str, /) -> float:
    """Read back the level (percent) of a column tag written by :func:`level_tag`.

    Examples
    --------
    >>> tag_level("80"), tag_level("97_5")
    (80.0, 97.5)

    """
    return float(tag.replace("_", "."))


_NORMAL = statistics.NormalDist()


def normal_quantile(level: float, /) -> float:
    """Return the standard normal quantile whose central interval covers ``level`` percent.

    ``mean ± normal_quantile(level) * sd`` is the two-sided ``level``% interval of a normal
    error: the quantile at ``0.5 + level / 200``. Forecast intervals are built and read back
    with it (``lo_80``/``hi_80`` are 2 × 1.2816 standard deviations apart). It uses the
    standard library's :class:`statistics.NormalDist`, which agrees with
    ``scipy.stats.norm.ppf`` to 1e-12, so importing it costs no scipy.

    Parameters
    ----------
    level
        Interval level in percent, strictly between 0 and 100.

    Examples
    --------
    >>> round(normal_quantile(80), 4), round(normal_quantile(95), 4)
    (1.2816, 1.96)

    """
    return _NORMAL.inv_cdf(0.5 + level / 200)


#: Columns that hold calendar days: a pandas ``datetime64`` at midnight there is a date.
DATE_COLUMNS = ("month", "day", "ds", "first_month", "date")


def polars_frame(frame: Any, /, *, who: str) -> pl.DataFrame:
    """Return ``frame`` as a polars DataFrame, converting a pandas one.

    A ``LazyFrame`` is collected. A pandas frame is converted with :func:`polars.from_pandas`;
    pandas has no date type, so its ``datetime64`` columns named like days (``month``,
    ``day``, ``ds``, ...) whose values are all midnights become polars ``Date`` again.

    Raises
    ------
    ParameterError
        ``frame`` is not a polars or pandas frame, or pandas could not be converted.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"month": pd.to_datetime(["2025-09-01"]), "customers": [12]})
    >>> dict(polars_frame(frame, who="f").schema)
    {'month': Date, 'customers': Int64}
    >>> polars_frame([1, 2], who="f")
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: f takes a polars DataFrame (pandas is converted), not list; ...

    """
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    if type(frame).__module__.split(".")[0] == "pandas" and hasattr(frame, "columns"):
        try:
            converted = pl.from_pandas(frame)
        except Exception as exc:
            msg = (
                f"{who} could not convert the pandas frame to polars ({exc}); convert it "
                "yourself with polars.from_pandas(frame) and fix the column it names."
            )
            raise ParameterError(msg) from exc
        return _dates_as_dates(converted)
    msg = (
        f"{who} takes a polars DataFrame (pandas is converted), not {type(frame).__name__}; "
        "read a mart with insights.read_mart(...) or build one with polars.DataFrame(...)."
    )
    raise ParameterError(msg)


def _dates_as_dates(frame: pl.DataFrame) -> pl.DataFrame:
    days = [
        name
        for name, dtype in frame.schema.items()
        if name in DATE_COLUMNS
        and isinstance(dtype, pl.Datetime)
        and dtype.time_zone is None
        and frame.select((pl.col(name).dt.time() == pl.time(0)).all()).item() is not False
    ]
    return frame.with_columns(pl.col(days).dt.date()) if days else frame


T = TypeVar("T")

#: Environment variable: ``0`` hides progress bars, ``1`` shows them (default: shown in a
#: Jupyter kernel or a terminal). The report runner sets ``0``: no bars in published pages.
PROGRESS_ENV = "INSIGHTS_PROGRESS"


def watched() -> bool:
    """Whether someone sees progress: a Jupyter kernel or a terminal, unless told otherwise."""
    wanted = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if wanted in {"0", "false", "no", "off"}:
        return False
    if wanted in {"1", "true", "yes", "on"}:
        return True
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def progress(items: Sequence[T], /, *, desc: str, unit: str = "series") -> Iterable[T]:
    """Iterate over ``items`` with a progress bar (tqdm) where someone is watching.

    Shown in a Jupyter kernel or a terminal for two or more items, and cleared when done;
    hidden in report runs (the runner sets ``INSIGHTS_PROGRESS=0``, so rendered reports
    carry no bars), in tests and in pipes. ``INSIGHTS_PROGRESS=1`` forces it on.

    Examples
    --------
    >>> list(progress([1, 2, 3], desc="forecast"))  # not watched here: a plain loop
    [1, 2, 3]

    """
    if len(items) < 2 or not watched():
        return items
    from tqdm import tqdm  # noqa: PLC0415 - only when a bar is shown

    bar: Iterable[T] = tqdm(
        items, desc=desc, unit=unit, leave=False, file=sys.stderr, dynamic_ncols=True
    )
    return bar


_QUOTED = re.compile(r"""["']([^"']+)["']""")


def _expected(func: Callable[..., Any]) -> str:
    """Return the first parameter's description in ``func``'s docstring (what it expects)."""
    doc = inspect.getdoc(func) or ""
    lines = doc.split("Parameters\n----------\n", 1)[-1].splitlines() if "Parameters" in doc else []
    text: list[str] = []
    for line in lines[1:]:
        if not line.startswith(" "):
            break
        text.append(line.strip())
    return " ".join(text)


def _column_message(func: Callable[..., Any], exc: Exception, args: tuple[Any, ...]) -> str:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    found = _QUOTED.search(detail)
    column = found.group(1) if found else None
    frame = args[0] if args else None
    names: list[str] = []
    if isinstance(frame, pl.LazyFrame):
        names = frame.collect_schema().names()
    elif isinstance(frame, pl.DataFrame):
        names = frame.columns
    name = func.__name__
    said = f"column {column!r}" if column else "a column"
    msg = f"{name}: the frame has no {said}"
    if names:
        msg += f" (it has {names})"
        close = difflib.get_close_matches(column, names, n=1, cutoff=0.6) if column else []
        if close and close[0] != column:
            undo = f".rename({{{close[0]!r}: {column!r}}})"
            msg += f"; was {column!r} renamed to {close[0]!r}? Undo it with {undo}"
    expected = _expected(func)
    if expected:
        msg += f". {name} expects: {expected}"
    return msg + f" (polars said: {detail})"


def friendly(func: Callable[..., T], /) -> Callable[..., T]:
    """Wrap a public function for notebooks: pandas in, and teaching column errors out.

    A pandas frame as first argument is converted (:func:`polars_frame`). A column missing
    inside the function (polars or narwhals ``ColumnNotFoundError``) is re-raised as a
    :class:`ParameterError` naming the function, the column, the columns the frame has, the
    likely rename, and the input the function expects (its docstring), without the
    query-plan traceback.

    Examples
    --------
    >>> def total(frame: pl.DataFrame, /) -> int:
    ...     \"\"\"Sum the spend.
    ...
    ...     Parameters
    ...     ----------
    ...     frame
    ...         Daily spend (``day``, ``spend_minor``).
    ...     \"\"\"
    ...     return int(frame.select(pl.col("spend_minor").sum()).item())
    >>> friendly(total)(pl.DataFrame({"day": [1], "spend": [5]}))
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: total: the frame has no column 'spend_minor' (it has [...

    """
    import narwhals.exceptions as nw_errors  # noqa: PLC0415 - only when a function is wrapped

    missing = (pl.exceptions.ColumnNotFoundError, nw_errors.ColumnNotFoundError)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if args and type(args[0]).__module__.split(".")[0] == "pandas":
            args = (polars_frame(args[0], who=func.__name__), *args[1:])
        try:
            return func(*args, **kwargs)
        except missing as exc:
            raise ParameterError(_column_message(func, exc, args)) from None

    return wrapper
