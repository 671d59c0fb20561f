"""Data contracts: the YAML files in ``data_contracts/``, read into :class:`Contract` objects.

The YAML files follow a small subset of the Open Data Contract Standard (ODCS v3), documented in
the README. This module reads them (:func:`load_contract`); :mod:`insights.data.validation`
checks frames against them (:func:`~insights.data.validation.validate`).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from insights.errors import ContractError, ParameterError

__all__ = [
    "CONTRACT_NAMES",
    "ColumnSpec",
    "Contract",
    "contracts_dir",
    "load_contract",
]

CONTRACT_NAMES = ("transactions", "customers", "contacts")

_PHYSICAL: dict[str, pl.DataType] = {
    "string": pl.String(),
    "int64": pl.Int64(),
    "bool": pl.Boolean(),
    "float64": pl.Float64(),
    "date": pl.Date(),
    "timestamp[us, UTC]": pl.Datetime("us", "UTC"),
}


def contracts_dir() -> Path:
    """Return the folder holding the contract YAML files.

    In a checkout this is ``data_contracts/`` at the top of the repository; an installed wheel
    carries a copy inside the package.
    """
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "data_contracts"
    return checkout if checkout.is_dir() else package / "_contracts"


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract, as written in its YAML file."""

    name: str
    physical_type: str
    required: bool
    unique: bool = False
    description: str = ""
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    allowed_values: tuple[str, ...] | None = None
    non_zero: bool = False
    examples: tuple[Any, ...] = ()
    classification: str | None = None
    identifier_pattern: str | None = None

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of the column once loaded."""
        return _PHYSICAL[self.physical_type]


@dataclasses.dataclass(frozen=True)
class Contract:
    """A data contract: dataset name, version, owner, description and its columns."""

    name: str
    version: str
    description: str
    owner: str
    columns: tuple[ColumnSpec, ...]
    path: Path

    @property
    def column_names(self) -> list[str]:
        """Column names in contract order."""
        return [c.name for c in self.columns]

    @property
    def polars_schema(self) -> pl.Schema:
        """The polars schema a valid frame has."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def column(self, name: str) -> ColumnSpec:
        """Return the column called ``name``."""
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise ParameterError(f"contract {self.name!r} has no column {name!r}")


def _custom(prop: Mapping[str, Any]) -> dict[str, Any]:
    return {item["property"]: item["value"] for item in prop.get("customProperties", [])}


def _parse_column(prop: Mapping[str, Any], where: Path) -> ColumnSpec:
    physical = prop.get("physicalType")
    if physical not in _PHYSICAL:
        raise ContractError(
            f"{where}: column {prop.get('name')!r} has physicalType {physical!r}; "
            f"supported: {', '.join(_PHYSICAL)}"
        )
    options = prop.get("logicalTypeOptions", {})
    custom = _custom(prop)
    allowed = custom.get("allowedValues")
    return ColumnSpec(
        name=prop["name"],
        physical_type=physical,
        required=bool(prop.get("required", False)),
        unique=bool(prop.get("unique", False)),
        description=str(prop.get("description", "")).strip(),
        pattern=options.get("pattern"),
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        allowed_values=tuple(allowed) if allowed is not None else None,
        non_zero=bool(custom.get("nonZero", False)),
        examples=tuple(prop.get("examples", ())),
        classification=prop.get("classification"),
        identifier_pattern=custom.get("identifierPattern"),
    )


@functools.cache
def load_contract(name: str | Path) -> Contract:
    """Read a contract from ``data_contracts/<name>.yaml`` (or from a path to a YAML file).

    Examples
    --------
    >>> c = load_contract("transactions")
    >>> c.version, c.column_names[:3]
    ('1.0.0', ['transaction_id', 'customer_id', 'created_at'])

    """
    path = Path(name) if str(name).endswith((".yaml", ".yml")) else contracts_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in contracts_dir().glob("*.yaml"))
        hint = difflib.get_close_matches(str(name), known, n=1)
        did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
        raise ContractError(
            f"no contract {name!r} in {contracts_dir()}; known: {known}.{did_you_mean}"
        )
    doc = yaml.safe_load(path.read_text())
    try:
        table = doc["schema"][0]
        owners = [t["username"] for t in doc.get("team", []) if t.get("role") == "owner"]
        description = doc.get("description", {})
        return Contract(
            name=doc["name"],
            version=str(doc["version"]),
            description=str(description.get("purpose", "")).strip(),
            owner=owners[0] if owners else "",
            columns=tuple(_parse_column(p, path) for p in table["properties"]),
            path=path,
        )
    except (KeyError, IndexError, TypeError) as exc:
        raise ContractError(f"{path}: not a valid ODCS v3 contract ({exc!r} missing)") from exc
