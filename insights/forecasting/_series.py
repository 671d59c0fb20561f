"""Series preparation: validate the history, infer its calendar, lay it on a daily grid.

Internal to :mod:`insights.forecasting`; :func:`insights.forecast` documents the behaviour.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from numbers import Integral
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from insights._common import require_columns
from insights.errors import InsufficientHistoryError, ParameterError
from insights.forecasting._holidays import (
    NAME_YEARS,
    holiday_labels,
    holiday_table,
    unknown_holidays,
)
from insights.forecasting.regressors import calendar_features

__all__ = [
    "MIN_TRAIN_OPEN_DAYS",
    "FloatArray",
    "Series",
    "Spec",
    "future_grid",
    "series_for",
    "split",
    "validate_history",
]

FloatArray = npt.NDArray[np.float64]

MIN_TRAIN_OPEN_DAYS = 42  # six weeks of open days to fit a weekly model
_STRAY_SHARE = 0.05  # a day with under 5% of a typical day's contacts was closed
_QUIET_VOLUME = 0.25  # a closed weekday or holiday has under 25% of a typical day's volume
_FUTURE_PAD_DAYS = 21
_GAP_DAYS = 21  # a run of days without contacts this long is missing data, not a closure
HOLIDAY_WINDOW_DAYS = 3  # days before and after a holiday with effects of their own
_KEY_COLUMNS = ("unique_id", "ds", "y")
#: Annual Fourier pairs with two or more years of history (``annual="auto"``), as Prophet.
ANNUAL_PAIRS = 10


@dataclass(frozen=True)
class Spec:
    """Calendar of one series: what is open, which regressors exist."""

    closed_weekdays: tuple[int, ...]
    holidays_closed: bool | tuple[str, ...]  # every holiday, none, or these names
    country: str | None
    subdiv: str | None
    annual: int
    regressors: tuple[str, ...]
    # inferred closures only: holidays seen on open weekdays of the history, and the chance
    # that one never seen is closed after all (weights the catch-up on the days after it)
    seen_holidays: tuple[str, ...] = ()
    unseen_closed: float = 0.0


@dataclass
class Series:
    """One series on its complete daily grid (closed and missing days are NaN)."""

    uid: str | None
    spec: Spec
    grid: pl.DataFrame  # ds, y (NaN on closed/missing), open, calendar features, regressors
    future: pl.DataFrame | None = None  # extra regressor values after the history
    warm: dict[str, FloatArray] = field(default_factory=dict)  # last fit's parameters
    anchor: dict[str, FloatArray] = field(default_factory=dict)  # oldest backtest fit's
    # the parts ``combo`` averaged in the first backtest that combined it (its later
    # backtests and its final fit average the same parts)
    combo: tuple[str, ...] = ()

    @property
    def y(self) -> FloatArray:
        return self.grid["y"].to_numpy().astype(np.float64)

    @property
    def open(self) -> npt.NDArray[np.bool_]:
        return self.grid["open"].to_numpy()


def validate_history(history: pl.DataFrame | pl.LazyFrame, /, *, who: str) -> pl.DataFrame:
    frame = history.collect() if isinstance(history, pl.LazyFrame) else history
    require_columns(
        frame, ["ds", "y"], who=who, what="the history", fix="`ds` is a Date, `y` a number."
    )
    if frame.schema["ds"] != pl.Date:
        msg = (
            f"{who}: `ds` is {frame.schema['ds']}, not Date; convert local timestamps to "
            "local calendar days first, e.g. pl.col('created_at').dt.convert_time_zone(tz)"
            ".dt.date()."
        )
        raise ParameterError(msg)
    if not frame.schema["y"].is_numeric():
        msg = f"{who}: `y` is {frame.schema['y']}; it must be numeric."
        raise ParameterError(msg)
    frame = frame.with_columns(pl.col("y").cast(pl.Float64).fill_nan(None))
    if frame.height == 0:
        msg = (
            f"{who}: the history has no rows; give each series three weeks or more of open "
            "days (`ds`, `y`)."
        )
        raise InsufficientHistoryError(msg)
    infinite = frame.filter(pl.col("y").is_infinite())
    if infinite.height:
        keys = [c for c in ("unique_id", "ds") if c in frame.columns]
        example = infinite.select(*keys, "y").head(3).to_dicts()
        msg = (
            f"{who}: {infinite.height} rows have an infinite y (e.g. {example}); a count or "
            "rate is finite, so fix the division or aggregation upstream (null marks a closed "
            "day)."
        )
        raise ParameterError(msg)
    if "unique_id" in frame.columns:
        frame = frame.with_columns(pl.col("unique_id").cast(pl.String))
    keys = ["unique_id", "ds"] if "unique_id" in frame.columns else ["ds"]
    dupes = frame.filter(pl.len().over(keys) > 1)
    if dupes.height:
        example = dupes.select(keys).head(3).to_dicts()
        msg = (
            f"{who}: {dupes.height} rows share a date within a series (e.g. {example}); "
            "aggregate to one row per series and day first."
        )
        raise ParameterError(msg)
    negative = frame.filter(pl.col("y") < 0)
    if negative.height:
        example = negative.select(*keys, "y").head(3).to_dicts()
        msg = (
            f"{who}: {negative.height} rows have negative y (e.g. {example}); contact "
            "counts and rates cannot be negative, so fix the aggregation upstream."
        )
        raise ParameterError(msg)
    if frame.filter(pl.col("ds").is_null()).height:
        msg = f"{who}: `ds` has nulls; every row needs a date."
        raise ParameterError(msg)
    return frame


def _parse_closed(
    closed: Literal["infer"] | Collection[int | str],
    /,
    *,
    country: str | None,
    subdiv: str | None,
    years: range,
) -> tuple[tuple[int, ...] | None, bool | tuple[str, ...] | None]:
    """``(weekdays, holidays)`` from ``closed``; ``None`` for "infer from history"."""
    if closed == "infer":
        return None, None
    example = "closed=(6, 7, 'holidays') or closed=(7, 'Christmas Day', 'Boxing Day')"
    if isinstance(closed, str):
        msg = f"closed={closed!r}: pass 'infer' or a collection, e.g. {example}."
        raise ParameterError(msg)
    weekdays = tuple(sorted({c for c in closed if isinstance(c, int) and not isinstance(c, bool)}))
    names = {c for c in closed if isinstance(c, str)} - {"holidays"}
    others = [c for c in closed if not isinstance(c, (int, str)) or isinstance(c, bool)]
    if others or any(not 1 <= d <= 7 for d in weekdays):
        msg = (
            f"closed={closed!r}: use ISO weekdays 1 (Monday) … 7 (Sunday), the word "
            f"'holidays' (every public holiday) and/or holiday names, e.g. {example}."
        )
        raise ParameterError(msg)
    if "holidays" in closed:
        return weekdays, True
    if names and country is None:
        msg = (
            f"closed={closed!r} names holidays {sorted(names)}, but holidays=None gives no "
            "holiday calendar; pass the country, e.g. holidays='GB'."
        )
        raise ParameterError(msg)
    if names:
        unknown, valid = unknown_holidays(names, years, country=country, subdiv=subdiv)
        if unknown:
            msg = (
                f"closed={closed!r}: {unknown} are not public holidays of {country}"
                + (f" ({subdiv})" if subdiv else "")
                + f" in {years.start}–{years.stop - 1}. Valid names: {valid}; "
                "or 'holidays' for all of them."
            )
            raise ParameterError(msg)
    return weekdays, tuple(sorted(names))


def _infer_spec(
    frame: pl.DataFrame,
    /,
    *,
    closed: Literal["infer"] | Collection[int | str],
    country: str | None,
    subdiv: str | None,
    annual: int | Literal["auto"],
    regressors: tuple[str, ...],
) -> Spec:
    first, last = frame["ds"].min(), frame["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    grid = (
        pl.DataFrame({"ds": pl.date_range(first, last, eager=True)})
        .join(frame.select("ds", "y"), on="ds", how="left")
        .with_columns(_worked().alias("worked"))
    )
    grid = grid.filter(~_in_gap())
    feats = calendar_features(grid, country=country, subdiv=subdiv)
    weekdays, hol_closed = _parse_closed(
        closed,
        country=country,
        subdiv=subdiv,
        years=range(first.year - NAME_YEARS, last.year + NAME_YEARS + 1),
    )
    if weekdays is None:
        share = (
            feats.filter(pl.col("holiday") == 0)
            .group_by(pl.col("ds").dt.weekday().alias("wd"))
            .agg(
                pl.col("worked").mean().alias("share"),
                pl.col("y").fill_null(0.0).mean().alias("volume"),
            )
        )
        quiet = _quiet(pl.col("share"), pl.col("volume"), share["volume"].max())
        weekdays = tuple(sorted(share.filter(quiet)["wd"].to_list()))
        if len(weekdays) == 7:
            weekdays = ()
    seen: tuple[str, ...] = ()
    unseen_closed = 0.0
    if hol_closed is None:
        hol_closed, seen, unseen_closed = _closed_holidays(
            grid, weekdays, country=country, subdiv=subdiv
        )
    if annual != "auto" and (isinstance(annual, bool) or not isinstance(annual, Integral)):
        msg = f"annual={annual!r}: pass 'auto' or a whole number of annual Fourier pairs (0: none)."
        raise ParameterError(msg)
    if annual == "auto":
        annual = ANNUAL_PAIRS if (last - first).days + 1 >= 730 else 0
    return Spec(
        weekdays,
        hol_closed,
        country,
        subdiv,
        int(annual),
        regressors,
        seen_holidays=seen,
        unseen_closed=unseen_closed,
    )


def _worked() -> pl.Expr:
    """Flag days with contacts: ``y`` above 5% of the median day that had any.

    Stray contacts logged on a closed day (a callback, a late email) do not make it open.
    """
    typical = pl.col("y").filter(pl.col("y") > 0).median()
    return (pl.col("y") > _STRAY_SHARE * typical).fill_null(value=False)


def _in_gap() -> pl.Expr:
    """Flag days in a run of three weeks or more without contacts: missing data.

    Weekly and holiday closures (even a two-week Christmas shutdown) are shorter, so such a
    run (months missing from an export) says nothing about which weekdays or holidays are
    closed; counted, it would make every weekday look emptier and a quiet open one (an
    evening-only Saturday) closed.
    """
    run = pl.col("worked").rle_id()
    return ~pl.col("worked") & (pl.len().over(run) >= _GAP_DAYS)


def _quiet(share: pl.Expr, volume: pl.Expr, typical: object) -> pl.Expr:
    """Flag closed days: contacts on under half of them *and* under 25% of a typical volume.

    Days without contacts alone do not make a day closed: a rare contact reason has many
    zero days on open weekdays, but its weekday volume stays comparable to the others'.
    """
    ceiling = _QUIET_VOLUME * float(typical) if isinstance(typical, (int, float)) else 0.0
    return (share < 0.5) & (volume.fill_null(0.0) <= ceiling)


def _closed_holidays(
    grid: pl.DataFrame, weekdays: tuple[int, ...], /, *, country: str | None, subdiv: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], float]:
    """Infer the closed holidays, those seen, and the chance that an unseen one is closed.

    A holiday (by name) is closed when it is quiet (see :func:`_quiet`) on its past dates on
    open weekdays: contacts (``worked``) on fewer than half of them, and under a quarter of
    a typical open day's volume. One that never fell on an open weekday of the history is
    taken as open: a closed day forecast as open costs a forecast nobody uses, an open day
    declared closed gets no forecast at all. The chance that it is closed after all is the
    share of the history's holiday dates that were closed, with a uniform prior:
    ``(closed + 1) / (dates + 2)``.
    """
    table = holiday_table(grid, country=country, subdiv=subdiv)
    dates = (
        table.join(grid.select("ds", "worked", "y"), on="ds")  # dates inside the history only
        .filter(~pl.col("ds").dt.weekday().is_in(weekdays))
        .with_columns(pl.col("worked").cast(pl.Float64).alias("open"))
    )
    typical = (
        grid.filter(
            ~pl.col("ds").dt.weekday().is_in(weekdays) & ~pl.col("ds").is_in(table["ds"].implode())
        )
        .select(pl.col("y").fill_null(0.0).mean())
        .item()
    )
    per_name = dates.group_by("name").agg(
        pl.col("open").mean(), pl.col("y").fill_null(0.0).mean().alias("volume")
    )
    closed = tuple(
        sorted(per_name.filter(_quiet(pl.col("open"), pl.col("volume"), typical))["name"])
    )
    seen = tuple(sorted(per_name["name"].to_list()))
    n_closed = dates.select(pl.col("ds").filter(pl.col("open") == 0).n_unique()).item()
    n_dates = dates["ds"].n_unique()
    return closed, seen, (n_closed + 1) / (n_dates + 2)


def _features(frame: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Calendar features plus the holiday labels of :func:`holiday_labels`.

    A day near a holiday that is also the first or second open day after a holiday closure
    keeps the shared catch-up (``after_closure``, ``after_closure_2``) and no label of its
    own.
    """
    feats = calendar_features(
        frame,
        country=spec.country,
        subdiv=spec.subdiv,
        annual=spec.annual,
        closed_weekdays=spec.closed_weekdays,
        holidays_closed=spec.holidays_closed,
    )
    labelled = holiday_labels(
        feats, country=spec.country, subdiv=spec.subdiv, days=HOLIDAY_WINDOW_DAYS
    )
    catch_up = (pl.col("after_closure") + pl.col("after_closure_2") > 0) & (
        pl.col("holiday_offset") != 0
    )
    return labelled.with_columns(
        pl.when(catch_up).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("holiday_label", "holiday_offset")
    )


def _prepare(frame: pl.DataFrame, spec: Spec, uid: str | None) -> Series:
    first, last = frame["ds"].min(), frame["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    grid = pl.DataFrame({"ds": pl.date_range(first, last, eager=True)}).join(
        frame.select("ds", "y", *spec.regressors), on="ds", how="left"
    )
    grid = _features(grid, spec).with_columns(
        pl.when(pl.col("open")).then(pl.col("y")).fill_null(float("nan")).alias("y")
    )
    if spec.regressors:
        # needed where y is known; a missing day (a gap in the export) is skipped by the
        # Kalman filter, so its regressors are never used
        gaps = grid.filter(
            pl.col("y").is_not_nan() & pl.any_horizontal(pl.col(spec.regressors).is_null())
        ).height
        if gaps:
            msg = (
                f"forecast: series {uid!r} has {gaps} open days with data but null regressors "
                f"{list(spec.regressors)}; fill them (they are needed on every day with data)."
            )
            raise ParameterError(msg)
        grid = grid.with_columns(pl.col(spec.regressors).cast(pl.Float64).fill_null(0.0))
    return Series(uid, spec, grid)


def future_grid(series: Series, horizon: int) -> pl.DataFrame:
    """Calendar days after the history up to the ``horizon``-th open day."""
    last = series.grid["ds"].max()
    assert isinstance(last, date)
    open_per_week = max(7 - len(series.spec.closed_weekdays), 1)
    days = math.ceil(horizon * 7 / open_per_week) + _FUTURE_PAD_DAYS
    while True:
        cal = _features(
            pl.DataFrame(
                {
                    "ds": pl.date_range(
                        last + timedelta(days=1), last + timedelta(days=days), eager=True
                    )
                }
            ),
            series.spec,
        )
        if int(cal["open"].sum()) >= horizon:
            break
        days *= 2
    nth = cal.with_row_index("i").filter(pl.col("open"))["i"][horizon - 1]
    cal = _hedge_unseen_holidays(cal.head(int(nth) + 1), series.spec)
    if series.spec.regressors:
        if series.future is None:
            msg = (
                f"forecast: history has extra regressor columns {list(series.spec.regressors)} "
                "but no `future` frame gives their values on the forecast days."
            )
            raise ParameterError(msg)
        cal = cal.join(series.future, on="ds", how="left")
        gaps = cal.filter(
            pl.col("open") & pl.any_horizontal(pl.col(series.spec.regressors).is_null())
        )
        if gaps.height:
            msg = (
                f"forecast: `future` lacks regressor values for series {series.uid!r} on "
                f"{gaps.height} forecast days (first {gaps['ds'][0]}); give every open day."
            )
            raise ParameterError(msg)
        cal = cal.with_columns(pl.col(series.spec.regressors).cast(pl.Float64).fill_null(0.0))
    return cal


def _hedge_unseen_holidays(cal: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Weight the catch-up after a holiday the history never saw by the chance it closes.

    Such a holiday is forecast as open (see :func:`_closed_holidays`); if it closes after all,
    the next two open days catch up. Their ``after_closure`` / ``after_closure_2`` flags become
    that chance instead of 0, so the ``uc`` forecast is the expected value over the two
    outcomes.
    """
    if not isinstance(spec.holidays_closed, tuple) or spec.unseen_closed == 0:
        return cal
    names = holiday_table(cal, country=spec.country, subdiv=spec.subdiv)["name"]
    unseen = set(names) - set(spec.seen_holidays) - set(spec.holidays_closed)
    if not unseen:
        return cal
    if_closed = calendar_features(
        cal.select("ds"),
        country=spec.country,
        subdiv=spec.subdiv,
        closed_weekdays=spec.closed_weekdays,
        holidays_closed=(*spec.holidays_closed, *sorted(unseen)),
    )
    cols = ("after_closure", "after_closure_2")
    return cal.with_columns(
        pl.when("open")
        .then(pl.max_horizontal(c, if_closed[c] * spec.unseen_closed))
        .otherwise(c)
        .alias(c)
        for c in cols
    )


def split(frame: pl.DataFrame) -> list[tuple[str | None, pl.DataFrame]]:
    if "unique_id" not in frame.columns:
        return [(None, frame)]
    parts = frame.sort("ds").partition_by("unique_id", as_dict=True, maintain_order=True)
    return [(str(key[0]), part) for key, part in sorted(parts.items(), key=lambda kv: kv[0])]


def series_for(
    part: pl.DataFrame,
    uid: str | None,
    /,
    *,
    country: str | None,
    subdiv: str | None,
    closed: Literal["infer"] | Collection[int | str],
    annual: int | Literal["auto"],
    future: pl.DataFrame | None,
) -> Series:
    regressors = tuple(c for c in part.columns if c not in _KEY_COLUMNS)
    for c in regressors:
        if not part.schema[c].is_numeric():
            msg = (
                f"forecast: column {c!r} is {part.schema[c]}; extra history columns are "
                "regressors and must be numeric (drop it or encode it)."
            )
            raise ParameterError(msg)
    spec = _infer_spec(
        part,
        closed=closed,
        country=country,
        subdiv=subdiv,
        annual=annual,
        regressors=regressors,
    )
    series = _prepare(part, spec, uid)
    if future is not None and regressors:
        fut = future
        if uid is not None and "unique_id" in fut.columns:
            fut = fut.filter(pl.col("unique_id").cast(pl.String) == uid)
        series.future = fut.select("ds", *regressors)
    return series
