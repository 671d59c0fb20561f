"""Calendar regressors for daily contact-volume forecasts.

A support line's volume depends on the calendar more than on anything else: the day of the
week, public holidays (closed, or open with a different pattern), the first two open days after
a holiday closure (catch-up demand), the first three and the last open day of the month
(salaries, statements) and, given enough history, the time of year. :func:`calendar_features`
turns a column of dates into those regressors; :func:`public_holidays` lists the holidays it
uses.

Holidays come from the ``holidays`` package. For ``country="GB"`` and ``subdiv=None`` the
England and Wales bank holidays (``subdiv="ENG"``) are used, because the UK-wide list lacks
Easter Monday and the August bank holiday that a London call centre observes.

A line may close on some holidays and work others (a bank's call centre shut on Labor Day
but open on Columbus Day), so closures are given per holiday *name*, as the ``holidays``
package spells it (``"Christmas Day"``). A substitute day follows its holiday:
``"Christmas Day (observed)"`` is closed when ``"Christmas Day"`` is.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date, timedelta

import polars as pl

from insights.errors import ParameterError
from insights.forecasting._holidays import (
    DEFAULT_SUBDIV,
    NAME_YEARS,
    fold,
    holiday_frame,
    holiday_names_in,
    holiday_table,
    unknown_holidays,
)

__all__ = [
    "DEFAULT_SUBDIV",
    "MONTH_START_DAYS",
    "calendar_features",
    "holiday_names",
    "public_holidays",
]

_MAX_CLOSURE_RUN = 6  # longest run of closed days looked through for ``after_closure``
#: Open days at the start of a month flagged ``month_start``: salaries, statements and
#: direct debits keep a bank's calls 5-10% above the weekday for the first three business
#: days of the month, not one (``fpp3::bank_calls``, March-October 2003).
MONTH_START_DAYS = 3


def public_holidays(
    years: Collection[int], /, *, country: str = "GB", subdiv: str | None = None
) -> pl.DataFrame:
    """Public holidays of ``country`` in ``years``.

    Parameters
    ----------
    years
        Calendar years to list.
    country
        ISO 3166 country code understood by the ``holidays`` package.
    subdiv
        Region code (e.g. ``"SCT"``); ``None`` uses :data:`DEFAULT_SUBDIV` (``"ENG"`` for GB).

    Returns
    -------
    pl.DataFrame
        ``ds`` (date) and ``holiday`` (name), one row per holiday, sorted by date.

    Examples
    --------
    >>> public_holidays([2025]).filter(pl.col("ds").dt.month() == 4)
    shape: (2, 2)
    ┌────────────┬───────────────┐
    │ ds         ┆ holiday       │
    │ ---        ┆ ---           │
    │ date       ┆ str           │
    ╞════════════╪═══════════════╡
    │ 2025-04-18 ┆ Good Friday   │
    │ 2025-04-21 ┆ Easter Monday │
    └────────────┴───────────────┘

    """
    return holiday_frame(years, country=country, subdiv=subdiv)


def calendar_features(
    frame: pl.DataFrame,
    /,
    *,
    country: str | None = "GB",
    subdiv: str | None = None,
    annual: int = 0,
    closed_weekdays: Collection[int] = (),
    holidays_closed: bool | Collection[str] = True,
) -> pl.DataFrame:
    """Calendar regressors for each date in ``frame["ds"]``.

    Parameters
    ----------
    frame
        A frame with a ``ds`` column of dates (other columns are kept).
    country
        Country whose public holidays are used; ``None`` for no holidays.
    subdiv
        Holiday region, see :func:`public_holidays`.
    annual
        Number of annual Fourier pairs (``sin_k``, ``cos_k`` of the day of year); ``0`` adds
        none. Use them only with two or more years of history.
    closed_weekdays
        ISO weekdays (1 = Monday … 7 = Sunday) on which the line is closed.
    holidays_closed
        Public holidays on which the line is closed: ``True`` every one, ``False`` none, or
        a collection of holiday names as :func:`public_holidays` spells them (e.g.
        ``{"Christmas Day", "Boxing Day"}``; a name's "(observed)" substitute days follow
        it; case is ignored).

    Returns
    -------
    pl.DataFrame
        ``frame`` plus ``dow_1`` … ``dow_7`` (ISO weekday indicators), ``holiday`` (public
        holiday, closed or not), ``open`` (open by the weekday and holiday rules),
        ``after_closure`` (the first open day after a closure that included a closed public
        holiday, when demand catches up), ``after_closure_2`` (the open day after that one:
        a backlog often takes two days to clear), ``month_start`` (the first
        :data:`MONTH_START_DAYS` open days of the month), ``month_end`` (its last open day)
        and the Fourier columns. All regressors are ``Float64`` 0/1
        flags except the Fourier terms.

    Examples
    --------
    >>> days = pl.DataFrame({"ds": pl.date_range(pl.date(2025, 4, 17), pl.date(2025, 4, 23),
    ...                                          eager=True)})
    >>> calendar_features(days, closed_weekdays=[7]).select(
    ...     "ds", "holiday", "open", "after_closure", "dow_1")
    shape: (7, 5)
    ┌────────────┬─────────┬───────┬───────────────┬───────┐
    │ ds         ┆ holiday ┆ open  ┆ after_closure ┆ dow_1 │
    │ ---        ┆ ---     ┆ ---   ┆ ---           ┆ ---   │
    │ date       ┆ f64     ┆ bool  ┆ f64           ┆ f64   │
    ╞════════════╪═════════╪═══════╪═══════════════╪═══════╡
    │ 2025-04-17 ┆ 0.0     ┆ true  ┆ 0.0           ┆ 0.0   │
    │ 2025-04-18 ┆ 1.0     ┆ false ┆ 0.0           ┆ 0.0   │
    │ 2025-04-19 ┆ 0.0     ┆ true  ┆ 1.0           ┆ 0.0   │
    │ 2025-04-20 ┆ 0.0     ┆ false ┆ 0.0           ┆ 0.0   │
    │ 2025-04-21 ┆ 1.0     ┆ false ┆ 0.0           ┆ 1.0   │
    │ 2025-04-22 ┆ 0.0     ┆ true  ┆ 1.0           ┆ 0.0   │
    │ 2025-04-23 ┆ 0.0     ┆ true  ┆ 0.0           ┆ 0.0   │
    └────────────┴─────────┴───────┴───────────────┴───────┘

    """
    if "ds" not in frame.columns or frame.schema["ds"] != pl.Date:
        msg = "calendar_features: `frame` needs a `ds` column of type Date; cast it first."
        raise ParameterError(msg)
    if annual < 0:
        msg = f"calendar_features: annual={annual} must be 0 or a positive number of pairs."
        raise ParameterError(msg)
    bad = set(closed_weekdays) - set(range(1, 8))
    if bad:
        msg = f"calendar_features: closed_weekdays {sorted(bad)} are not ISO weekdays 1..7."
        raise ParameterError(msg)
    closed = sorted(set(closed_weekdays))
    table = holiday_table(frame, country=country, subdiv=subdiv)
    if not isinstance(holidays_closed, bool):
        table = table.with_columns(
            _is_named(holidays_closed, country=country, subdiv=subdiv, frame=frame).alias("closed")
        )
    else:
        table = table.with_columns(pl.lit(holidays_closed).alias("closed"))
    hol_dates = table["ds"].unique().implode()
    shut_dates = table.filter("closed")["ds"].unique().implode()
    ds = pl.col("ds")

    def is_holiday(expr: pl.Expr) -> pl.Expr:
        return expr.is_in(hol_dates)

    def is_shut_holiday(expr: pl.Expr) -> pl.Expr:
        return expr.is_in(shut_dates)

    def is_closed(expr: pl.Expr) -> pl.Expr:
        return expr.dt.weekday().is_in(closed) | is_shut_holiday(expr)

    def first_after_closure(day: pl.Expr) -> pl.Expr:
        # the first open day after a closure run containing a closed holiday
        after = pl.lit(value=False)
        for k in range(1, _MAX_CLOSURE_RUN + 1):
            run_closed = pl.all_horizontal(
                [is_closed(day - pl.duration(days=j)) for j in range(1, k + 1)]
            )
            after = after | (run_closed & is_shut_holiday(day - pl.duration(days=k)))
        return after & ~is_closed(day)

    after = first_after_closure(ds)
    # the second: its previous open day (k days back, the days between closed) is a first
    days = frame["ds"].drop_nulls()
    firsts = days.clear()
    if days.len():
        first, last = days.min(), days.max()
        assert isinstance(first, date) and isinstance(last, date)
        span = pl.date_range(first - timedelta(days=_MAX_CLOSURE_RUN), last, eager=True)
        firsts = span.to_frame("ds").filter(first_after_closure(ds))["ds"]
    firsts_at = firsts.implode()
    after2 = pl.lit(value=False)
    for k in range(1, _MAX_CLOSURE_RUN + 1):
        between = [is_closed(ds - pl.duration(days=j)) for j in range(1, k)]
        after2 = after2 | pl.all_horizontal((ds - pl.duration(days=k)).is_in(firsts_at), *between)
    is_open = ~is_closed(ds)

    def open_days_of_month(sign: int, first: int) -> pl.Expr:
        # open, and fewer than ``first`` earlier (sign=-1) / later (+1) days of its month open
        others = [
            ((ds + pl.duration(days=sign * j)).dt.month() == ds.dt.month())
            & ~is_closed(ds + pl.duration(days=sign * j))
            for j in range(1, 31)
        ]
        return (is_open & (pl.sum_horizontal(others) < first)).cast(pl.Float64)

    out = frame.with_columns(
        *[(ds.dt.weekday() == d).cast(pl.Float64).alias(f"dow_{d}") for d in range(1, 8)],
        is_holiday(ds).cast(pl.Float64).alias("holiday"),
        is_open.alias("open"),
        (after & is_open).cast(pl.Float64).alias("after_closure"),
        (after2 & is_open).cast(pl.Float64).alias("after_closure_2"),
        open_days_of_month(-1, MONTH_START_DAYS).alias("month_start"),
        open_days_of_month(+1, 1).alias("month_end"),
    )
    if annual:
        angle = 2 * math.pi * ds.dt.ordinal_day().cast(pl.Float64) / 365.25
        out = out.with_columns(
            *[
                expr
                for k in range(1, annual + 1)
                for expr in (
                    (angle * k).sin().alias(f"sin_{k}"),
                    (angle * k).cos().alias(f"cos_{k}"),
                )
            ]
        )
    return out


def holiday_names(
    years: Collection[int], /, *, country: str = "GB", subdiv: str | None = None
) -> list[str]:
    """Names of the public holidays of ``country`` in ``years``, observed days folded in.

    These are the names ``calendar_features(holidays_closed=...)`` and
    ``forecast(closed=...)`` accept.

    Examples
    --------
    >>> holiday_names([2025], country="US")[:3]
    ['Christmas Day', 'Columbus Day', 'Independence Day']

    """
    return holiday_names_in(years, country=country, subdiv=subdiv)


def _is_named(
    names: Collection[str], /, *, country: str | None, subdiv: str | None, frame: pl.DataFrame
) -> pl.Expr:
    if isinstance(names, str):
        msg = (
            f"calendar_features: holidays_closed={names!r} is one string; pass True, False or "
            f"a collection of holiday names, e.g. holidays_closed={{{names!r}}}."
        )
        raise ParameterError(msg)
    if names and country is None:
        msg = (
            f"calendar_features: holidays_closed={sorted(names)} names holidays but "
            "country=None has none; pass the country whose holidays they are."
        )
        raise ParameterError(msg)
    if names and frame.height:
        first, last = frame["ds"].min(), frame["ds"].max()
        years = range(first.year - NAME_YEARS, last.year + NAME_YEARS + 1)  # type: ignore[union-attr]
        unknown, valid = unknown_holidays(names, years, country=country, subdiv=subdiv)
        if unknown:
            msg = (
                f"calendar_features: holidays_closed names {unknown} are not public holidays "
                f"of country={country!r}; valid names: {valid}."
            )
            raise ParameterError(msg)
    folded = [fold(n) for n in names]
    return pl.col("name").str.to_lowercase().is_in(folded)
