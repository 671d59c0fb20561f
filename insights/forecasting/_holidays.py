"""Holiday tables by name, shared by the calendar features and the series preparation.

Internal to :mod:`insights.forecasting`; :mod:`insights.forecasting.regressors` documents
how holidays are named and matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection

import holidays as holidays_lib
import polars as pl

from insights.errors import ParameterError

__all__ = [
    "DEFAULT_SUBDIV",
    "NAME_YEARS",
    "fold",
    "holiday_frame",
    "holiday_labels",
    "holiday_names_in",
    "holiday_table",
    "named",
    "unknown_holidays",
]

#: Region used when ``subdiv=None``: the bank-holiday calendar a national call centre follows.
DEFAULT_SUBDIV: dict[str, str] = {"GB": "ENG", "UK": "ENG"}

NAME_YEARS = 5  # names valid for ``holidays_closed``: the frame's years ± this many
_OBSERVED = r"(?i)\s*\(observed\)\s*$"  # "Christmas Day (observed)" is Christmas Day


def holiday_frame(years: Collection[int], /, *, country: str, subdiv: str | None) -> pl.DataFrame:
    """``ds``, ``holiday``: the ``holidays`` package's calendar (see ``public_holidays``)."""
    region = subdiv if subdiv is not None else DEFAULT_SUBDIV.get(country.upper())
    return _calendar(country, region, tuple(sorted(set(years))))


@functools.lru_cache(maxsize=64)
def _calendar(country: str, region: str | None, years: tuple[int, ...]) -> pl.DataFrame:
    """One country's holidays in ``years``; cached, as a forecast asks for them several times.

    Reason: the ``holidays`` package builds its calendar in Python on every call (a few
    milliseconds per country-year), and one forecast asks for the same years about five times.
    """
    try:
        found = holidays_lib.country_holidays(country, subdiv=region, years=list(years))
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


def _holiday_name(name: pl.Expr) -> pl.Expr:
    """Fold substitute days into their holiday ("Christmas Day (observed)": Christmas Day)."""
    return name.str.replace(_OBSERVED, "")


def holiday_table(
    frame: pl.DataFrame, /, *, country: str | None, subdiv: str | None
) -> pl.DataFrame:
    """``ds``, ``name`` (one row per holiday and date; observed days under their holiday)."""
    if country is None or frame.height == 0:
        return pl.DataFrame(schema={"ds": pl.Date, "name": pl.String})
    first, last = frame["ds"].min(), frame["ds"].max()
    years = range(first.year - 1, last.year + 2)  # type: ignore[union-attr]
    return named(holiday_frame(years, country=country, subdiv=subdiv))


def named(holidays: pl.DataFrame) -> pl.DataFrame:
    """``ds``, ``name``: one row per holiday and date, substitute days under their holiday.

    The holidays package joins holidays that share a date with "; " ("Anzac Day; Easter
    Monday"), so a date may give several rows; a holiday and its own substitute on one date
    give one.
    """
    return (
        holidays.select("ds", pl.col("holiday").str.split("; ").alias("name"))
        .explode("name")
        .with_columns(_holiday_name(pl.col("name")))
        .unique(maintain_order=True)
    )


def holiday_labels(
    frame: pl.DataFrame, /, *, country: str | None, subdiv: str | None, days: int
) -> pl.DataFrame:
    """``frame`` plus ``holiday_label`` and ``holiday_offset`` for the holiday effects.

    A public holiday's date gets its names (observed days folded in; holidays sharing a
    date joined with "; ", sorted) as ``holiday_label`` and offset 0. A day up to ``days``
    before or after one gets that holiday's label with ``" -k"`` / ``" +k"`` and the signed
    offset ``k`` ("Christmas Day +1"); the nearest holiday wins, the earlier one on a tie.
    Other days are null.
    """
    table = holiday_table(frame, country=country, subdiv=subdiv)
    if table.height == 0:
        return frame.with_columns(
            pl.lit(None, pl.String).alias("holiday_label"),
            pl.lit(None, pl.Int8).alias("holiday_offset"),
        )
    dates = table.group_by("ds").agg(pl.col("name").sort().str.join("; ").alias("key"))
    offsets = pl.DataFrame({"k": list(range(-days, days + 1))}, schema={"k": pl.Int8})
    near = (
        dates.join(offsets, how="cross")
        .select(
            (pl.col("ds") + pl.duration(days=pl.col("k"))).alias("ds"),
            pl.col("k").alias("holiday_offset"),
            pl.when(pl.col("k") == 0)
            .then(pl.col("key"))
            .otherwise(
                pl.format(
                    "{} {}{}",
                    "key",
                    pl.when(pl.col("k") > 0).then(pl.lit("+")).otherwise(pl.lit("")),
                    "k",
                )
            )
            .alias("holiday_label"),
        )
        .sort(
            "ds",
            pl.col("holiday_offset").abs(),
            pl.col("holiday_offset"),
            descending=[False, False, True],
        )
        .unique("ds", keep="first")
    )
    return frame.join(near, on="ds", how="left")


def holiday_names_in(years: Collection[int], /, *, country: str, subdiv: str | None) -> list[str]:
    """Sorted distinct holiday names (observed days folded in)."""
    names = named(holiday_frame(years, country=country, subdiv=subdiv))["name"]
    return sorted(set(names.to_list()))


def unknown_holidays(
    names: Collection[str], years: Collection[int], /, *, country: str | None, subdiv: str | None
) -> tuple[list[str], list[str]]:
    """``(unknown, valid)``: which of ``names`` are no holiday of ``country`` in ``years``."""
    valid = holiday_names_in(years, country=country, subdiv=subdiv) if country is not None else []
    known = {v.lower() for v in valid}
    unknown = sorted(n for n in names if fold(n) not in known)
    return unknown, valid


def fold(name: str) -> str:
    """Lower-case holiday name without its "(observed)" suffix."""
    return re.sub(_OBSERVED, "", name).lower()
