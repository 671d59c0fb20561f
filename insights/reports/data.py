"""What the runner needs to know about the data before and after a render.

Checks that parameter values lie inside the data, the fingerprint of the input files (row
counts and content hashes, for the manifest and for idempotence), their date range, and the
customer identifiers the privacy gate looks for.

The data is a **mart folder** (written by ``insights reduce DATA_DIR --out MART_DIR``: a
``manifest.json`` and one Parquet file per mart and month), which the flagship reports read:
every check then reads the manifest or a small mart (milliseconds), the fingerprint comes from
the hashes the reduce recorded, and there are no customer identifiers to look for. A report
whose catalogue ``inputs`` name marts refuses a raw folder before any kernel starts. A raw
folder (:mod:`insights.data.layout`) is still understood for reports that read raw files. Any
unreadable file is named.
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
import pyarrow.parquet as pq

from insights.data import layout
from insights.errors import ContractError, ParameterError
from insights.reduce.marts import MANIFEST, MART_NAMES, mart_files, read_manifest
from insights.reports.catalogue import ReportSpec

__all__ = [
    "check_params_against_data",
    "customer_ids",
    "data_date_range",
    "data_files",
    "fingerprint",
]

_CHUNK = 1 << 20


def _unreadable(path: Path, exc: BaseException) -> ContractError:
    return ContractError(
        f"{path}: not readable as Parquet ({exc}). Re-export or remove the file (for a mart "
        "folder: re-run `insights reduce`)."
    )


def _parquet_rows(path: Path) -> int:
    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc


def _scan(files: Sequence[Path], expr: pl.Expr | Sequence[pl.Expr]) -> pl.DataFrame:
    """Run a small query over ``files``, naming the file if one cannot be read."""
    try:
        return pl.scan_parquet(list(files)).select(expr).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        for file in files:
            try:
                pl.scan_parquet(file).select(expr).collect()
            except (pl.exceptions.PolarsError, OSError) as bad:
                raise _unreadable(file, bad) from bad
        raise _unreadable(Path(", ".join(map(str, files))), exc) from exc


def _is_marts(data: Path) -> bool:
    return (data / MANIFEST).is_file()


def _month_keys(manifest: Mapping[str, Any], *names: str) -> list[str]:
    """Local months (``YYYY-MM``) with rows in the first of ``names`` the manifest has."""
    marts = manifest.get("marts", {})
    for name in names:
        if name in marts:
            return sorted(m for m, e in marts[name]["months"].items() if e.get("rows"))
    return []


def _mart_check_month(data: Path, name: str, month: str) -> None:
    months = _month_keys(read_manifest(data), "total_monthly", "city_monthly", "merchant_monthly")
    if month in months:
        return
    span = f"{months[0]} to {months[-1]}" if months else "none"
    raise ParameterError(
        f"parameter {name}={month!r}: no transactions for that month in the marts in {data}/ "
        f"(months with data: {span}).{_nearest(month, months)} Pick a month with data, or "
        "reduce data that has it (`insights reduce DATA_DIR --out MART_DIR`)"
    )


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
        cities = _mart_cities(data, month)
        if city in cities:
            return
        where = f" in {month}" if month else ""
        raise ParameterError(
            f"parameter {name}={city!r}: no transactions at merchants in that city{where} in "
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
    tz = read_manifest(data).get("tz")
    if tz != value:
        raise ParameterError(
            f"parameter {name}={value!r}: the marts in {data}/ count days and months in {tz}. "
            f"Pass {name}={tz!r}, or reduce again with `insights reduce DATA_DIR --out MART_DIR "
            f"--tz {value}`"
        )


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
            _check_mart_timezone(data, p.name, value)
        elif p.check == "holiday_country":
            _check_holiday_country(p.name, value)


def _mart_inputs(spec: ReportSpec) -> list[str]:
    return [name for name in spec.inputs if name in MART_NAMES]


def _require_marts(spec: ReportSpec, data: Path) -> None:
    """Refuse a raw folder for a report reading marts, and a mart folder lacking its marts."""
    wanted = _mart_inputs(spec)
    if not wanted:
        return
    if not _is_marts(data):
        raw = layout.transactions_dir(data).is_dir() or layout.contacts_path(data).is_file()
        hint = (
            f"{data} holds raw data: run `insights reduce {data} --out MART_DIR` and pass "
            "--data MART_DIR"
            if raw
            else f"run `insights reduce DATA_DIR --out {data}` first"
        )
        raise ParameterError(
            f"report {spec.name!r} reads the marts {', '.join(wanted)}, and {data} is not a "
            f"mart folder (no {MANIFEST}); {hint}"
        )
    present = read_manifest(data).get("marts", {})
    missing = [name for name in wanted if name not in present]
    if missing:
        raise ParameterError(
            f"report {spec.name!r} needs the marts {', '.join(missing)}, which {data}/ does not "
            f"hold (it has {', '.join(present) or 'none'}); reduce data with the inputs they "
            "come from (`insights reduce DATA_DIR --out MART_DIR`)"
        )


def data_files(spec: ReportSpec, /, *, data: str | Path) -> list[Path]:
    """List the input files of a report, sorted.

    For a mart folder: the files the manifest lists for the marts named in ``inputs`` (all
    marts if none is named). Otherwise: the ``inputs`` globs under ``data``.
    """
    data = Path(data)
    if _is_marts(data):
        manifest = read_manifest(data)
        names = _mart_inputs(spec) or sorted(manifest.get("marts", {}))
        return sorted(
            path
            for name in names
            if name in manifest.get("marts", {})
            for path, _ in mart_files(manifest, data, name)
        )
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
    recorded: dict[str, Mapping[str, Any]] = {}
    if _is_marts(data):
        manifest = read_manifest(data)
        recorded = {
            entry["path"]: entry
            for info in manifest.get("marts", {}).values()
            for entry in info.get("months", {}).values()
            if entry.get("path")
        }
    entries = []
    for path in files:
        rel = path.relative_to(data).as_posix()
        size = path.stat().st_size
        known = recorded.get(rel)
        if known is not None and known.get("bytes") == size:
            # Hashed by the reduce when it wrote the file: no need to read it again.
            entries.append(
                {"path": rel, "rows": known["rows"], "bytes": size, "sha256": known["sha256"]}
            )
            continue
        rows = _parquet_rows(path) if path.suffix == ".parquet" else None
        entries.append({"path": rel, "rows": rows, "bytes": size, "sha256": _sha256(path)})
    overall = hashlib.sha256("\n".join(f"{e['path']} {e['sha256']}" for e in entries).encode())
    return {"hash": overall.hexdigest(), "files": entries}


def _mart_root(files: Sequence[Path]) -> Path | None:
    """Return the mart folder of ``files`` (``<root>/<mart>/month=YYYY-MM/part-*.parquet``)."""
    for file in files:
        if len(file.parents) > 2 and (file.parents[2] / MANIFEST).is_file():
            return file.parents[2]
    return None


def _mart_date_range(root: Path, files: Sequence[Path]) -> tuple[str, str] | None:
    """Return the local days covered by the sources of the marts ``files`` belong to."""
    manifest = read_manifest(root)
    marts = manifest.get("marts", {})
    sources = {marts[f.parents[1].name]["source"] for f in files if f.parents[1].name in marts}
    ranges = [
        (info["first_day"], info["last_day"])
        for name, info in manifest.get("sources", {}).items()
        if name in sources and info.get("first_day")
    ]
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def data_date_range(
    files: Sequence[Path], /, *, tz: str = "Europe/London"
) -> tuple[str, str] | None:
    """First and last local date (in ``tz``) of the data behind ``files``, or ``None``.

    Local, not UTC: a September report's data starting at midnight on 1 October in London is
    stored as 30 September 23:00 UTC, and a reader would see the wrong day. For marts, the
    local days their sources cover, from the manifest (in the marts' own time zone); for raw
    files, ``created_at`` converted to ``tz``.
    """
    root = _mart_root(files)
    if root is not None:
        return _mart_date_range(root, files)
    stamped = []
    for f in files:
        if f.suffix != ".parquet":
            continue
        try:
            dtype = pl.read_parquet_schema(f).get("created_at")
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(f, exc) from exc
        if isinstance(dtype, pl.Datetime):
            stamped.append((f, dtype.time_zone is None))
    if not stamped:
        return None
    parts = []
    for f, naive in stamped:
        stamp = pl.col("created_at")
        if naive:
            stamp = stamp.dt.replace_time_zone("UTC")
        day = stamp.dt.convert_time_zone(tz).dt.date()
        parts.append(_scan([f], [day.min().alias("first"), day.max().alias("last")]))
    first, last = pl.concat(parts).select(pl.col("first").min(), pl.col("last").max()).row(0)
    if first is None:
        return None
    return first.isoformat(), last.isoformat()


def customer_ids(data: str | Path, /) -> frozenset[str]:
    """Every ``customer_id`` in the data folder: customers, transactions and contacts.

    A mart folder holds none (no mart contract has an identifier column): the empty set.
    """
    data = Path(data)
    if _is_marts(data):
        return frozenset()
    with_ids = []
    for path in sorted(data.rglob("*.parquet")):
        try:
            schema = pl.read_parquet_schema(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(path, exc) from exc
        if "customer_id" in schema:
            with_ids.append(path)
    if not with_ids:
        return frozenset()
    # One scan per file: customers, transactions and contacts have different schemas.
    found: set[str] = set()
    for path in with_ids:
        ids = _scan([path], pl.col("customer_id").cast(pl.String).drop_nulls().unique())
        found.update(ids.to_series().to_list())
    return frozenset(found)
