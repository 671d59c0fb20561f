"""Identifiers for the privacy gate: the shapes data contracts declare, and scans for them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import polars as pl

from insights.reports.privacy_violation import Violation

__all__ = ["identifier_patterns"]

_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+")


_WORD = "A-Za-z0-9_"
_SOURCE_CONTRACTS = ("customers", "transactions", "contacts")


def _shape(example: str) -> str | None:
    """Build a regex for values shaped like ``example``: letters and marks kept, digits free.

    ``"c_000123"`` gives ``c_[0-9]+``; an example without digits gives nothing (its shape
    says too little to search for).
    """
    parts = re.findall(r"[0-9]+|[^0-9]+", example)
    if not any(p.isdigit() for p in parts):
        return None
    return "".join("[0-9]+" if p.isdigit() else re.escape(p) for p in parts)


@functools.cache
def identifier_patterns() -> dict[str, re.Pattern[str]]:
    """Return the identifiers the contracts declare, as regexes no published file may match.

    A column with ``classification: restricted`` in ``data_contracts/<source>.yaml`` is an
    identifier. Its pattern is ``customProperties[identifierPattern]`` when given, and
    otherwise the shape of its ``examples`` (digit runs of any length). A match must stand
    alone (no letter, digit or ``_`` either side).

    Examples
    --------
    >>> patterns = identifier_patterns()
    >>> sorted(patterns)
    ['contact_id', 'customer_id', 'transaction_id']
    >>> bool(patterns["transaction_id"].search("refund of tx_0000000042.")), bool(
    ...     patterns["customer_id"].search("abc_000123"))
    (True, False)

    """
    from insights.data.contracts import load_contract  # noqa: PLC0415 - the contracts' loader

    found: dict[str, list[str]] = {}
    for source in _SOURCE_CONTRACTS:
        for column in load_contract(source).columns:
            if column.classification != "restricted":
                continue
            shapes = (
                [column.identifier_pattern]
                if column.identifier_pattern
                else [_shape(str(e)) for e in column.examples]
            )
            found.setdefault(column.name, []).extend(s for s in shapes if s)
    return {
        name: re.compile(rf"(?<![{_WORD}])(?:{'|'.join(sorted(set(shapes)))})(?![{_WORD}])")
        for name, shapes in sorted(found.items())
        if shapes
    }


def _pattern_lines(text: str) -> dict[str, list[int]]:
    """Map each identifier column to the 1-based numbers of the lines holding its shape."""
    found: dict[str, list[int]] = {}
    for name, pattern in identifier_patterns().items():
        if pattern.search(text):
            lines = [n for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
            found[name] = lines
    return found


def _scan_identifiers(text: str, rel: str) -> Iterable[Violation]:
    for name, lines in _pattern_lines(text).items():
        shown = ", ".join(str(n) for n in lines[:5])
        yield Violation(
            rel,
            None,
            f"values shaped like {name} (data contract identifier) on {len(lines)} line(s) "
            f"({shown}); never print, display or write identifiers: aggregate first",
        )


def _id_lines(text: str, ids: frozenset[str], simple: bool) -> list[int]:
    """1-based numbers of the lines holding a customer identifier."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if simple:
            tokens = set(_TOKEN.findall(line))
            # an id may end a sentence ("c_000001.") or be wrapped in punctuation
            hit = bool((tokens | {t.strip(".-_") for t in tokens}) & ids)
        else:
            hit = any(i in line for i in ids)
        if hit:
            found.append(number)
    return found


def _scan_text(text: str, rel: str, ids: frozenset[str], simple: bool) -> Iterable[Violation]:
    lines = _id_lines(text, ids, simple) if ids else []
    if lines:
        shown = ", ".join(str(n) for n in lines[:5])
        yield Violation(
            rel,
            None,
            f"customer identifiers from the input data on {len(lines)} line(s) ({shown}); "
            "never print, display or write customer_id values",
        )


def _scan_paths(text: str, rel: str, machine_paths: Iterable[str]) -> Iterable[Violation]:
    for path in machine_paths:
        if path and path in text:
            yield Violation(
                rel,
                None,
                "holds a machine path (a folder on the computer that rendered it); show data "
                "and output folders by a relative or logical name",
            )
            return


def _scan_parquet(frame: pl.DataFrame, rel: str, ids: frozenset[str]) -> Iterable[Violation]:
    id_list = pl.Series(sorted(ids), dtype=pl.String)
    for column, dtype in frame.schema.items():
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            values = frame.get_column(column).cast(pl.String).drop_nulls().unique()
            for name, lines in _pattern_lines("\n".join(values.to_list())).items():
                yield Violation(
                    rel,
                    column,
                    f"{len(lines)} distinct value(s) are shaped like {name} (data contract "
                    "identifier); aggregate before publishing",
                )
            if not ids:
                continue
            hits = (
                frame.select(pl.col(column).cast(pl.String))
                .with_row_index("row")
                .filter(pl.col(column).is_in(id_list.implode()))
            )
            if hits.height:
                yield Violation(
                    rel,
                    column,
                    f"{hits.height} value(s) are customer identifiers (first in row "
                    f"{hits.item(0, 'row')}); aggregate before publishing",
                )
