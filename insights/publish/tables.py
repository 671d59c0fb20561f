"""Publishing result tables from a report notebook: CSV, Parquet and a small sidecar.

Every table is suppressed on the way out (:func:`suppress_people`): the people counts declared
in :mod:`insights.publish.people` below the floor, and the cells of the same row that would
give them back, become null and are named in a ``suppressed`` column. The sidecar
(``<name>.table.json``) records the people columns and how many cells were suppressed. Files
are written deterministically: the same frame gives byte-identical files (floats are rounded
to 12 significant digits, so a sum that differs in its last bit between runs does not change
the file).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from insights.errors import ParameterError, ReportError
from insights.publish.people import PEOPLE_COUNTS, PEOPLE_METRICS, SUPPRESSED, revealing_columns

__all__ = [
    "MIN_CUSTOMERS",
    "SIDECAR_SUFFIX",
    "publish_table",
    "small_groups",
    "stable_floats",
    "suppress_people",
    "suppress_small",
    "suppress_spec",
    "suppressed_cells",
]

#: Smallest customer count that may be published (the bank's disclosure rule).
MIN_CUSTOMERS = 10
SIDECAR_SUFFIX = ".table.json"


def suppress_small(
    frame: pl.DataFrame,
    /,
    *,
    count_column: str = "customers",
    columns: Sequence[str] = (),
    min_customers: int = MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Blank out (null) the cells of rows counting fewer than ``min_customers`` customers.

    Statistical disclosure control by suppression: the row stays (so a chart shows a gap,
    not a misleading zero), but its count and every figure in ``columns`` derived from
    those customers become null. Rows with a count of 0 are kept as they are (nothing to
    disclose).

    Examples
    --------
    >>> frame = pl.DataFrame({"day": [1, 2, 3], "customers": [25, 4, 0], "rate": [2.5, 0.4, 0.0]})
    >>> suppress_small(frame, columns=["rate"])["rate"].to_list()
    [2.5, None, 0.0]

    """
    small = (pl.col(count_column) > 0) & (pl.col(count_column) < min_customers)
    return frame.with_columns(
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in (count_column, *columns)
    )


def _small(column: str, floor: int) -> pl.Expr:
    value = pl.col(column).cast(pl.Float64, strict=False)
    return ((value > 0) & (value < floor)).fill_null(value=False)


def suppress_people(
    frame: pl.DataFrame,
    /,
    *,
    min_customers: int = MIN_CUSTOMERS,
    extra_counts: Sequence[str] = (),
) -> pl.DataFrame:
    """Suppress every people count below ``min_customers``, and what would give it back.

    The people counts are the columns declared in :data:`insights.publish.people.PEOPLE_COUNTS`
    (plus ``extra_counts``). In a row where one is between 1 and ``min_customers - 1`` (a
    fraction too: a mean of 0.3 customers is one person), that cell and the cells of the
    same row that reveal it (its rate, share, growth, ...) become null, and the
    ``suppressed`` column names them (comma-separated; null where nothing was suppressed;
    the column is added only when something was).
    In a metrics table (a ``metric`` column naming ``customers``), every number of such a row
    counts people. Zero stays (no one to disclose). Applying it twice changes nothing.

    Examples
    --------
    >>> rates = pl.DataFrame({"ds": [1, 2], "customers": [25, 4], "contacts": [30, 5],
    ...                       "active_customers": [900, 900], "rate": [33.3, 5.6]})
    >>> suppress_people(rates).rows()
    [(1, 25, 30, 900, 33.3, None), (2, None, None, 900, None, 'customers,contacts,rate')]

    """
    if min_customers < MIN_CUSTOMERS:
        raise ParameterError(
            f"min_customers={min_customers} is below the disclosure floor of {MIN_CUSTOMERS}"
        )
    if SUPPRESSED in frame.columns and frame.schema[SUPPRESSED] == pl.Boolean:
        frame = _named_marker(frame)
    reveals = revealing_columns(frame.columns)
    for extra in extra_counts:
        reveals.setdefault(extra, [])
    hide: dict[str, list[pl.Expr]] = {}
    for column, revealed in reveals.items():
        for target in (column, *revealed):
            hide.setdefault(target, []).append(_small(column, min_customers))
    for key, metrics in PEOPLE_METRICS.items():
        if key in frame.columns:
            numbers = [c for c, t in frame.schema.items() if t.is_numeric()]
            row = pl.col(key).is_in(sorted(metrics)) & pl.any_horizontal(
                [_small(c, min_customers) for c in numbers] or [pl.lit(value=False)]
            )
            for target in numbers:
                hide.setdefault(target, []).append(row)
    if not hide:
        return frame
    order = [c for c in frame.columns if c in hide]
    conditions = {c: pl.any_horizontal(hide[c]) for c in order}
    marked: list[pl.Expr] = [
        pl.when(conditions[c] & pl.col(c).is_not_null()).then(pl.lit(c)) for c in order
    ]
    if SUPPRESSED in frame.columns:
        marked.insert(0, pl.col(SUPPRESSED))
    marker = pl.concat_str(marked, separator=",", ignore_nulls=True)
    done = frame.with_columns(
        *(pl.when(conditions[c]).then(None).otherwise(pl.col(c)).alias(c) for c in order),
        pl.when(marker == "").then(None).otherwise(marker).alias(SUPPRESSED),
    )
    if SUPPRESSED not in frame.columns and done.get_column(SUPPRESSED).null_count() == done.height:
        return done.drop(SUPPRESSED)  # nothing suppressed: the table keeps its own columns
    return done


def _named_marker(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn a yes/no ``suppressed`` column into the names of the row's null numbers."""
    numbers = [c for c, t in frame.schema.items() if t.is_numeric()]
    names = pl.concat_str(
        [pl.when(pl.col(c).is_null()).then(pl.lit(c)) for c in numbers] or [pl.lit("")],
        separator=",",
        ignore_nulls=True,
    )
    marker = pl.when(pl.col(SUPPRESSED)).then(
        pl.when(names == "").then(pl.lit("row")).otherwise(names)
    )
    return frame.with_columns(marker.alias(SUPPRESSED))


def stable_floats(frame: pl.DataFrame, /, *, digits: int = 12) -> pl.DataFrame:
    """Round float columns to ``digits`` significant digits, so re-runs write the same bytes.

    Parallel sums may differ in the last bits between runs; twelve significant digits are
    far beyond what any published figure needs.

    Examples
    --------
    >>> stable_floats(pl.DataFrame({"x": [0.1 + 0.2]}))["x"].to_list()
    [0.3]

    """
    floats = [c for c, t in frame.schema.items() if t in (pl.Float32, pl.Float64)]
    return frame.with_columns(pl.col(c).round_sig_figs(digits) for c in floats)


def small_groups(
    frame: pl.DataFrame, /, *, count_columns: Sequence[str], min_customers: int
) -> list[tuple[str, int, int]]:
    """Rows counting between 1 and ``min_customers - 1`` customers.

    Nulls (already suppressed) and zeros (no customer, nothing to disclose) are allowed: the
    same rule as :func:`suppress_small`.

    Returns
    -------
    list of (column, row index, count)
        Every offending cell.

    Examples
    --------
    >>> small_groups(pl.DataFrame({"customers": [12, 3, None, 0]}),
    ...              count_columns=["customers"], min_customers=10)
    [('customers', 1, 3)]

    """
    found = []
    for column in count_columns:
        bad = (
            frame.select(pl.col(column))
            .with_row_index("row")
            .filter(pl.col(column).is_between(1, min_customers - 1))
        )
        rows, counts = bad["row"].to_list(), bad[column].to_list()
        found += [(column, int(r), int(c)) for r, c in zip(rows, counts, strict=True)]
    return found


def publish_table(
    frame: pl.DataFrame,
    /,
    *,
    name: str,
    out_dir: str | Path,
    count_columns: Sequence[str] = (),
    min_customers: int = MIN_CUSTOMERS,
) -> list[Path]:
    """Write a result table as ``<name>.csv``, ``<name>.parquet`` and ``<name>.table.json``.

    The table is suppressed first (:func:`suppress_people`): the people counts declared by the
    library (:mod:`insights.publish.people`) below ``min_customers`` become null, with the
    cells that would reveal them, and a ``suppressed`` column names them.

    Parameters
    ----------
    frame
        A small, aggregated table. Its row order is kept: sort it before publishing.
    name
        File stem, e.g. ``"top_merchants"``; one name, one artefact (a chart of the same
        name in the same folder is an error).
    out_dir
        The report's ``output_dir`` parameter.
    count_columns
        More columns counting people, beyond those the library declares (ad-hoc tables).
    min_customers
        Smallest group allowed, at least :data:`MIN_CUSTOMERS`.

    Returns
    -------
    list of Path
        The three files written.

    Raises
    ------
    ParameterError
        A count column is missing, ``min_customers`` is below the floor, or ``name`` is
        already a chart in ``out_dir``.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in publish_table(pl.DataFrame({"city": ["Leeds"], "customers": [42]}),
    ...                                name="t", out_dir=out)]
    ['t.csv', 't.parquet', 't.table.json']

    """
    if min_customers < MIN_CUSTOMERS:
        raise ParameterError(
            f"publish_table(name={name!r}): min_customers={min_customers} is below the "
            f"disclosure floor of {MIN_CUSTOMERS}; use {MIN_CUSTOMERS} or more"
        )
    if missing := [c for c in count_columns if c not in frame.columns]:
        raise ParameterError(
            f"publish_table(name={name!r}): count columns {missing} are not in the table "
            f"(columns: {frame.columns})"
        )
    out = Path(out_dir)
    if (out / f"{name}.vl.json").exists():
        raise ParameterError(
            f"publish_table(name={name!r}): {out / name}.* is already a chart; one name, one "
            "artefact: give the table or the chart another name"
        )
    published = stable_floats(
        suppress_people(frame, min_customers=min_customers, extra_counts=count_columns)
    )
    if bad := small_groups(
        published, count_columns=list(count_columns), min_customers=min_customers
    ):  # pragma: no cover - suppress_people removed them; a guard against a broken registry
        raise ReportError(f"publish_table(name={name!r}): small counts left: {bad[:3]}")
    out.mkdir(parents=True, exist_ok=True)
    csv, parquet, sidecar = (out / f"{name}{s}" for s in (".csv", ".parquet", SIDECAR_SUFFIX))
    published.write_csv(csv)
    published.write_parquet(parquet, compression="zstd", statistics=True)
    people = [c for c in published.columns if c in PEOPLE_COUNTS or c in count_columns]
    meta = {
        "name": name,
        "rows": published.height,
        "columns": {c: str(t) for c, t in published.schema.items()},
        "count_columns": people,
        "min_customers": min_customers,
        "suppressed_cells": suppressed_cells(published),
    }
    sidecar.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [csv, parquet, sidecar]


def suppressed_cells(frame: pl.DataFrame, /) -> int:
    """Count the cells a ``suppressed`` column names (0 without one).

    Examples
    --------
    >>> suppressed_cells(pl.DataFrame({"suppressed": ["customers,rate", None]}))
    2

    """
    if SUPPRESSED not in frame.columns:
        return 0
    names = frame.get_column(SUPPRESSED).cast(pl.String).str.split(",").list.len()
    return int(names.fill_null(0).sum())


def _suppress_records(records: Any) -> Any:
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return records
    frame = pl.DataFrame(records, infer_schema_length=None)
    return stable_floats(suppress_people(frame)).to_dicts()


def _suppress_tree(spec: Any, renamed: dict[str, str]) -> Any:
    if isinstance(spec, list):
        return [_suppress_tree(item, renamed) for item in spec]
    if not isinstance(spec, dict):
        return spec
    found: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "datasets" and isinstance(value, dict):
            found[key] = {}
            for name, rows in value.items():
                safe = _suppress_records(rows)
                digest = hashlib.sha256(json.dumps(safe, default=str).encode()).hexdigest()
                renamed[name] = f"data-{digest[:32]}"
                found[key][renamed[name]] = safe
        elif key == "data" and isinstance(value, dict) and "values" in value:
            found[key] = {**value, "values": _suppress_records(value["values"])}
        else:
            found[key] = _suppress_tree(value, renamed)
    return found


def _rename_data(spec: Any, renamed: dict[str, str]) -> Any:
    if isinstance(spec, list):
        return [_rename_data(item, renamed) for item in spec]
    if not isinstance(spec, dict):
        return spec
    found = {k: _rename_data(v, renamed) for k, v in spec.items()}
    if isinstance(found.get("name"), str) and found["name"] in renamed:
        found["name"] = renamed[found["name"]]
    return found


def suppress_spec(spec: Any, /) -> Any:
    """Return a Vega-Lite spec whose inline data sets are suppressed like published tables.

    What a chart draws is published (its SVG, PNG, spec, or the notebook output), so its data
    sets go through :func:`suppress_people`. Floats are rounded as in published tables and
    each named data set is renamed after its new content, so the same chart gives the same
    bytes on every run.

    Examples
    --------
    >>> spec = {"datasets": {"d": [{"day": 1, "customers": 4}, {"day": 2, "customers": 40}]}}
    >>> [rows] = suppress_spec(spec)["datasets"].values()
    >>> rows[0]
    {'day': 1, 'customers': None, 'suppressed': 'customers'}

    """
    renamed: dict[str, str] = {}
    return _rename_data(_suppress_tree(spec, renamed), renamed)
