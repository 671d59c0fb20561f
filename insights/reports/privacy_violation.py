"""One breach of the privacy gate (:mod:`insights.reports.privacy`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Violation"]


@dataclass(frozen=True)
class Violation:
    """One breach of the privacy gate, phrased for the person who has to fix it."""

    file: str
    column: str | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}, column {self.column}" if self.column else self.file
        return f"{where}: {self.detail}"
