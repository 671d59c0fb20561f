"""Calendar regressors for daily contact-volume forecasts.

A support line's volume depends on the calendar more than on anything else: the day of the
week, public holidays (closed, or open with a different pattern), the first open day after a
holiday closure (catch-up demand), the start and end of the month (salaries, statements) and,
given enough history, the time of year. :func:`calendar_features` turns a column of dates into
those regressors; :func:`public_holidays` lists the holidays it uses.

Holidays come from the ``holidays`` package. For ``country="GB"`` and ``subdiv=None`` the
England and Wales bank holidays (``subdiv="ENG"``) are used, because the UK-wide list lacks
Easter Monday and the August bank holiday that a London call centre observes.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import holidays as holidays_lib
import polars as pl

from insights.errors import ParameterError

__all__ = ["DEFAULT_SUBDIV", "calendar_features", "public_holidays"]

#: Region used when ``subdiv=None``: the bank-holiday calendar a national call centre follows.
DEFAULT_SUBDIV: dict[str, str] = {"GB": "ENG", "UK": "ENG"}

_MAX_CLOSURE_RUN = 6  # longest run of closed days looked through for ``after_closure``


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
    region = subdiv if subdiv is not None else DEFAULT_SUBDIV.get(country.upper())
    try:
        found = holidays_lib.country_holidays(country, subdiv=region, years=sorted(years))
    except NotImplementedError as exc:
        msg = (
            f"public_holidays: the holidays package has no calendar for country={country!r}, "
            f"subdiv={region!r}; pass an ISO 3166 code it supports (e.g. 'GB') or holidays=None."
        )
        raise ParameterError(msg) from exc
    dates = sorted(found.items())
    return pl.DataFrame(
        {"ds": [d for d, _ in dates], "holiday": [str(n) for _, n in dates]},
        schema={"ds": pl.Date, "holiday": pl.String},
    )


def calendar_features(
    frame: pl.DataFrame,
    /,
    *,
    country: str | None = "GB",
    subdiv: str | None = None,
    annual: int = 0,
    closed_weekdays: Collection[int] = (),
    holidays_closed: bool = True,
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
        Whether the line is closed on public holidays.

    Returns
    -------
    pl.DataFrame
        ``frame`` plus ``dow_1`` … ``dow_7`` (ISO weekday indicators), ``holiday`` (public
        holiday), ``open`` (open by the weekday and holiday rules), ``after_closure`` (the
        first open day after a closure that included a public holiday, when demand catches
        up), ``month_start`` / ``month_end`` (first and last open day of the month) and the
        Fourier columns. All regressors are ``Float64`` 0/1 flags except the Fourier terms.

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
    hol_dates = _holiday_dates(frame, country=country, subdiv=subdiv)
    ds = pl.col("ds")

    def is_holiday(expr: pl.Expr) -> pl.Expr:
        return expr.is_in(hol_dates.implode())

    def is_closed(expr: pl.Expr) -> pl.Expr:
        closed_day = expr.dt.weekday().is_in(closed)
        return (closed_day | is_holiday(expr)) if holidays_closed else closed_day

    # first open day after a closure run containing a closed holiday
    after = pl.lit(value=False)
    if holidays_closed:
        for k in range(1, _MAX_CLOSURE_RUN + 1):
            run_closed = pl.all_horizontal(
                [is_closed(ds - pl.duration(days=j)) for j in range(1, k + 1)]
            )
            after = after | (run_closed & is_holiday(ds - pl.duration(days=k)))
    is_open = ~is_closed(ds)

    def first_open_of_month(sign: int) -> pl.Expr:
        # open, and every earlier (sign=-1) / later (+1) day of the same month is closed
        others = [
            ((ds + pl.duration(days=sign * j)).dt.month() != ds.dt.month())
            | is_closed(ds + pl.duration(days=sign * j))
            for j in range(1, _MAX_CLOSURE_RUN + 1)
        ]
        return (is_open & pl.all_horizontal(others)).cast(pl.Float64)

    out = frame.with_columns(
        *[(ds.dt.weekday() == d).cast(pl.Float64).alias(f"dow_{d}") for d in range(1, 8)],
        is_holiday(ds).cast(pl.Float64).alias("holiday"),
        is_open.alias("open"),
        (after & is_open).cast(pl.Float64).alias("after_closure"),
        first_open_of_month(-1).alias("month_start"),
        first_open_of_month(+1).alias("month_end"),
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


def _holiday_dates(frame: pl.DataFrame, /, *, country: str | None, subdiv: str | None) -> pl.Series:
    if country is None or frame.height == 0:
        return pl.Series("ds", [], dtype=pl.Date)
    first, last = frame["ds"].min(), frame["ds"].max()
    years = range(first.year - 1, last.year + 2)  # type: ignore[union-attr]
    return public_holidays(years, country=country, subdiv=subdiv)["ds"]
