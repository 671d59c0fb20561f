"""The marts: the reduced tables the reports read, declared once, checked on write and on read.

Every mart has a contract, ``data_contracts/marts/<name>.yaml`` (the ODCS subset of the raw
contracts plus ``primaryKey`` for the grain's key, ``countsPeople`` for columns counting
distinct people, and ``grain`` / ``source`` / ``partitionedBy`` at table level). This module
reads those contracts into :class:`Mart` records, fixes the folder layout, and checks frames
against them.

::

    source        mart                    grain (key)                           counts people
    transactions  merchant_monthly        merchant_id × month                   customers,
                                                                                repeat_customers
                  category_daily          merchant_category × merchant_city     customers
                                          × day
                  group_daily             merchant_group_id × day               customers
                  city_monthly            merchant_city × month                 customers
                  total_monthly           month                                 customers
                  active_customers_daily  day                                   active_customers
    contacts      contacts_daily          day × channel × tag                   customers
                  channel_daily           day × channel                         customers
                  contact_intervals       day × channel × tag × minute          -
    customers     accounts_daily          day                                   open_accounts,
                                                                                signups, closures

Days and months are local calendar days and months (the manifest's ``tz``); a null
``merchant_city`` means online merchants, a null ``tag`` untagged contacts.

Layout of a mart folder (written only by :func:`insights.reduce.pipeline.write_marts`)::

    MART_DIR/manifest.json                                 what is current: files, inputs, tz
    MART_DIR/<mart>/month=YYYY-MM/part-<run>.parquet      one file per mart and local month

Readers go through ``manifest.json`` (:func:`read_mart`): a re-run writes new files under new
names and switches the manifest atomically, so a reader sees the old marts or the new ones,
never a mix.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from insights.data import layout
from insights.data.contracts import Contract, contracts_dir, load_contract
from insights.errors import ContractError, ParameterError
from insights.reduce.aggregates import (
    active_customers_daily,
    category_daily,
    city_monthly,
    group_daily,
    merchant_monthly,
    total_monthly,
)
from insights.reduce.contacts import (
    accounts_daily,
    channel_daily,
    contact_intervals,
    contacts_daily,
)

__all__ = [
    "MANIFEST",
    "MART_FUNCTIONS",
    "MART_NAMES",
    "Mart",
    "check_mart",
    "empty_mart",
    "mart",
    "mart_contract_path",
    "mart_currencies",
    "mart_currency",
    "mart_definitions_hash",
    "mart_files",
    "read_manifest",
    "read_mart",
]

#: The function computing each mart from a frame of its source (any engine narwhals reads),
#: in the order the marts are written and listed. A mart is named after its function.
MART_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    function.__name__: function
    for function in (
        merchant_monthly,
        category_daily,
        group_daily,
        city_monthly,
        total_monthly,
        active_customers_daily,
        contacts_daily,
        channel_daily,
        contact_intervals,
        accounts_daily,
    )
}
#: Every mart, in the order they are written and listed.
MART_NAMES = tuple(MART_FUNCTIONS)
#: The manifest file of a mart folder.
MANIFEST = "manifest.json"
#: Manifest format; a folder written by another format is rebuilt, not patched.
MANIFEST_FORMAT = 1
_EXAMPLES = 5


@dataclasses.dataclass(frozen=True)
class Mart:
    """A mart as its contract declares it.

    Attributes
    ----------
    name
        File-safe name, e.g. ``"merchant_monthly"``.
    source
        The raw contract it is reduced from: ``"transactions"``, ``"contacts"`` or
        ``"customers"``.
    grain
        What one row is, in words.
    keys
        The grain's key columns, in order (unique together; nulls count as a value).
    people
        Columns counting distinct people (the privacy rule applies to them).
    period
        The date column (``"day"`` or ``"month"``) whose local month partitions the mart.
    contract
        The parsed contract (columns, types, rules).

    """

    name: str
    source: str
    grain: str
    keys: tuple[str, ...]
    people: tuple[str, ...]
    period: str
    contract: Contract

    @property
    def schema(self) -> pl.Schema:
        """The exact polars schema of the mart (column order included)."""
        return self.contract.polars_schema

    @property
    def columns(self) -> list[str]:
        """Column names in contract order."""
        return self.contract.column_names


def mart_contract_path(name: str, /) -> Path:
    """Return the contract file of mart ``name``: ``data_contracts/marts/<name>.yaml``."""
    return contracts_dir() / "marts" / f"{name}.yaml"


def _unknown(name: object) -> ParameterError:
    close = difflib.get_close_matches(str(name), MART_NAMES, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ParameterError(f"no mart called {name!r}; marts: {', '.join(MART_NAMES)}.{hint}")


@functools.cache
def mart(name: str, /) -> Mart:
    """Return the :class:`Mart` called ``name``, read from its contract.

    Raises
    ------
    ParameterError
        If there is no such mart.
    ContractError
        If its contract lacks the mart fields (key, grain, source, partitionedBy).

    Examples
    --------
    >>> m = mart("merchant_monthly")
    >>> m.keys, m.people, m.period
    (('merchant_id', 'month'), ('customers', 'repeat_customers'), 'month')

    """
    if name not in MART_NAMES:
        raise _unknown(name)
    path = mart_contract_path(name)
    contract = load_contract(path)
    doc = yaml.safe_load(path.read_text())
    table = doc["schema"][0]
    custom = {item["property"]: item["value"] for item in table.get("customProperties", [])}
    props = table["properties"]
    keyed = sorted(
        (int(p.get("primaryKeyPosition", 0)), p["name"]) for p in props if p.get("primaryKey")
    )
    people = tuple(
        p["name"]
        for p in props
        if any(
            c.get("property") == "countsPeople" and c.get("value")
            for c in p.get("customProperties", [])
        )
    )
    missing = [k for k in ("grain", "source", "partitionedBy") if k not in custom]
    if missing or not keyed:
        what = missing + ([] if keyed else ["primaryKey columns"])
        raise ContractError(
            f"{path}: a mart contract needs {', '.join(what)} (see README.md#marts); add them."
        )
    return Mart(
        name=name,
        source=str(custom["source"]),
        grain=str(custom["grain"]),
        keys=tuple(k for _, k in keyed),
        people=people,
        period=str(custom["partitionedBy"]),
        contract=contract,
    )


def mart_definitions_hash() -> str:
    """Return a hash of every mart contract: a change of definition invalidates written marts."""
    digest = hashlib.sha256()
    for name in MART_NAMES:
        digest.update(name.encode())
        digest.update(mart_contract_path(name).read_bytes())
    return digest.hexdigest()


def empty_mart(name: str, /) -> pl.DataFrame:
    """Return an empty frame with the schema of mart ``name``.

    Examples
    --------
    >>> empty_mart("total_monthly").columns
    ['month', 'customers', 'payments', 'spend_minor']

    """
    return pl.DataFrame(schema=mart(name).schema)


# --- checks ---------------------------------------------------------------------------------


def _rule_flags(m: Mart, frame: pl.DataFrame) -> dict[str, pl.Expr]:
    """One boolean expression per rule: True where a row breaks it."""
    flags: dict[str, pl.Expr] = {}
    for spec in m.contract.columns:
        column = pl.col(spec.name)
        if spec.required:
            flags[f"{spec.name}: required (no nulls)"] = column.is_null()
        if spec.minimum is not None:
            flags[f"{spec.name}: minimum {spec.minimum}"] = column < spec.minimum
        if spec.maximum is not None:
            flags[f"{spec.name}: maximum {spec.maximum}"] = column > spec.maximum
        if spec.allowed_values is not None:
            allowed = list(spec.allowed_values)
            flags[f"{spec.name}: allowed values ({', '.join(allowed)})"] = (
                column.is_not_null() & ~column.is_in(allowed)
            )
    if frame.height:
        flags[f"key ({', '.join(m.keys)}): unique"] = pl.struct(m.keys).is_duplicated()
    return flags


def check_mart(frame: pl.DataFrame, name: str, /, *, source: str = "<frame>") -> pl.DataFrame:
    """Check ``frame`` against the contract of mart ``name``; return it unchanged if it passes.

    Stricter than the raw loaders and much cheaper: the columns and types must be exactly the
    contract's (no coercion: marts are written by this library), then every rule (required,
    minimum, maximum, allowed values, the grain's key unique) is checked over every row in one
    pass.

    Parameters
    ----------
    frame
        A polars DataFrame.
    name
        A mart name (one of :data:`MART_NAMES`).
    source
        Where the frame came from, for the message.

    Returns
    -------
    pl.DataFrame
        ``frame`` itself.

    Raises
    ------
    ContractError
        Wrong columns or types, or rows breaking a rule: counts per rule and example rows.

    Examples
    --------
    >>> from datetime import date
    >>> check_mart(
    ...     pl.DataFrame(
    ...         {"day": [date(2025, 9, 1)] * 2, "active_customers": [3, 4]},
    ...         schema_overrides={"active_customers": pl.Int64},
    ...     ),
    ...     "active_customers_daily",
    ... )
    Traceback (most recent call last):
    ...
    insights.errors.ContractError: <frame>: mart 'active_customers_daily' ... 1 rule(s) ...

    """
    m = mart(name)
    if not isinstance(frame, pl.DataFrame):
        raise ParameterError(
            f"{source}: check_mart takes a polars DataFrame, got {type(frame).__name__}."
        )
    if frame.schema != m.schema:
        want = ", ".join(f"{c} {t}" for c, t in m.schema.items())
        got = ", ".join(f"{c} {t}" for c, t in frame.schema.items())
        raise ContractError(
            f"{source}: mart {name!r} ({mart_contract_path(name).name}) must have exactly the "
            f"columns [{want}]; got [{got}]. Marts are written by `insights reduce`: re-run it "
            "rather than editing mart files."
        )
    flags = _rule_flags(m, frame)
    if not flags or frame.height == 0:
        return frame
    named = [expr.alias(f"_rule{i}") for i, expr in enumerate(flags.values())]
    broken = frame.select(*named)
    counts = broken.sum().row(0)
    if not any(counts):
        return frame
    labels = list(flags)
    failing = [(labels[i], n) for i, n in enumerate(counts) if n]
    any_broken = pl.any_horizontal(pl.all())
    examples = frame.filter(broken.select(any_broken).to_series()).head(_EXAMPLES)
    lines = [
        f"{source}: mart {name!r} ({mart_contract_path(name).name}): {len(failing)} rule(s) "
        f"broken in {frame.height:,} rows.",
        *(f"  {label}: {n:,} rows" for label, n in failing),
        f"Example rows (up to {_EXAMPLES}):",
        *(f"  {row}" for row in examples.to_dicts()),
        "Marts are written by `insights reduce` from validated data; re-run it (a bug in the "
        "reduce or an edited file is the likely cause).",
    ]
    raise ContractError("\n".join(lines))


# --- reading --------------------------------------------------------------------------------


def read_manifest(mart_dir: str | Path, /) -> dict[str, Any]:
    """Read ``MART_DIR/manifest.json``: which files make up each mart, inputs, time zone.

    Raises
    ------
    ParameterError
        If the folder holds no manifest (it is not a mart folder: run ``insights reduce``).
    ContractError
        If the manifest cannot be read or was written by another manifest format.

    """
    folder = Path(mart_dir)
    path = folder / MANIFEST
    if not path.is_file():
        hint = (
            f" It looks like raw data: run `insights reduce {folder} --out MART_DIR` and use "
            "MART_DIR."
            if layout.transactions_dir(folder).is_dir() or layout.contacts_path(folder).is_file()
            else " Run `insights reduce DATA_DIR --out MART_DIR` to write one."
        )
        raise ParameterError(f"{folder} is not a mart folder: it has no {MANIFEST}.{hint}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(
            f"{path}: not a readable mart manifest ({exc}); re-run `insights reduce`."
        ) from exc
    if manifest.get("format") != MANIFEST_FORMAT:
        raise ContractError(
            f"{path}: manifest format {manifest.get('format')!r}, this version reads "
            f"{MANIFEST_FORMAT}; re-run `insights reduce` to rewrite the marts."
        )
    return manifest


def _read_file(path: Path, expected_bytes: int | None) -> pl.DataFrame:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContractError(
            f"{path}: listed in the mart manifest but missing ({exc}); re-run `insights reduce`."
        ) from exc
    if expected_bytes is not None and size != expected_bytes:
        raise ContractError(
            f"{path}: {size:,} bytes, the mart manifest recorded {expected_bytes:,}; the file "
            "changed after the reduce (truncated or overwritten). Re-run `insights reduce`."
        )
    try:
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ContractError(
            f"{path}: not readable as Parquet ({exc}); re-run `insights reduce`."
        ) from exc


def mart_files(
    manifest: Mapping[str, Any], mart_dir: Path, name: str, /
) -> list[tuple[Path, int | None]]:
    """Return the files of mart ``name`` listed in ``manifest`` with their recorded sizes."""
    marts = manifest.get("marts", {})
    if name not in marts:
        present = ", ".join(sorted(marts)) or "none"
        raise ParameterError(
            f"{mart_dir}: the manifest has no mart {name!r} (marts written: {present}); "
            f"run `insights reduce DATA_DIR --out {mart_dir}` with the data it needs."
        )
    months: Mapping[str, Any] = marts[name].get("months", {})
    return [
        (mart_dir / entry["path"], entry.get("bytes"))
        for _, entry in sorted(months.items())
        if entry.get("path")
    ]


def read_mart(
    mart_dir: str | Path,
    name: str,
    /,
    *,
    months: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read mart ``name`` from a mart folder, checked against its contract.

    Parameters
    ----------
    mart_dir
        A folder written by ``insights reduce DATA_DIR --out MART_DIR``.
    name
        One of :data:`MART_NAMES`.
    months
        Only these local months (``"YYYY-MM"``); ``None`` for all.

    Returns
    -------
    pl.DataFrame
        Exactly the columns and types of ``data_contracts/marts/<name>.yaml``, in local-month
        order (empty with those columns when the mart has no rows).

    Raises
    ------
    ParameterError
        Not a mart folder, or the mart was not written there.
    ContractError
        A file is missing, changed since the reduce, unreadable, or breaks the contract
        (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> read_mart(tempfile.mkdtemp(), "merchant_monthly")
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: ... is not a mart folder: it has no manifest.json. ...

    """
    if name not in MART_NAMES:
        raise _unknown(name)
    folder = Path(mart_dir)
    manifest = read_manifest(folder)
    files = mart_files(manifest, folder, name)
    if months is not None:
        wanted = {f"month={m}" for m in months}
        files = [(p, b) for p, b in files if p.parent.name in wanted]
    frames = []
    for path, expected in files:
        frames.append(check_mart(_read_file(path, expected), name, source=str(path)))
    if not frames:
        return empty_mart(name)
    return pl.concat(frames, how="vertical")


def mart_currency(mart_dir: str | Path, /) -> str:
    """Return the currency of the amounts in a mart folder's transaction marts.

    The reduce keeps the transactions in the most common currency of the data (amounts in
    different currencies cannot be added up) and records it in the manifest.

    Raises
    ------
    ParameterError
        Not a mart folder, or one reduced without transactions.

    """
    folder = Path(mart_dir)
    source = read_manifest(folder).get("sources", {}).get("transactions", {})
    if "currency" not in source:
        raise ParameterError(
            f"{folder}: the marts were reduced without transactions; reduce a data folder "
            "with transactions/ (`insights reduce DATA_DIR --out MART_DIR`)."
        )
    return str(source["currency"])


def mart_currencies(mart_dir: str | Path, /) -> pl.DataFrame:
    """Rows of raw transactions per currency behind a mart folder (from its manifest).

    Returns
    -------
    pl.DataFrame
        ``currency``, ``rows`` (Int64), most rows first: what
        :func:`insights.currency_note` needs to say what was left out.

    """
    folder = Path(mart_dir)
    mart_currency(folder)
    counts = read_manifest(folder)["sources"]["transactions"].get("currencies", {})
    return pl.DataFrame(
        {"currency": list(counts), "rows": list(counts.values())},
        schema={"currency": pl.String, "rows": pl.Int64},
    ).sort("rows", "currency", descending=[True, False])
