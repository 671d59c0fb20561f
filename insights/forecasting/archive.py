"""The forecast archive: every published forecast, kept outside the reports' replace cycle.

A report notebook publishes its forecast record (:func:`insights.forecast_record`) into its
build folder with :func:`publish_forecast_record`. Only when the report passes every check
and is published does the runner copy that record into the archive
(:func:`archive_forecast_record`), so the archive holds exactly the forecasts readers saw::

    reports/_forecasts/<report>/<slug>.parquet     one file per published rendering

A re-render of the same parameters replaces its file (the archive follows the published
report); renders of other dates add files. Each file is the record plus ``report``,
``slug``, ``data_fingerprint`` (the hash of the input files in the manifest) and
``published_at``. The record's columns are fixed (:data:`insights.forecasting.tracking.
RECORD_COLUMNS` and interval bounds), so no identifier can be archived; its counts are
forecasts or actuals of contacts and accounts, never small counts of people.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from pathlib import Path

import polars as pl

from insights._common import parse_day
from insights.errors import ParameterError
from insights.forecasting.tracking import RECORD_COLUMNS

__all__ = [
    "ARCHIVE_FOLDER",
    "RECORD_NAME",
    "archive_forecast_record",
    "publish_forecast_record",
    "read_forecast_archive",
]

#: Folder under the reports root holding the archive.
ARCHIVE_FOLDER = "_forecasts"
#: Table name of the forecast record inside a report folder.
RECORD_NAME = "forecast_record"
_EXTRA = {
    "report": pl.String(),
    "slug": pl.String(),
    "data_fingerprint": pl.String(),
    "published_at": pl.String(),
}
_BOUND = re.compile(r"^(lo|hi)_\d+(_\d+)?$")


def _check_record(record: pl.DataFrame, /, *, who: str) -> None:
    missing = [c for c in RECORD_COLUMNS if c not in record.columns]
    extra = [c for c in record.columns if c not in RECORD_COLUMNS and not _BOUND.match(c)]
    if missing or extra:
        msg = (
            f"{who}: not a forecast record (missing {missing}, not allowed {extra}); build it "
            "with insights.forecast_record(...), which keeps only forecast columns."
        )
        raise ParameterError(msg)


def publish_forecast_record(record: pl.DataFrame, /, *, out_dir: str | Path) -> list[Path]:
    """Publish a forecast record with the report; the runner archives it once published.

    Parameters
    ----------
    record
        :func:`insights.forecast_record` output (several concatenated are fine).
    out_dir
        The report's ``output_dir`` parameter.

    Returns
    -------
    list of Path
        The files written (``forecast_record.csv``, ``.parquet`` and ``.table.json``).

    Examples
    --------
    >>> import tempfile
    >>> record = pl.DataFrame(schema=RECORD_COLUMNS)
    >>> [p.name for p in publish_forecast_record(record, out_dir=tempfile.mkdtemp())]
    ['forecast_record.csv', 'forecast_record.parquet', 'forecast_record.table.json']

    """
    from insights.publish.tables import publish_table  # noqa: PLC0415

    _check_record(record, who="publish_forecast_record")
    return publish_table(record, name=RECORD_NAME, out_dir=out_dir, count_columns=())


def archive_forecast_record(
    report_dir: str | Path,
    /,
    *,
    archive: str | Path,
    report: str,
    slug: str,
    fingerprint: str,
    published_at: str,
) -> Path | None:
    """Copy a published report's forecast record into the archive (atomically).

    Parameters
    ----------
    report_dir
        The published report folder (``reports/<report>/<slug>/``).
    archive
        The archive root (``reports/_forecasts``).
    report, slug
        The report name and its folder name; the file is ``<archive>/<report>/<slug>.parquet``.
    fingerprint
        The hash of the report's input data (from its manifest).
    published_at
        When the report was published (ISO 8601).

    Returns
    -------
    Path or None
        The archive file, or ``None`` when the report published no forecast record.

    Examples
    --------
    >>> import tempfile
    >>> from insights.forecasting.tracking import RECORD_COLUMNS
    >>> folder = tempfile.mkdtemp()
    >>> _ = publish_forecast_record(pl.DataFrame(schema=RECORD_COLUMNS), out_dir=folder)
    >>> path = archive_forecast_record(folder, archive=f"{folder}/_forecasts", report="r",
    ...     slug="2025-08-31", fingerprint="abc", published_at="2025-09-01T06:00:00Z")
    >>> path.relative_to(folder).as_posix()
    '_forecasts/r/2025-08-31.parquet'

    """
    source = Path(report_dir) / f"{RECORD_NAME}.parquet"
    if not source.is_file():
        return None
    record = pl.read_parquet(source)
    _check_record(record, who=f"archive_forecast_record({source})")
    stamped = record.with_columns(
        pl.lit(report).alias("report"),
        pl.lit(slug).alias("slug"),
        pl.lit(fingerprint).alias("data_fingerprint"),
        pl.lit(published_at).alias("published_at"),
    )
    folder = Path(archive) / report
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug}.parquet"
    tmp = folder / f".{slug}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        stamped.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def read_forecast_archive(
    path: str | Path,
    /,
    *,
    target: str | None = None,
    before: date | str | None = None,
) -> pl.DataFrame:
    """Every archived forecast record under ``path`` (an empty archive is normal).

    Parameters
    ----------
    path
        The archive root (``reports/_forecasts``) or one report's folder in it. A folder that
        does not exist yet is an empty archive.
    target
        Only records of this target (:func:`insights.forecast_record`'s ``target``).
    before
        Only records made before this day (``as_of < before``).

    Returns
    -------
    pl.DataFrame
        The records, concatenated (columns of every level any record has), plus
        ``report``, ``slug``, ``data_fingerprint`` and ``published_at``; with no record,
        an empty frame with the record columns.

    Examples
    --------
    >>> read_forecast_archive("no/such/folder").height
    0

    """
    root = Path(path)
    found = root.rglob("*.parquet") if root.is_dir() else ()
    files = sorted(p for p in found if not p.name.startswith("."))
    empty = pl.DataFrame(schema={**RECORD_COLUMNS, **_EXTRA})
    frames = [pl.read_parquet(f) for f in files]
    archive = pl.concat([empty, *frames], how="diagonal_relaxed") if frames else empty
    if target is not None:
        archive = archive.filter(pl.col("target") == target)
    if before is not None:
        cut = parse_day(before, name="before")
        archive = archive.filter(pl.col("as_of") < cut)
    return archive
