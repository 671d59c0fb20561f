"""History up to ``as_of`` restricted to tags (private to :mod:`insights.contacts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from insights._common import require_columns
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = ["in_scope", "require_mart"]


def require_mart(frame: object, mart: str, columns: Sequence[str], what: str) -> pl.DataFrame:
    """Check that ``frame`` is the mart ``mart`` (by its columns); raw rows get a how-to."""
    if not isinstance(frame, pl.DataFrame):
        raise ParameterError(
            f"{what} takes the {mart} mart as a polars DataFrame (insights.read_mart); "
            f"got {type(frame).__name__}."
        )
    if "created_at" in frame.columns or "opened_at" in frame.columns:
        raise ParameterError(
            f"{what} takes the {mart} mart, not raw rows: reduce them first (`insights reduce "
            f"DATA_DIR --out MART_DIR`, or insights.reduce_marts(DATA_DIR)) and pass "
            f"insights.read_mart(MART_DIR, {mart!r})."
        )
    require_columns(
        frame, columns, who=what, what=f"the {mart} mart (data_contracts/marts/{mart}.yaml)"
    )
    return frame


def in_scope(contacts: pl.DataFrame, *, as_of: date, tags: Sequence[str]) -> pl.DataFrame:
    """Mart rows up to and including local day ``as_of``, restricted to ``tags`` when given."""
    if isinstance(tags, str):
        raise ParameterError(f"tags must be a list of tag names, not the string {tags!r}")
    scoped = contacts.filter(pl.col("day") <= as_of)
    if tags:
        known = set(contacts.get_column("tag").drop_nulls().unique().to_list())
        unknown = sorted(set(tags) - known)
        if unknown:
            raise ParameterError(
                f"tags {unknown} do not occur in the contacts; known tags: {sorted(known)}"
            )
        scoped = scoped.filter(pl.col("tag").is_in(list(tags)))
    if scoped.height == 0 or scoped.get_column("contacts").sum() == 0:
        raise InsufficientHistoryError(
            f"no contacts on or before {as_of} (tags={list(tags) or 'all'}); choose a later as_of"
        )
    return scoped
