"""Parameter values checked against the data, and defaults taken from it.

:func:`check_params_against_data` checks that each value lies inside the data (a month with
rows, a known city, a contact date with enough history, known tags, a time zone); parameters
declared with ``default_from`` are taken from the marts by :func:`resolve_defaults`, with the
functions the notebook calls. Any unreadable file is named.
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from insights.contacts.defaults import report_as_of
from insights.data import layout
from insights.errors import ParameterError
from insights.reduce.marts import mart_files, read_manifest
from insights.reports.catalogue import ReportSpec
from insights.reports.data import (
    _is_marts,
    _parquet_rows,
    _require_marts,
    _scan,
)
from insights.spending.defaults import report_city, report_month, report_tz

__all__ = ["check_params_against_data", "resolve_defaults"]


def _month_keys(manifest: Mapping[str, Any], *names: str) -> list[str]:
    """Local months (``YYYY-MM``) with rows in the first of ``names`` the manifest has."""
    marts = manifest.get("marts", {})
    for name in names:
        if name in marts:
            return sorted(m for m, e in marts[name]["months"].items() if e.get("rows"))
    return []


def _as_parameter(name: str, exc: ParameterError) -> ParameterError:
    """Restate the library's message (``month='2021-01': ...``) under the parameter's name."""
    text = str(exc)
    head, sep, rest = text.partition("=")
    if sep and head.isidentifier():
        return ParameterError(f"parameter {name}={rest}")
    return ParameterError(f"parameter {name}: {text}")


def _mart_check_month(data: Path, name: str, month: str) -> None:
    try:
        report_month(data, month=month)
    except ParameterError as exc:
        raise _as_parameter(name, exc) from exc


def _mart_cities(data: Path, month: str | None) -> list[str]:
    manifest = read_manifest(data)
    files = [path for path, _ in mart_files(manifest, data, "city_monthly")]
    if month is not None:
        files = [f for f in files if f.parent.name == f"month={month}"] or files
    if not files:
        return []
    found = _scan(files, pl.col("merchant_city").drop_nulls().unique())
    return sorted(found.to_series().to_list())


def _nearest(value: str, options: Sequence[str]) -> str:
    near = difflib.get_close_matches(value, list(options), n=1, cutoff=0.4)
    if not near:
        near = [o for o in options if o.lower() == value.lower()]
    return f" Did you mean {near[0]!r}?" if near else ""


def _check_month(data: Path, name: str, month: str) -> None:
    if _is_marts(data):
        _mart_check_month(data, name, month)
        return
    months = layout.months_present(data)
    folder = layout.month_dir(data, month)
    files = sorted(folder.glob("*.parquet"))
    if files and sum(_parquet_rows(f) for f in files) > 0:
        return
    span = f"{months[0]} to {months[-1]}" if months else "none"
    raise ParameterError(
        f"parameter {name}={month!r}: no transactions for that month in "
        f"{layout.transactions_dir(data)}/ (months with data: {span}).{_nearest(month, months)} "
        "Pick a month with data or point --data at a folder that has it"
    )


def _check_city(data: Path, name: str, city: str, month: str | None) -> None:
    if _is_marts(data):
        if month is not None:
            try:
                report_city(data, month=month, city=city)
            except ParameterError as exc:
                raise _as_parameter(name, exc) from exc
            return
        cities = _mart_cities(data, month)
        if city in cities:
            return
        raise ParameterError(
            f"parameter {name}={city!r}: no transactions at merchants in that city in "
            f"the marts in {data}/.{_nearest(city, cities)} Cities: {', '.join(cities)}"
        )
    folder = layout.transactions_dir(data)
    source = layout.month_dir(data, month) if month else folder
    files = sorted(source.rglob("*.parquet")) if source.is_dir() else []
    if not files:
        files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
        source = folder
    if not files:
        raise ParameterError(
            f"parameter {name}={city!r}: no transaction files under {folder}/ to check it "
            "against; point --data at a folder with transactions/year_month=YYYY-MM/"
        )
    cities = (
        _scan(files, pl.col("merchant_city").drop_nulls().unique()).to_series().sort().to_list()
    )
    if city in cities:
        return
    raise ParameterError(
        f"parameter {name}={city!r}: no transactions at merchants in that city in "
        f"{source}/.{_nearest(city, cities)} Cities in the data: {', '.join(cities)}"
    )


def _contacts_dates(data: Path) -> tuple[date, date]:
    if _is_marts(data):
        source = read_manifest(data).get("sources", {}).get("contacts", {})
        if not source.get("first_day"):
            raise ParameterError(
                f"the marts in {data}/ hold no contacts; reduce a data folder with "
                "contacts.parquet (`insights reduce DATA_DIR --out MART_DIR`)"
            )
        return date.fromisoformat(source["first_day"]), date.fromisoformat(source["last_day"])
    path = layout.contacts_path(data)
    if not path.is_file():
        raise ParameterError(
            f"no contacts data at {path}; point --data at a folder with contacts.parquet"
        )
    row = _scan(
        [path],
        [
            pl.col("created_at").min().dt.date().alias("first"),
            pl.col("created_at").max().dt.date().alias("last"),
        ],
    ).row(0)
    if row[0] is None:
        raise ParameterError(f"{path} holds no contacts; point --data at real data")
    return row[0], row[1]


def _check_contacts_date(data: Path, name: str, value: str, history_days: int) -> None:
    first, last = _contacts_dates(data)
    where = f"the marts in {data}/" if _is_marts(data) else str(layout.contacts_path(data))
    _check_day(name, value, history_days, first=first, last=last, noun="contacts", where=where)


def _accounts_dates(data: Path) -> tuple[date, date]:
    """First and last day of the ``accounts_daily`` mart (a small mart: milliseconds)."""
    files = [p for p, _ in mart_files(read_manifest(data), data, "accounts_daily")]
    row = (
        _scan(files, [pl.col("day").min().alias("first"), pl.col("day").max().alias("last")]).row(0)
        if files
        else (None, None)
    )
    if row[0] is None:
        raise ParameterError(
            f"the marts in {data}/ hold no accounts; reduce a data folder with "
            "customers.parquet (`insights reduce DATA_DIR --out MART_DIR`)"
        )
    return row[0], row[1]


def _check_accounts_date(data: Path, name: str, value: str, history_days: int) -> None:
    first, last = _accounts_dates(data)
    where = f"the marts in {data}/"
    _check_day(name, value, history_days, first=first, last=last, noun="accounts", where=where)


def _check_day(
    name: str, value: str, history_days: int, *, first: date, last: date, noun: str, where: str
) -> None:
    """``value`` within ``[first + history_days, last]`` of the ``noun`` data, else say why."""
    day = date.fromisoformat(value)
    earliest = first + timedelta(days=history_days)
    if earliest <= day <= last:
        return
    if earliest > last:  # no date works: say so, not "pick a date from <after> to <before>"
        raise ParameterError(
            f"parameter {name}={value!r}: the {noun} in {where} cover only {first} to {last} "
            f"({(last - first).days + 1} days), and the report needs {history_days} days of "
            "history before its date. Add earlier data"
        )
    why = (
        f"the {noun} end on {last}"
        if day > last
        else f"it needs {history_days} days of history before it and the {noun} start on {first}"
    )
    raise ParameterError(
        f"parameter {name}={value!r} is outside the {noun} data: {why}. "
        f"Pick a date from {earliest} to {last} in {where}"
    )


def _check_tags(data: Path, name: str, tags: list[str]) -> None:
    if not tags:
        return
    if _is_marts(data):
        files = [p for p, _ in mart_files(read_manifest(data), data, "contacts_daily")]
    else:
        files = [layout.contacts_path(data)]
    unique_tags = pl.col("tag").drop_nulls().unique()
    known = _scan(files, unique_tags).to_series().sort().to_list() if files else []
    for tag in tags:
        if tag not in known:
            raise ParameterError(
                f"parameter {name}: tag {tag!r} does not occur in the contacts in "
                f"{data}/.{_nearest(tag, known)} Tags: {', '.join(known)}"
            )


def _check_timezone(name: str, value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        zones = sorted(zoneinfo.available_timezones())
        raise ParameterError(
            f"parameter {name}={value!r} is not an IANA time zone.{_nearest(value, zones)} "
            "Use a name such as 'Europe/London'"
        ) from exc


def _check_mart_timezone(data: Path, name: str, value: str) -> None:
    """Marts are on one calendar: a report asking for another one cannot be served."""
    if not _is_marts(data):
        return
    try:
        report_tz(data, tz=value)
    except ParameterError as exc:
        raise _as_parameter(name, exc) from exc


def _check_holiday_country(name: str, value: str) -> None:
    import holidays  # noqa: PLC0415 - slow import, only for this check

    countries = sorted(holidays.list_supported_countries())
    if value not in countries:
        raise ParameterError(
            f"parameter {name}={value!r} is not a country code known to the holidays "
            f"package.{_nearest(value, countries)} Use an ISO 3166 code such as 'GB'"
        )


def check_params_against_data(
    spec: ReportSpec, values: Mapping[str, Any], /, *, data: str | Path
) -> None:
    """Run every data check declared in the catalogue; raise on the first value outside the data.

    Raises
    ------
    ParameterError
        A month without transactions, an unknown city or tag, a date outside the contacts (or
        without enough history), an unknown time zone or holiday country.

    """
    data = Path(data)
    if not data.is_dir():
        raise ParameterError(f"data folder {data} does not exist; pass --data PATH")
    _require_marts(spec, data)
    month = next((values[p.name] for p in spec.params if p.check == "transactions_month"), None)
    for p in spec.params:
        value = values[p.name]
        if value is None and p.default_from is not None:
            continue  # taken from the data by the notebook (see resolve_defaults)
        if p.check == "transactions_month":
            _check_month(data, p.name, value)
        elif p.check == "transactions_city":
            _check_city(data, p.name, value, month)
        elif p.check == "contacts_date":
            _check_contacts_date(data, p.name, value, p.history_days)
        elif p.check == "accounts_date":
            _check_accounts_date(data, p.name, value, p.history_days)
        elif p.check == "contacts_tags":
            _check_tags(data, p.name, value)
        elif p.check == "timezone":
            _check_timezone(p.name, value)
            _check_mart_timezone(data, p.name, value)
        elif p.check == "holiday_country":
            _check_holiday_country(p.name, value)


def resolve_defaults(
    spec: ReportSpec, values: Mapping[str, Any], /, *, data: str | Path
) -> tuple[dict[str, Any], list[str]]:
    """Fill the parameters left ``None`` whose catalogue entry says ``default_from``.

    The time zone and the month first, then the city (the busiest *that month*), each with
    the library function the notebook calls (:mod:`insights.spending.defaults`), so the run
    records, and the slug names, the values actually used.

    Returns
    -------
    tuple
        The values, and one sentence per value taken from the data (for the user).

    Raises
    ------
    ParameterError
        Not a mart folder, or the data holds no month or city to default to.

    """
    data = Path(data)
    resolved = dict(values)
    notes: list[str] = []
    order = (
        "marts_tz",
        "latest_complete_month",
        "busiest_city",
        "latest_complete_week",
        "accounts_complete_week",
    )
    wanted = [p for p in spec.params if p.default_from is not None and values.get(p.name) is None]
    if not wanted or not _is_marts(data):
        return resolved, notes
    month_param = next((p.name for p in spec.params if p.check == "transactions_month"), None)
    for p in sorted(wanted, key=lambda p: order.index(str(p.default_from))):
        if p.default_from == "marts_tz":
            value = report_tz(data)
            why = "the time zone the marts were reduced in"
        elif p.default_from == "latest_complete_month":
            value = report_month(data)
            why = "the latest complete month of the data"
            last = read_manifest(data).get("sources", {}).get("transactions", {}).get("last_day")
            if last and last[:7] == value and (date.fromisoformat(last) + timedelta(1)).day != 1:
                why = f"the data's last month, incomplete: it ends on {last}"
        elif p.default_from == "latest_complete_week":
            value = report_as_of(data)
            why = "the last Sunday both the contacts and the accounts cover: whole weeks ahead"
        elif p.default_from == "accounts_complete_week":
            value = report_as_of(data, sources=("accounts",))
            why = "the last Sunday the accounts cover: whole weeks ahead"
        else:
            month = resolved.get(month_param) if month_param else None
            if month is None:
                continue
            value = report_city(data, month=month)
            why = f"the city with the most customers in {month}"
        resolved[p.name] = value
        other = "" if p.default_from == "marts_tz" else f"; pass -p {p.name}=... for another"
        notes.append(f"{p.name}={value} ({why}{other})")
    return resolved, notes
