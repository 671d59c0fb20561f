"""A report's month, city and time zone, from the data when not given.

The spending report's parameters default to ``None``; these functions turn ``None`` into what
the data says, so the same notebook runs unchanged on any mart folder:

* :func:`report_month`: the latest complete month of the data (:func:`latest_complete_month`
  of its last day), or its last month if no month is complete;
* :func:`report_tz`: the time zone the marts were reduced in (``insights reduce --tz``,
  recorded in their manifest): marts count days in one calendar only;
* :func:`report_city`: the city with the most customers that month.

A value that is given is checked against the data instead, with an error naming the values
that would work. The report runner resolves its defaults with the same functions, so a
rendered report records the values actually used.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from insights._common import parse_month
from insights.errors import ParameterError
from insights.reduce.marts import read_manifest, read_mart
from insights.spending._shared import month_end
from insights.spending.locale import latest_complete_month

__all__ = ["data_since", "report_city", "report_month", "report_tz"]

#: Marts whose months hold transactions, most specific last (the first found is used).
_MONTHLY = ("total_monthly", "city_monthly", "merchant_monthly")


def _nearest(value: str, options: Sequence[str]) -> str:
    near = difflib.get_close_matches(value, list(options), n=1, cutoff=0.4)
    if not near:
        near = [o for o in options if o.lower() == value.lower()]
    return f" Did you mean {near[0]!r}?" if near else ""


def _months(manifest: Mapping[str, Any]) -> list[str]:
    """Local months (``YYYY-MM``) with rows in the first monthly transaction mart present."""
    marts = manifest.get("marts", {})
    for name in _MONTHLY:
        if name in marts:
            return sorted(m for m, e in marts[name]["months"].items() if e.get("rows"))
    return []


def _last_day(mart_dir: Path, manifest: Mapping[str, Any], months: Sequence[str]) -> date:
    """Return the last local day with a payment (manifest, else ``category_daily``)."""
    recorded = manifest.get("sources", {}).get("transactions", {}).get("last_day")
    if recorded:
        return date.fromisoformat(recorded)
    days = read_mart(mart_dir, "category_daily", months=[months[-1]])
    last = days.get_column("day").max()
    if isinstance(last, date):
        return last
    # A last month without any daily row: count it as ending on its last day.
    return month_end(parse_month(months[-1]))


def report_month(mart_dir: str | Path, /, *, month: str | None = None) -> str:
    """Return the month a report covers: ``month`` if the data has it, else the data's latest.

    Parameters
    ----------
    mart_dir
        A mart folder written by ``insights reduce``.
    month
        ``"YYYY-MM"``, checked to hold transactions; ``None`` for the latest complete month
        of the data (the month of its last day if that day ends the month, else the month
        before), or its last month when no month of the data is complete.

    Returns
    -------
    str
        ``"YYYY-MM"``.

    Raises
    ------
    ParameterError
        ``month`` holds no transactions (the message lists the months that do), or the marts
        hold no transactions at all.

    Examples
    --------
    >>> import tempfile
    >>> report_month(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: ... is not a mart folder: it has no manifest.json. ...

    """
    folder = Path(mart_dir)
    manifest = read_manifest(folder)
    months = _months(manifest)
    if not months:
        raise ParameterError(
            f"the marts in {folder}/ hold no transactions, so there is no month to report on; "
            "reduce a data folder with transactions (`insights reduce DATA_DIR --out MART_DIR`)"
        )
    if month is not None:
        if month in months:
            return month
        span = f"{months[0]} to {months[-1]}"
        raise ParameterError(
            f"month={month!r}: no transactions for that month in the marts in {folder}/ "
            f"(months with data: {span}).{_nearest(month, months)} Pick a month with data, or "
            "reduce data that has it (`insights reduce DATA_DIR --out MART_DIR`)"
        )
    last = _last_day(folder, manifest, months)
    complete = latest_complete_month(pl.DataFrame({"day": [last]}))
    return complete if complete in months else months[-1]


def report_tz(mart_dir: str | Path, /, *, tz: str | None = None) -> str:
    """Return the time zone of a report on a mart folder: the one its days are counted in.

    Parameters
    ----------
    mart_dir
        A mart folder written by ``insights reduce --tz ZONE``.
    tz
        The zone asked for; ``None`` takes the marts' zone. Marts count days and months in
        one zone, so any other is refused.

    Returns
    -------
    str
        An IANA time zone name, e.g. ``"America/Chicago"``.

    Raises
    ------
    ParameterError
        ``tz`` is not the zone the marts were reduced in (the message says how to reduce
        them in it).

    """
    folder = Path(mart_dir)
    zone = str(read_manifest(folder).get("tz") or "")
    if not zone:
        raise ParameterError(
            f"the marts in {folder}/ do not record their time zone; reduce them again "
            "(`insights reduce DATA_DIR --out MART_DIR --tz ZONE`)"
        )
    if tz is None or tz == zone:
        return zone
    raise ParameterError(
        f"tz={tz!r}: the marts in {folder}/ count days and months in {zone}. Pass "
        f"tz={zone!r} (or leave tz out), or reduce again with `insights reduce DATA_DIR --out "
        f"MART_DIR --tz {tz}`"
    )


def report_city(mart_dir: str | Path, /, *, month: str, city: str | None = None) -> str:
    """Return the city a report covers: ``city`` if it had payments, else the busiest one.

    Parameters
    ----------
    mart_dir
        A mart folder written by ``insights reduce``.
    month
        ``"YYYY-MM"``: the month the city must have payments in.
    city
        A ``merchant_city``, checked; ``None`` for the city with the most customers that
        month (ties: the first by name).

    Returns
    -------
    str
        The city.

    Raises
    ------
    ParameterError
        ``city`` had no in-person payments that month (the message lists the cities that
        did, with the closest name first), or no city had any.

    """
    folder = Path(mart_dir)
    cities = (
        read_mart(folder, "city_monthly", months=[month])
        .filter(pl.col("merchant_city").is_not_null())
        .group_by("merchant_city")
        .agg(pl.col("customers").sum())
        .sort(["customers", "merchant_city"], descending=[True, False])
        .get_column("merchant_city")
        .to_list()
    )
    if city is not None and city in cities:
        return city
    if city is None and cities:
        return str(cities[0])
    if not cities:
        raise ParameterError(
            f"no in-person payments in {month} in the marts in {folder}/, so no city to report "
            "on; pick another month"
        )
    names = sorted(cities)
    raise ParameterError(
        f"city={city!r}: no transactions at merchants in that city in {month} in the marts in "
        f"{folder}/.{_nearest(str(city), names)} Cities: {', '.join(names)}"
    )


def data_since(mart_dir: str | Path, /) -> str:
    """Return the first month (``"YYYY-MM"``) with transactions in a mart folder.

    What a comparison with an earlier month needs to say when the data do not reach back
    (``since=`` of :func:`insights.headlines_note` and :func:`insights.year_on_year_note`).

    Raises
    ------
    ParameterError
        Not a mart folder, or the marts hold no transactions.

    """
    folder = Path(mart_dir)
    months = _months(read_manifest(folder))
    if not months:
        raise ParameterError(
            f"the marts in {folder}/ hold no transactions; reduce a data folder with "
            "transactions (`insights reduce DATA_DIR --out MART_DIR`)"
        )
    return months[0]
