"""The privacy gate every report passes before it is published: default deny.

Every file of the build is checked, whatever wrote it and whatever a notebook declared:

1. **no identifier**: no value shaped like an identifier a data contract declares
   (``classification: restricted``: ``customer_id``, ``transaction_id``, ``contact_id``; see
   :func:`identifier_patterns`) and no customer identifier from the input data in any text
   file (notebook, HTML, CSV, JSON, SVG, ...) or string column of a Parquet file; no machine
   path either;
2. **no small count of people**: every table found — CSV and Parquet files, the data sets
   inside Vega-Lite specs (``.vl.json``), the values SVG charts carry in their ``aria-label``
   text, and every table a notebook cell displays (HTML or text) in ``report.ipynb`` and
   ``report.html`` — is read, and each column :mod:`insights.publish.people` declares a
   people count must hold no value between 1 and ``min_customers - 1``;
3. **nothing recoverable**: in a row where a people count is suppressed (null), the columns
   that reveal it (its rate, share, growth) must be null too; and a row of another table with
   the same keys (e.g. ``unique_id, ds``) as a suppressed row may not publish such a column
   either (the contact-rate chart next to the suppressed history);
4. **nothing undeclared**: a numeric column whose name looks like a count of people but is
   declared neither way fails until it is declared in :mod:`insights.publish.people`.

:func:`gate` returns what it checked (files, tables and their people columns, cells found
suppressed) for the manifest; :func:`check_privacy` returns just the violations.

Its parts: :mod:`~insights.reports.privacy_ids` (rule 1), :mod:`~insights.reports.privacy_prose`
(small counts in alt text), :mod:`~insights.reports.privacy_tables` (finding the tables) and
:mod:`~insights.reports.privacy_checks` (rules 2 to 4 on one table).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from insights.publish.people import SUPPRESSED
from insights.publish.tables import MIN_CUSTOMERS, SIDECAR_SUFFIX
from insights.reports.privacy_checks import _check_table, _Keys
from insights.reports.privacy_ids import (
    _TOKEN,
    _scan_identifiers,
    _scan_parquet,
    _scan_paths,
    _scan_text,
    identifier_patterns,
)
from insights.reports.privacy_prose import _scan_alt_text, small_counts_in_prose
from insights.reports.privacy_tables import _tables_of
from insights.reports.privacy_violation import Violation

__all__ = [
    "GateReport",
    "Violation",
    "check_privacy",
    "gate",
    "identifier_patterns",
    "small_counts_in_prose",
]

_TEXT_SUFFIXES = {".ipynb", ".html", ".htm", ".csv", ".json", ".svg", ".txt", ".md", ".tsv"}


@dataclass
class GateReport:
    """What the gate checked, for the manifest, and what it found."""

    min_customers: int
    files: list[str] = field(default_factory=list)
    tables: dict[str, list[str]] = field(default_factory=dict)
    suppressed_cells: int = 0
    pooled_cells: int = 0
    violations: list[Violation] = field(default_factory=list)
    csv_stems: set[str] = field(default_factory=set, repr=False)

    def summary(self) -> dict[str, Any]:
        """Return the manifest's ``privacy`` record."""
        return {
            "min_customers": self.min_customers,
            "violations": len(self.violations),
            "files_checked": len(self.files),
            "tables_checked": len(self.tables),
            "people_columns": {k: v for k, v in sorted(self.tables.items()) if v},
            "suppressed_cells": self.suppressed_cells,
            "pooled_cells": self.pooled_cells,
            "rules": [
                "no identifier a data contract declares (by the shape of its examples or "
                "its identifierPattern) or from the input data, and no machine path, in any "
                "file",
                f"no people count between 1 and {self.min_customers - 1} in any table, chart "
                "data set, SVG label or displayed notebook table",
                "no value revealing a suppressed count in its row or in a row of another table "
                "with the same keys",
                "every column that looks like a people count is declared",
                f"no alt text (chart descriptions, SVG title and desc, img alt) saying a "
                f"number between 1 and {self.min_customers - 1} next to a people word",
            ],
        }


# --- files ---------------------------------------------------------------------------------


def _declared_extras(root: Path) -> dict[Path, list[str]]:
    extras: dict[Path, list[str]] = {}
    for sidecar in sorted(root.rglob(f"*{SIDECAR_SUFFIX}")):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        stem = sidecar.name.removesuffix(SIDECAR_SUFFIX)
        for suffix in (".parquet", ".csv"):
            extras[sidecar.with_name(stem + suffix)] = list(meta.get("count_columns", []))
    return extras


def _order(path: Path) -> tuple[int, int, str]:
    """Tables with a ``suppressed`` marker first, so cross-table checks know their rows."""
    first = path.suffix == ".parquet" or _has_marker(path)
    return (0 if first else 1, 0 if path.suffix == ".csv" else 1, path.as_posix())


def gate(
    root: str | Path,
    /,
    *,
    customer_ids: frozenset[str],
    min_customers: int = MIN_CUSTOMERS,
    machine_paths: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> GateReport:
    """Check every file under ``root`` against the privacy rules; say what was checked.

    Parameters
    ----------
    root
        The folder a render wrote (executed notebook, HTML, charts, tables).
    customer_ids
        Identifiers that must not appear, from :func:`insights.reports.data.customer_ids`.
    min_customers
        Smallest people count allowed (never below 10).
    machine_paths
        Absolute paths of this machine (build folder, data folder, project) that must not
        appear in any file.
    only
        Check only these files (relative to ``root``), e.g. the manifest written after the
        gate ran on everything else.

    Returns
    -------
    GateReport
        ``violations`` empty when the render may be published.

    """
    root = Path(root)
    floor = max(min_customers, MIN_CUSTOMERS)
    simple = all(_TOKEN.fullmatch(i) for i in customer_ids)
    report = GateReport(min_customers=floor)
    extras = _declared_extras(root)
    keys = _Keys()
    wanted = None if only is None else set(only)
    for path in sorted((p for p in root.rglob("*") if p.is_file()), key=_order):
        if wanted is not None and path.relative_to(root).as_posix() not in wanted:
            continue
        rel = path.relative_to(root).as_posix()
        report.files.append(rel)
        text = None
        if path.suffix.lower() in _TEXT_SUFFIXES:
            text = _with_embedded_svgs(path.read_text(encoding="utf-8", errors="replace"))
            if _UNREADABLE in text:  # default deny: what the gate cannot read is not published
                report.violations.append(
                    Violation(rel, None, "an embedded SVG image is not valid base64 UTF-8")
                )
            report.violations += _scan_text(text, rel, customer_ids, simple)
            report.violations += _scan_identifiers(text, rel)
            report.violations += _scan_alt_text(path, text, rel, floor)
            report.violations += _scan_paths(text, rel, machine_paths)
        if path.suffix.lower() == ".parquet":
            report.violations += _scan_parquet(pl.read_parquet(path), rel, customer_ids)
        for part, frame, kind in _tables_of(path, text):
            if frame.width == 0:
                continue
            where = f"{rel} {part}".strip()
            report.violations += _check_table(
                frame,
                where,
                floor=floor,
                extra=extras.get(path, []),
                report=report,
                keys=keys,
                kind=kind,
            )
    return report


_UNREADABLE = "<!-- an embedded SVG the privacy gate cannot decode -->"
_EMBEDDED_SVG = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def _with_embedded_svgs(text: str) -> str:
    """``text`` followed by every SVG it embeds as a base64 ``data:`` URL, decoded.

    The report page carries its charts (the column and the phone drawings) as
    ``<img src="data:image/svg+xml;base64,...">``: a reader's browser decodes them, so the
    gate reads their labels, titles and descriptions too.
    """
    decoded = []
    for match in _EMBEDDED_SVG.finditer(text):
        try:
            decoded.append(base64.b64decode(match.group(1), validate=True).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError):
            decoded.append(_UNREADABLE)
    return "\n".join([text, *decoded])


def _has_marker(path: Path) -> bool:
    if path.suffix != ".csv":
        return False
    with path.open(encoding="utf-8") as handle:
        return SUPPRESSED in handle.readline().strip().split(",")


def check_privacy(
    root: str | Path,
    /,
    *,
    customer_ids: frozenset[str],
    min_customers: int = MIN_CUSTOMERS,
    machine_paths: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> list[Violation]:
    """Check every file under ``root`` against the privacy rules (see :func:`gate`).

    Returns
    -------
    list of Violation
        Empty when the render may be published.

    """
    return gate(
        root,
        customer_ids=customer_ids,
        min_customers=min_customers,
        machine_paths=machine_paths,
        only=only,
    ).violations
