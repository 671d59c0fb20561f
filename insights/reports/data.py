"""What the runner needs to know about the data files before and after a render.

The input files of a report (:func:`data_files`), their fingerprint (row counts and content
hashes, for the manifest and for idempotence), their date range, and the customer identifiers
the privacy gate looks for; with the small helpers the parameter checks
(:mod:`~insights.reports.data_params`) and the raw-data preparation
(:mod:`~insights.reports.data_prepare`) share.

The data is a **mart folder** (written by ``insights reduce DATA_DIR --out MART_DIR``: a
``manifest.json`` and one Parquet file per mart and month), which the flagship reports read:
every check then reads the manifest or a small mart (milliseconds), the fingerprint comes from
the hashes the reduce recorded, and there are no customer identifiers to look for. Raw data is
first reduced to marts in a private cache by :func:`~insights.reports.data_prepare.prepare_data`.
Any unreadable file is named.
"""

from __future__ import annotations

import glob as globlib
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from insights._common import DEFAULT_TZ
from insights.data import layout
from insights.data.io import (
    data_files as raw_files,
)
from insights.errors import ContractError, ParameterError
from insights.reduce.marts import MANIFEST, MART_NAMES, mart_files, read_manifest
from insights.reports.catalogue import ReportSpec

__all__ = [
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
    if not ranges:  # no source's days in the manifest (customers record only their end)
        ranges = _mart_days(files)
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _mart_days(files: Sequence[Path]) -> list[tuple[str, str]]:
    """Return the first and last ``day`` of the mart ``files`` themselves (none without one)."""
    dated = [f for f in files if f.suffix == ".parquet" and "day" in pl.read_parquet_schema(f)]
    if not dated:
        return []
    first, last = _scan(dated, [pl.col("day").min(), pl.col("day").max().alias("last")]).row(0)
    return [] if first is None else [(first.isoformat(), last.isoformat())]


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
