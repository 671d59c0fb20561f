"""Raw data made ready for a render: checked against its contracts and reduced to marts.

Given **raw data** (what ``insights validate`` accepts: a Parquet or CSV file, a folder of
them, hive partitions, or the raw layout of :mod:`insights.data.layout`), :func:`prepare_data`
checks every row against its contract and reduces it to marts in a private cache
(``<out>.private/marts/``), reused while the files do not change, and says so.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
from insights.reduce.marts import MANIFEST
from insights.reduce.pipeline import write_marts
from insights.reports.catalogue import ReportSpec
from insights.reports.data import _is_marts, _mart_inputs
from insights.reports.data_params import _check_timezone

__all__ = ["prepare_data"]


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
    takes_zone = any(p.check == "timezone" for p in spec.params)
    zone_note = (
        ""
        if zone
        else f" (pass -p tz=ZONE for another calendar than {tz})"
        if takes_zone
        else f" (for another calendar, reduce them yourself with `insights reduce {data} --out "
        "MART_DIR --tz ZONE` and pass --data MART_DIR)"
    )
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
