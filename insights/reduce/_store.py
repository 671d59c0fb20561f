"""The mart folder a run writes (private to :mod:`insights.reduce`).

Checked month files under fresh names, the manifest replaced atomically, and the removal of
files no manifest lists: how :func:`~insights.reduce.pipeline.write_marts` stays crash-safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from insights.errors import ContractError, ParameterError
from insights.reduce._sources import _month_key, _signature
from insights.reduce.marts import (
    MANIFEST,
    MANIFEST_FORMAT,
    MART_NAMES,
    check_mart,
    mart,
    read_manifest,
)

__all__: list[str] = []

# --- writing --------------------------------------------------------------------------------


def _month_of(frame: pl.DataFrame, period: str) -> pl.Expr:
    column = pl.col(period)
    return column.dt.truncate("1mo") if period == "day" else column


def _split_months(frame: pl.DataFrame, period: str) -> dict[date, pl.DataFrame]:
    if frame.is_empty():
        return {}
    keyed = frame.with_columns(_month_of(frame, period).alias("__month"))
    parts = keyed.partition_by("__month", as_dict=True, maintain_order=True)
    return {key[0]: part.drop("__month") for key, part in parts.items()}  # type: ignore[misc]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Writer:
    """Writes checked month files of a run under fresh names and records them."""

    def __init__(self, out: Path, run: str) -> None:
        self.out = out
        self.run = run
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}

    def write(self, name: str, month: date, frame: pl.DataFrame | None) -> None:
        m = mart(name)
        key = _month_key(month)
        if frame is None or frame.is_empty():
            self.entries.setdefault(name, {})[key] = {"path": None, "rows": 0}
            return
        ordered = frame.select(m.columns).sort(list(m.keys), nulls_last=False)
        rel = f"{name}/month={key}/part-{self.run}.parquet"
        check_mart(ordered, name, source=f"{self.out / rel} (being written)")
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        ordered.write_parquet(path, statistics=True)
        self.entries.setdefault(name, {})[key] = {
            "path": rel,
            "rows": ordered.height,
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
        }


def _write_manifest(out: Path, manifest: Mapping[str, Any], run: str) -> None:
    temp = out / f".{MANIFEST}.{run}.tmp"
    with temp.open("w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(out / MANIFEST)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _listed(manifest: Mapping[str, Any] | None) -> set[str]:
    if not manifest:
        return set()
    return {
        entry["path"]
        for info in manifest.get("marts", {}).values()
        for entry in info.get("months", {}).values()
        if entry.get("path")
    }


def _collect_garbage(out: Path, keep: set[str]) -> None:
    """Delete mart files and temporary manifests not listed in the current manifest."""
    for name in MART_NAMES:
        folder = out / name
        if not folder.is_dir():
            continue
        for path in folder.glob("month=*/part-*.parquet"):
            if path.relative_to(out).as_posix() not in keep:
                path.unlink(missing_ok=True)
        for month_dir in folder.glob("month=*"):
            if month_dir.is_dir() and not any(month_dir.iterdir()):
                month_dir.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
    for temp in out.glob(f".{MANIFEST}.*.tmp"):
        temp.unlink(missing_ok=True)


def _old_manifest(out: Path, tz: str, definitions: str) -> dict[str, Any] | None:
    """Return the previous manifest if its months can be reused (same format, tz, definitions)."""
    if not (out / MANIFEST).is_file():
        return None
    try:
        old = read_manifest(out)
    except (ContractError, ParameterError):
        return None
    if old.get("tz") != tz or old.get("definitions") != definitions:
        return None
    return old


def _try_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(folder) if (folder / MANIFEST).is_file() else None
    except (ContractError, ParameterError):
        return None


def _run_id() -> str:
    """Name a new run by its UTC start and a random suffix (file names never collide)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def _mart_entry(name: str, months: Mapping[str, Any]) -> dict[str, Any]:
    """Describe mart ``name`` for the manifest: contract version, source, rows, month files."""
    return {
        "version": mart(name).contract.version,
        "source": mart(name).source,
        "rows": sum(int(e.get("rows", 0)) for e in months.values()),
        "months": dict(sorted(months.items())),
    }


def _publish(folder: Path, run: str, **fields: Any) -> dict[str, Any]:
    """Write the manifest of ``fields`` (its marts fingerprinted), then drop unlisted files.

    ``fields`` are the manifest's own: ``tz``, ``definitions``, ``engine``, ``data``,
    ``sources`` and ``marts`` (name → :func:`_mart_entry`).
    """
    listing = sorted(
        f"{entry['path']} {entry['sha256']}"
        for info in fields["marts"].values()
        for entry in info["months"].values()
        if entry.get("path")
    )
    manifest = {
        "format": MANIFEST_FORMAT,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run,
        **fields,
        "fingerprint": _signature(listing),
    }
    _write_manifest(folder, manifest, run)
    _collect_garbage(folder, _listed(manifest))
    return manifest
