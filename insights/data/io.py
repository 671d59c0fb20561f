"""Reading data at the door: Parquet or CSV in, a validated polars frame out.

Every loader reads a file, a folder (searched recursively), a glob, or hive-partitioned folders
(``year_month=2025-06/part-0.parquet``), validates every row against its contract in
``data_contracts/`` and returns a frame with exactly the contract's columns and types.

Files are checked **one by one**, so that every message names its file: first the structure
of every file from its footer or header (:func:`check_files`, :func:`file_problems`: missing
columns, naive timestamps, decimal minor units, unreadable or empty files), all problems of
all files reported in one error; then each file's rows. A partition that gains a column, or
is stored in another time zone, is read like the same file alone. Parquet and CSV files in
one folder are both read. Uniqueness is checked across files too. Nothing is renamed or
dropped silently: with ``on_invalid="quarantine"`` the rejected rows are written to a file
with the rule each broke.
"""

from __future__ import annotations

import glob as globlib
import logging
from pathlib import Path
from typing import Literal

import polars as pl

from insights.data import layout
from insights.data.contracts import Contract, load_contract
from insights.data.validation import structural_problems, validate_located
from insights.data.validation_report import EXAMPLES, FILE, ROW, ValidationReport, ValidationResult
from insights.errors import ContractError, ParameterError

__all__ = [
    "check_files",
    "data_files",
    "file_problems",
    "file_schema",
    "load_contacts",
    "load_customers",
    "load_table",
    "load_transactions",
    "read_raw",
    "validate_path",
    "write_transactions",
]

log = logging.getLogger("insights")
OnInvalid = Literal["raise", "quarantine"]
_GLOB_CHARS = ("*", "?", "[")


_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def _hidden(path: Path, root: Path) -> bool:
    """Files a writer leaves beside the data (``_SUCCESS``, ``.crc``, ``.DS_Store``)."""
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def data_files(path: str | Path, /) -> list[Path]:
    """List the data files ``path`` names: a file, a folder (recursively) or a glob.

    Parquet (``.parquet``, ``.pq``) and CSV files are both data, and both are read: a month
    delivered as CSV beside Parquet months is never silently skipped. Other files in a folder
    (``_SUCCESS``, ``README``) are skipped and logged.

    Raises
    ------
    ContractError
        No such path, or no data file in it (the message says what was looked for).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     part = pathlib.Path(d, "year_month=2025-06")
    ...     part.mkdir()
    ...     _ = pathlib.Path(part, "part-0.parquet").write_bytes(b"x")
    ...     _ = pathlib.Path(d, "_SUCCESS").write_text("")
    ...     [p.relative_to(d).as_posix() for p in data_files(d)]
    ['year_month=2025-06/part-0.parquet']

    """
    text = str(path)
    if any(ch in text for ch in _GLOB_CHARS):
        files = sorted(Path(p) for p in globlib.glob(text, recursive=True) if Path(p).is_file())
        others = [f for f in files if f.suffix.lower() not in _FORMATS]
        files = [f for f in files if f.suffix.lower() in _FORMATS]
    elif Path(text).is_dir():
        root = Path(text)
        found = sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p, root))
        files = [f for f in found if f.suffix.lower() in _FORMATS]
        others = [f for f in found if f.suffix.lower() not in _FORMATS]
    elif Path(text).is_file():
        if Path(text).suffix.lower() not in _FORMATS:
            raise ContractError(
                f"{text}: not a data file; expected Parquet (.parquet, .pq) or CSV (.csv)"
            )
        return [Path(text)]
    else:
        raise ContractError(f"{text}: no such file or folder")
    if others:
        shown = ", ".join(str(f) for f in others[:5]) + (" ..." if len(others) > 5 else "")
        log.info("%s: skipped %d file(s) that are not Parquet or CSV: %s", text, len(others), shown)
    if not files:
        raise ContractError(
            f"{text}: no data files found. Looked for *.parquet, *.pq and *.csv, in sub-folders "
            "too (hive partitions such as year_month=2025-06/part-0.parquet are read)."
        )
    return files


def _format(path: Path) -> str:
    return _FORMATS[path.suffix.lower()]


def _hive_keys(path: Path) -> dict[str, str]:
    """``key=value`` folder names on the way to ``path``."""
    return dict(part.split("=", 1) for part in path.parts[:-1] if "=" in part)


def file_schema(path: str | Path, /) -> pl.Schema:
    """Read the columns and types of one data file from its footer (Parquet) or header (CSV).

    CSV columns are all text (values are parsed, and checked, row by row on loading).

    Raises
    ------
    ContractError
        The file is empty (0 bytes) or not readable (a truncated Parquet file, say), naming it.

    """
    file = Path(path)
    if file.stat().st_size == 0:
        raise ContractError(f"{file}: the file is empty (0 bytes); was the export interrupted?")
    try:
        if _format(file) == "csv":
            return pl.read_csv(file, n_rows=0, infer_schema=False).schema
        return pl.Schema(pl.read_parquet_schema(file))
    except (pl.exceptions.PolarsError, OSError) as exc:
        kind = _format(file)
        raise ContractError(
            f"{file}: not a readable {kind} file ({type(exc).__name__}: {exc}). Was it "
            "truncated by an interrupted copy or export? Write it again."
        ) from exc


def file_problems(path: str | Path, /, *, contract: str | Contract) -> list[str]:
    """Every structural problem of one file against a contract, each naming the file.

    Reads only the footer (Parquet) or header (CSV): missing columns, columns of a type that
    cannot hold the contract's values (naive timestamps, decimal minor units, text where
    Parquet should hold a timestamp), an unreadable or empty file. Hive keys in the path that
    are contract columns count as columns. Extra columns are not problems (they are left out).

    Examples
    --------
    >>> import tempfile, pathlib, polars as pl
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d, "tx.parquet")
    ...     pl.DataFrame({"transaction_id": ["t1"], "amount_minor": [1.5]}).write_parquet(f)
    ...     problems = file_problems(f, contract="transactions")
    >>> len(problems), sum("multiply by 100 and round" in p for p in problems)
    (10, 1)

    """
    spec = contract if isinstance(contract, Contract) else load_contract(contract)
    try:
        schema = file_schema(path)
    except ContractError as exc:
        return [str(exc)]
    for key in _hive_keys(Path(path)):
        if key in spec.column_names and key not in schema:
            schema[key] = pl.String()
    return [f"{path}: {problem}" for problem in structural_problems(schema, spec)]


def check_files(paths: list[Path], /, *, contract: str | Contract) -> None:
    """Check every file's structure against a contract; raise once, listing every problem.

    Raises
    ------
    ContractError
        Any file with any problem; the message lists them all, file by file.

    """
    spec = contract if isinstance(contract, Contract) else load_contract(contract)
    problems = [p for f in paths for p in file_problems(f, contract=spec)]
    if problems:
        bad = len({p.split(": ", 1)[0] for p in problems})
        listed = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise ContractError(
            f"{bad} of {len(paths)} file(s) cannot be read as contract {spec.name!r} "
            f"({spec.path.name}); {len(problems)} problem(s):\n{listed}{more}\n"
            "Nothing is renamed or converted silently: fix these files (README, 'Bring your "
            "own data', shows the usual mappings)."
        )


def _read_file(file: Path, spec: Contract | None = None) -> pl.DataFrame:
    """One file as read (CSV as text), with row locators and its hive keys as columns.

    With ``spec``, only the keys that are contract columns are added.
    """
    try:
        if _format(file) == "csv":
            frame = pl.read_csv(file, infer_schema=False)
        else:
            frame = pl.read_parquet(file, hive_partitioning=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ContractError(f"{file}: could not read the file ({exc})") from exc
    keys = {
        k: v
        for k, v in _hive_keys(file).items()
        if (spec is None or k in spec.column_names) and k not in frame.columns
    }
    return frame.with_columns(
        *(pl.lit(v, dtype=pl.String).alias(k) for k, v in keys.items()),
        pl.lit(str(file), dtype=pl.String).alias(FILE),
        pl.int_range(1, pl.len() + 1, dtype=pl.UInt64).alias(ROW),
    )


def read_raw(path: str | Path, /) -> pl.DataFrame:
    """Read data files as they are, with ``source_file`` and ``source_row`` locator columns.

    CSV is read as text (every column a string), so that values that do not parse are reported
    by validation instead of silently becoming null. Parquet keeps its types. Files whose
    columns or types differ are stacked with the common supertype (text when in doubt).

    Parameters
    ----------
    path
        A file, a folder (searched recursively), or a glob such as ``data/tx/*.parquet``.

    Returns
    -------
    pl.DataFrame
        The columns found, plus ``source_file`` (str) and ``source_row`` (1-based row within
        its file).

    """
    files = data_files(path)
    for f in files:
        file_schema(f)
    frames = [_read_file(f) for f in files]
    return pl.concat(frames, how="diagonal_relaxed")


def load_table(
    path: str | Path,
    /,
    *,
    contract: str,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Read and validate any contract's data; the typed loaders below call this.

    Parameters
    ----------
    path
        A Parquet or CSV file, a folder (recursive, hive partitions allowed) or a glob.
    contract
        ``"transactions"``, ``"customers"`` or ``"contacts"`` (``data_contracts/<name>.yaml``).
    on_invalid
        ``"raise"`` (default): any row breaking a rule raises :class:`ContractError` naming the
        file, the contract, each rule with its count and up to five example rows.
        ``"quarantine"``: return the valid rows and write the rejected ones, with the rules each
        broke, to ``<quarantine_dir>/<contract>.rejected.parquet``; the counts are logged.
    quarantine_dir
        Folder for rejected rows (created when needed).

    Returns
    -------
    pl.DataFrame
        Exactly the contract's columns, with its types (timestamps ``Datetime("us", "UTC")``).

    """
    result = _validated(path, contract=contract, on_invalid=on_invalid)
    if result.rejected.height:
        out = Path(quarantine_dir)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{contract}.rejected.parquet"
        result.rejected.write_parquet(target)
        log.warning(
            "%s: quarantined %s of %s rows to %s\n%s",
            path,
            f"{result.rejected.height:,}",
            f"{result.report.rows:,}",
            target,
            result.report,
        )
    return result.valid


def _validated(path: str | Path, /, *, contract: str, on_invalid: OnInvalid) -> ValidationResult:
    if on_invalid not in ("raise", "quarantine"):
        raise ParameterError(f"on_invalid must be 'raise' or 'quarantine', not {on_invalid!r}")
    spec = load_contract(contract)
    files = data_files(path)
    check_files(files, contract=spec)  # every structural problem of every file, at once
    results = []
    for file in files:
        raw = _read_file(file, spec)
        if raw.height:
            results.append(
                validate_located(raw, contract=spec, source=str(file), on_invalid="quarantine")
            )
    if not results:
        raise ContractError(
            f"{path}: no rows in {len(files)} file(s). Contract {spec.name!r} expects data; "
            "check the path and that the export finished."
        )
    result = _combined(results, spec, source=str(path))
    if not result.report.ok and on_invalid == "raise":
        raise ContractError(str(result.report), result.report)
    return result


def _combined(results: list[ValidationResult], spec: Contract, *, source: str) -> ValidationResult:
    """One result from per-file results, with uniqueness checked across files too."""
    valid = pl.concat([r.valid for r in results], how="vertical")
    rejected = [r.rejected for r in results]
    cross = []
    if len(results) > 1:
        for column in (c.name for c in spec.columns if c.unique):
            twice = valid.get_column(column).is_duplicated()
            if twice.any():
                dup = valid.filter(twice)
                cross.append(
                    dup.select(
                        ROW,
                        FILE,
                        *[pl.col(c).cast(pl.String) for c in spec.column_names],
                        pl.lit(f"{column}: unique").alias("rules"),
                    )
                )
                valid = valid.filter(~twice)
    rejected_all = pl.concat(
        [r.select(ROW, FILE, *spec.column_names, "rules") for r in [*rejected, *cross]],
        how="vertical_relaxed",
    )
    failures = (
        rejected_all.select(pl.col("rules").str.split("; ").alias("rule"))
        .explode("rule")
        .group_by("rule", maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("rows"))
    )
    found: dict[str, dict[str, int]] = {}
    for r in results:
        for column, values in r.report.found_values:
            for value, rows in values:
                found.setdefault(column, {})
                found[column][value] = found[column].get(value, 0) + rows
    report = ValidationReport(
        contract=spec,
        source=source,
        rows=sum(r.report.rows for r in results),
        valid_rows=valid.height,
        failures=failures,
        examples=rejected_all.head(EXAMPLES).select(FILE, ROW, "rules", *spec.column_names),
        ignored_columns=tuple(dict.fromkeys(c for r in results for c in r.report.ignored_columns)),
        found_values=tuple(
            (c, tuple(sorted(v.items(), key=lambda kv: (-kv[1], kv[0])))) for c, v in found.items()
        ),
    )
    return ValidationResult(valid=valid.drop(ROW, FILE), rejected=rejected_all, report=report)


def validate_path(path: str | Path, /, *, contract: str) -> ValidationReport:
    """Validate a file, folder or glob and return the report (never raises on bad rows).

    Used by ``insights validate``. Structural problems (missing columns, unreadable or empty
    files, naive timestamp columns) still raise :class:`ContractError`.
    """
    return _validated(path, contract=contract, on_invalid="quarantine").report


def load_transactions(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load card transactions satisfying ``data_contracts/transactions.yaml``.

    Returns ``transaction_id, customer_id, created_at (UTC), amount_minor (Int64), currency,
    merchant_id, merchant_name, merchant_group_id, merchant_category, merchant_city,
    is_online``. See :func:`load_table` for ``path``, ``on_invalid`` and ``quarantine_dir``.
    """
    return load_table(
        path, contract="transactions", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )


def load_customers(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load customer accounts satisfying ``data_contracts/customers.yaml``.

    Returns ``customer_id, opened_at (UTC), closed_at (UTC, nullable), home_city``.
    See :func:`load_table` for the options.
    """
    return load_table(
        path, contract="customers", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )


def load_contacts(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load support conversations satisfying ``data_contracts/contacts.yaml``.

    Returns ``contact_id, customer_id, created_at (UTC), channel, tag, handle_time_seconds``.
    See :func:`load_table` for the options.
    """
    return load_table(
        path, contract="contacts", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )


def write_transactions(tx: pl.DataFrame, data_dir: str | Path, /) -> list[Path]:
    """Write transactions in the raw layout the reduce reads, one file per UTC month.

    ``<data_dir>/transactions/year_month=YYYY-MM/part-0.parquet`` (see
    :mod:`insights.data.layout`); ``part-*.parquet`` files already in the folders written to
    are replaced, other months are left alone.

    Returns
    -------
    list of Path
        The files written, oldest month first.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> tx = pl.DataFrame({"created_at": [datetime(2025, 6, 30, 23, 30, tzinfo=timezone.utc)]})
    >>> [p.parent.name for p in write_transactions(tx, tempfile.mkdtemp())]
    ['year_month=2025-06']

    """
    month = pl.col("created_at").dt.convert_time_zone("UTC").dt.strftime("%Y-%m")
    parts = tx.with_columns(month.alias(layout.PARTITION_KEY)).partition_by(
        layout.PARTITION_KEY, as_dict=True, include_key=False, maintain_order=True
    )
    written = []
    for (key,), part in sorted(parts.items(), key=lambda kv: str(kv[0][0])):
        folder = layout.month_dir(data_dir, str(key))
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("part-*.parquet"):
            stale.unlink()
        part.write_parquet(folder / "part-0.parquet")
        written.append(folder / "part-0.parquet")
    return written
