"""What the runner needs to know about the data before and after a render.

Checks that parameter values lie inside the data (cheap: partition folders, Parquet metadata
and single-column scans), the fingerprint of the input files (row counts and content hashes,
for the manifest and for idempotence), their date range, and the customer identifiers the
privacy gate looks for.

The data folder's layout is :mod:`insights.data.layout`.
"""

from __future__ import annotations

import difflib
import glob as globlib
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from insights.data import layout
from insights.errors import ParameterError
from insights.reports.catalogue import ReportSpec

__all__ = [
    "check_params_against_data",
    "customer_ids",
    "data_date_range",
    "data_files",
    "fingerprint",
]

_CHUNK = 1 << 20


def _parquet_rows(path: Path) -> int:
    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def _nearest(value: str, options: Sequence[str]) -> str:
    near = difflib.get_close_matches(value, list(options), n=1, cutoff=0.4)
    if not near:
        near = [o for o in options if o.lower() == value.lower()]
    return f" Did you mean {near[0]!r}?" if near else ""


def _check_month(data: Path, name: str, month: str) -> None:
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
        pl.scan_parquet(files)
        .select(pl.col("merchant_city").drop_nulls().unique())
        .collect()
        .to_series()
        .sort()
        .to_list()
    )
    if city in cities:
        return
    raise ParameterError(
        f"parameter {name}={city!r}: no transactions at merchants in that city in "
        f"{source}/.{_nearest(city, cities)} Cities in the data: {', '.join(cities)}"
    )


def _contacts_dates(data: Path) -> tuple[date, date]:
    path = layout.contacts_path(data)
    if not path.is_file():
        raise ParameterError(
            f"no contacts data at {path}; point --data at a folder with contacts.parquet"
        )
    row = (
        pl.scan_parquet(path)
        .select(
            pl.col("created_at").min().dt.date().alias("first"),
            pl.col("created_at").max().dt.date().alias("last"),
        )
        .collect()
        .row(0)
    )
    if row[0] is None:
        raise ParameterError(f"{path} holds no contacts; point --data at real data")
    return row[0], row[1]


def _check_contacts_date(data: Path, name: str, value: str, history_days: int) -> None:
    first, last = _contacts_dates(data)
    day = date.fromisoformat(value)
    earliest = first + timedelta(days=history_days)
    if earliest <= day <= last:
        return
    why = (
        f"the contacts end on {last}"
        if day > last
        else f"it needs {history_days} days of history before it and the contacts start on {first}"
    )
    raise ParameterError(
        f"parameter {name}={value!r} is outside the contacts data: {why}. "
        f"Pick a date from {earliest} to {last} in {layout.contacts_path(data)}"
    )


def _check_tags(data: Path, name: str, tags: list[str]) -> None:
    if not tags:
        return
    known = (
        pl.scan_parquet(layout.contacts_path(data))
        .select(pl.col("tag").drop_nulls().unique())
        .collect()
        .to_series()
        .sort()
        .to_list()
    )
    for tag in tags:
        if tag not in known:
            raise ParameterError(
                f"parameter {name}: tag {tag!r} does not occur in "
                f"{layout.contacts_path(data)}.{_nearest(tag, known)} Tags: {', '.join(known)}"
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
    month = next((values[p.name] for p in spec.params if p.check == "transactions_month"), None)
    for p in spec.params:
        value = values[p.name]
        if p.check == "transactions_month":
            _check_month(data, p.name, value)
        elif p.check == "transactions_city":
            _check_city(data, p.name, value, month)
        elif p.check == "contacts_date":
            _check_contacts_date(data, p.name, value, p.history_days)
        elif p.check == "contacts_tags":
            _check_tags(data, p.name, value)
        elif p.check == "timezone":
            _check_timezone(p.name, value)
        elif p.check == "holiday_country":
            _check_holiday_country(p.name, value)


def data_files(spec: ReportSpec, /, *, data: str | Path) -> list[Path]:
    """List the input files of a report: its ``inputs`` globs under ``data``, sorted."""
    data = Path(data)
    patterns = spec.inputs or ("**/*.parquet",)
    found: set[Path] = set()
    for pattern in patterns:
        found.update(
            Path(p) for p in globlib.glob(str(data / pattern), recursive=True) if Path(p).is_file()
        )
    return sorted(found)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(files: Sequence[Path], /, *, data: str | Path) -> dict[str, Any]:
    """Row counts and SHA-256 of every input file, and one hash over all of them.

    Returns
    -------
    dict
        ``{"hash": ..., "files": [{"path", "rows", "bytes", "sha256"}, ...]}`` with paths
        relative to ``data``.

    """
    data = Path(data)
    entries = []
    for path in files:
        rows = _parquet_rows(path) if path.suffix == ".parquet" else None
        entries.append(
            {
                "path": path.relative_to(data).as_posix(),
                "rows": rows,
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
            }
        )
    overall = hashlib.sha256("\n".join(f"{e['path']} {e['sha256']}" for e in entries).encode())
    return {"hash": overall.hexdigest(), "files": entries}


def data_date_range(
    files: Sequence[Path], /, *, tz: str = "Europe/London"
) -> tuple[str, str] | None:
    """First and last local date (in ``tz``) of ``created_at`` across ``files``, or ``None``.

    Local, not UTC: a September report's data starting at midnight on 1 October in London is
    stored as 30 September 23:00 UTC, and a reader would see the wrong day.
    """
    frames = []
    for f in files:
        if f.suffix != ".parquet":
            continue
        dtype = pl.read_parquet_schema(f).get("created_at")
        if not isinstance(dtype, pl.Datetime):
            continue
        stamp = pl.col("created_at")
        if dtype.time_zone is None:
            stamp = stamp.dt.replace_time_zone("UTC")
        frames.append(pl.scan_parquet(f).select(stamp.dt.convert_time_zone(tz).dt.date()))
    if not frames:
        return None
    first, last = (
        pl.concat(frames)
        .select(
            pl.col("created_at").min().alias("first"),
            pl.col("created_at").max().alias("last"),
        )
        .collect()
        .row(0)
    )
    if first is None:
        return None
    return first.isoformat(), last.isoformat()


def customer_ids(data: str | Path, /) -> frozenset[str]:
    """Every ``customer_id`` in the data folder: customers, transactions and contacts."""
    data = Path(data)
    frames = []
    for path in sorted(data.rglob("*.parquet")):
        if "customer_id" in pl.read_parquet_schema(path):
            frames.append(pl.scan_parquet(path).select(pl.col("customer_id").cast(pl.String)))
    if not frames:
        return frozenset()
    ids = pl.concat(frames).select(pl.col("customer_id").drop_nulls().unique()).collect()
    return frozenset(ids.to_series().to_list())
