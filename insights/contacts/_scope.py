"""History up to ``as_of`` restricted to tags (private to :mod:`insights.contacts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from insights._common import local_day
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = ["in_scope"]


def in_scope(contacts: pl.DataFrame, *, as_of: date, tags: Sequence[str], tz: str) -> pl.DataFrame:
    """Contacts up to and including local day ``as_of``, restricted to ``tags`` when given."""
    if isinstance(tags, str):
        raise ParameterError(f"tags must be a list of tag names, not the string {tags!r}")
    scoped = contacts.filter(local_day(tz=tz) <= as_of)
    if tags:
        known = set(contacts.get_column("tag").drop_nulls().unique().to_list())
        unknown = sorted(set(tags) - known)
        if unknown:
            raise ParameterError(
                f"tags {unknown} do not occur in the contacts; known tags: {sorted(known)}"
            )
        scoped = scoped.filter(pl.col("tag").is_in(list(tags)))
    if scoped.height == 0:
        raise InsufficientHistoryError(
            f"no contacts on or before {as_of} (tags={list(tags) or 'all'}); choose a later as_of"
        )
    return scoped
