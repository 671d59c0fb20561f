"""What the runner needs to know about the data before and after a render.

Checks that parameter values lie inside the data, the fingerprint of the input files (row
counts and content hashes, for the manifest and for idempotence), their date range, and the
customer identifiers the privacy gate looks for.

The data is a **mart folder** (written by ``insights reduce DATA_DIR --out MART_DIR``: a
``manifest.json`` and one Parquet file per mart and month), which the flagship reports read:
every check then reads the manifest or a small mart (milliseconds), the fingerprint comes from
the hashes the reduce recorded, and there are no customer identifiers to look for.

Given **raw data** instead (what ``insights validate`` accepts: a Parquet or CSV file, a folder
of them, hive partitions, or the raw layout of :mod:`insights.data.layout`),
:func:`prepare_data` checks every row against its contract and reduces it to marts in a
private cache (``<out>.private/marts/``), reused while the files do not change, and says so.

Parameters declared with ``default_from`` are then taken from the marts
(:func:`resolve_defaults`, with the functions the notebook calls). Any unreadable file is named.
"""

from __future__ import annotations

import difflib
import glob as globlib
import hashlib
import json
import shutil
import time
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from insights._common import DEFAULT_TZ
from insights.data import layout
from insights.data.io import (
    data_files as raw_files,
    load_contacts,
    load_customers,
    load_transactions,
    write_transactions,
)
from insights.errors import ContractError, ParameterError
from insights.reduce.marts import MANIFEST, MART_NAMES, mart_files, read_manifest
from insights.reduce.pipeline import write_marts
from insights.reports.catalogue import ReportSpec
from insights.spending.defaults import report_city, report_month, report_tz

__all__ = [
    "check_params_against_data",
    "customer_ids",
    "data_date_range",
    "data_files",
    "fingerprint",
    "prepare_data",
    "resolve_defaults",
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
    order = ("marts_tz", "latest_complete_month", "busiest_city")
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


def _timezone_param(spec: ReportSpec, values: Mapping[str, Any]) -> str | None:
    return next(
        (values.get(p.name) for p in spec.params if p.check == "timezone" and values.get(p.name)),
        None,
    )


def _raw_inputs(data: Path) -> dict[str, Path]:
    """Find the raw inputs under ``data``: the layout's three, or ``data`` as transactions."""
    if data.is_dir():
        found = {
            "transactions": layout.transactions_dir(data),
            "customers": layout.customers_path(data),
            "contacts": layout.contacts_path(data),
        }
        present = {name: path for name, path in found.items() if path.exists()}
        if present:
            return present
    return {"transactions": data}


def _raw_signature(inputs: Mapping[str, Path], tz: str) -> str:
    """Paths, sizes and modification times of every input file: changes when any file does."""
    lines = [f"tz {tz}"]
    for name, path in sorted(inputs.items()):
        for file in raw_files(path):
            stat = file.stat()
            lines.append(f"{name} {file.resolve()} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


_LOADERS = {
    "transactions": load_transactions,
    "customers": load_customers,
    "contacts": load_contacts,
}


def _reduce_raw(inputs: Mapping[str, Path], cache: Path, tz: str) -> tuple[int, int]:
    """Validate every row, stage the valid data in the raw layout, reduce it to marts."""
    stage = cache / "raw"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    rows = files = 0
    for name, path in inputs.items():
        files += len(raw_files(path))
        frame = _LOADERS[name](path)  # ContractError naming each file, rule and example row
        rows += frame.height
        if name == "transactions":
            write_transactions(frame, stage)
        else:
            target = (
                layout.customers_path(stage)
                if name == "customers"
                else (layout.contacts_path(stage))
            )
            frame.write_parquet(target)
    write_marts(stage, cache / "marts", tz=tz)
    shutil.rmtree(stage, ignore_errors=True)  # the marts are what the reports read
    return rows, files


def prepare_data(
    spec: ReportSpec,
    values: Mapping[str, Any],
    /,
    *,
    data: str | Path,
    cache: str | Path,
) -> tuple[Path, list[str]]:
    """Return the folder a report reads: ``data`` itself, or marts reduced from raw ``data``.

    A report whose catalogue ``inputs`` name marts reads a mart folder. Given raw data instead
    (a Parquet or CSV file, a folder of them, hive partitions, or the raw layout with
    ``transactions/``, ``customers.parquet`` and ``contacts.parquet``), every row is checked
    against its contract and the valid data reduced to marts in ``cache/<name>-<hash>/marts``,
    counting days in the report's ``tz`` parameter if given (else Europe/London). The cache
    is reused while no input file changes (path, size, modification time).

    Returns
    -------
    tuple
        The folder to read, and sentences saying what was done (empty for a mart folder).

    Raises
    ------
    ParameterError
        ``data`` does not exist, or holds no data file.
    ContractError
        A raw file breaks its contract: the message names the file, rule and example rows
        (nothing is reduced).

    """
    data = Path(data)
    if not data.exists():
        raise ParameterError(
            f"data {data} does not exist; pass --data with a mart folder written by "
            "`insights reduce DATA_DIR --out MART_DIR`, or raw data (a Parquet or CSV file or "
            "a folder of them)"
        )
    if _is_marts(data) or not _mart_inputs(spec):
        return data, []
    inputs = _raw_inputs(data)
    try:
        for path in inputs.values():
            raw_files(path)
    except ContractError as exc:
        raise ParameterError(
            f"report {spec.name!r} reads marts, and {data} is neither a mart folder (no "
            f"{MANIFEST}) nor raw data: {exc}. Pass --data with a mart folder written by "
            "`insights reduce DATA_DIR --out MART_DIR`, or with raw data"
        ) from exc
    zone = _timezone_param(spec, values)
    if zone is not None:
        _check_timezone("tz", zone)
    tz = zone or DEFAULT_TZ
    where = str(data.resolve())
    key = hashlib.sha256(f"{where}\n{tz}".encode()).hexdigest()[:12]
    name = "".join(ch if ch.isalnum() else "-" for ch in data.stem).strip("-") or "data"
    folder = Path(cache) / f"{name}-{key}"
    marts = folder / "marts"
    signature = _raw_signature(inputs, tz)
    stamp = folder / "source.json"
    previous = json.loads(stamp.read_text()) if stamp.is_file() else {}
    zone_note = "" if zone else f" (pass -p tz=ZONE for another calendar than {tz})"
    if previous.get("signature") == signature and _is_marts(marts):
        return marts, [
            f"{data} is raw data: reading the marts reduced from it earlier in {marts}/, "
            f"days in {tz}{zone_note}; its files have not changed since"
        ]
    started = time.perf_counter()
    try:
        rows, files = _reduce_raw(inputs, folder, tz)
    except ContractError as exc:
        raise ContractError(
            f"{data} is raw data, so the report checks it against its contract before "
            f"reducing it to marts, and it does not pass:\n{exc}",
            exc.report,
        ) from exc
    stamp.write_text(
        json.dumps({"source": where, "tz": tz, "signature": signature}, indent=2) + "\n",
        encoding="utf-8",
    )
    names = " + ".join(inputs)
    parquet_only = all(f.suffix != ".csv" for p in inputs.values() for f in raw_files(p))
    keep = (
        f" To keep marts of your own: `insights reduce {data} --out MART_DIR --tz {tz}`, then "
        "--data MART_DIR."
        if parquet_only
        else ""
    )
    return marts, [
        f"{data} is raw data ({names}: {rows:,} rows in {files} file(s), every row valid): "
        f"reduced to marts in {marts}/ in {time.perf_counter() - started:.0f}s, days in "
        f"{tz}{zone_note}; later runs reuse them while the files do not change.{keep}"
    ]


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


def data_date_range(files: Sequence[Path], /, *, tz: str = DEFAULT_TZ) -> tuple[str, str] | None:
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
    """Every ``customer_id`` in the data: customers, transactions and contacts.

    ``data`` is a mart folder, which holds none (no mart contract has an identifier column):
    the empty set; or raw data (a Parquet or CSV file, or a folder of them).
    """
    data = Path(data)
    if _is_marts(data) or not data.exists():
        return frozenset()
    # One scan per file: customers, transactions and contacts have different schemas.
    found: set[str] = set()
    try:
        files = raw_files(data)
    except ContractError:  # no data file at all: nothing to look for
        return frozenset()
    for path in files:
        ids = pl.col("customer_id").cast(pl.String).drop_nulls().unique()
        if path.suffix == ".csv":
            header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
            if "customer_id" in header:
                frame = pl.scan_csv(path, infer_schema=False).select(ids).collect()
                found.update(frame.to_series().to_list())
            continue
        try:
            schema = pl.read_parquet_schema(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise _unreadable(path, exc) from exc
        if "customer_id" in schema:
            found.update(_scan([path], ids).to_series().to_list())
    return frozenset(found)
