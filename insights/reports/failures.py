"""Failure records: a redacted one a reader may see, the full detail kept private.

A failed run files two records with the same time stamp:

* ``<out>/_failures/<name>/<slug>-<time>/error.txt|error.json`` (published, listed on the
  index page): what kind of failure, in which step or cell, with which parameters. No
  exception message, traceback or example row reaches it: those may quote data (a contract
  error's example rows hold ``customer_id`` and ``transaction_id``; a gate message names a
  small count). Whatever text it holds is redacted once more (:func:`redact`).
* ``<out>.private/logs/<name>/<slug>-<time>/`` (never published): the full explanation, the
  worker's result and traceback, its log and the executed notebook.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from insights.reports.folders import LOGS, private_root
from insights.reports.privacy_ids import identifier_patterns

__all__ = ["FAILURES", "FailureRecord", "redact", "write_failure"]

FAILURES = "_failures"
NOTEBOOK_FILE = "report.ipynb"
_ID_ASSIGNMENT = re.compile(
    r"\b(\w*_id)\s*(=|:)\s*('[^']*'|\"[^\"]*\"|[^\s,;)\]}]+)", flags=re.IGNORECASE
)
_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+")
REDACTED = "<redacted>"


def redact(text: str, /, *, identifiers: Iterable[str] = ()) -> str:
    """Remove identifiers from ``text``.

    Every ``<something>_id=value``, every value shaped like an identifier a data contract
    declares (:func:`insights.reports.privacy_ids.identifier_patterns`) and every known id.

    Examples
    --------
    >>> redact("row 3: customer_id='c_000042', amount_minor=120, tx tx_1 by c_000042.")
    'row 3: customer_id=<redacted>, amount_minor=120, tx <redacted> by <redacted>.'
    >>> redact("duplicate of cust-7 in contact k_0000012", identifiers={"cust-7"})
    'duplicate of <redacted> in contact <redacted>'

    """
    text = _ID_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    for pattern in identifier_patterns().values():
        text = pattern.sub(REDACTED, text)
    known = frozenset(identifiers)
    if not known:
        return text

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in known:
            return REDACTED
        core = token.strip(".-_")
        return token.replace(core, REDACTED) if core in known else token

    return _TOKEN.sub(swap, text)


@dataclass(frozen=True)
class FailureRecord:
    """Where a failure was filed: the published summary and the private detail."""

    public: Path
    private: Path


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _write_json(path: Path, content: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")


def write_failure(
    out: str | Path,
    /,
    *,
    name: str,
    slug: str,
    summary: str,
    explanation: str,
    public: Mapping[str, Any],
    private: Mapping[str, Any],
    build: Path | None = None,
    identifiers: Iterable[str] = (),
) -> FailureRecord:
    """File a failed run: a redacted summary under ``out``, the full detail outside it.

    Parameters
    ----------
    out
        The published root.
    name, slug
        The report and its parameter slug.
    summary
        What happened, in words safe to publish (no data values).
    explanation
        The full explanation (may quote data): private log only.
    public, private
        Extra fields for the published ``error.json`` and the private one.
    build
        The run's build folder: its executed notebook and worker log go to the private log.
    identifiers
        Known identifiers to redact from the published record.

    """
    stamp = _stamp()
    ids = frozenset(identifiers)
    log = private_root(out) / LOGS / name / f"{slug}-{stamp}"
    log.mkdir(parents=True)
    if build is not None:
        for found in (build / "report" / NOTEBOOK_FILE, build / "worker.log"):
            if found.is_file():
                shutil.copy2(found, log / found.name)
    (log / "error.txt").write_text(explanation + "\n", encoding="utf-8")
    _write_json(log / "error.json", {"explanation": explanation, **public, **private})

    folder = Path(out) / FAILURES / name / f"{slug}-{stamp}"
    folder.mkdir(parents=True)
    safe = redact(summary, identifiers=ids)
    shown = json.loads(redact(json.dumps(dict(public), default=str), identifiers=ids))
    (folder / "error.txt").write_text(safe + "\n", encoding="utf-8")
    _write_json(folder / "error.json", {"explanation": safe, **shown})
    return FailureRecord(public=folder, private=log)
