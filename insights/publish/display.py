"""Readable tables for notebooks and rendered reports.

Polars' own HTML shows data types, a shape line and quoted strings: right for exploring, noisy
in a published report. :func:`show` wraps a small frame in an object that Jupyter (and so the
rendered HTML page) displays as a plain table: no quotes, thousands separators, floats rounded.
The frame itself is untouched and stays available as ``.frame``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from insights.errors import ParameterError

__all__ = ["Note", "Table", "say", "show"]

_STYLE = (
    "<style>.insights-table{border-collapse:collapse;font-size:0.9em;margin:0.5em 0}"
    ".insights-table th,.insights-table td{padding:0.25em 0.6em;border-bottom:1px solid #e6e8eb}"
    ".insights-table th{text-align:left;color:#57606a;font-weight:600}"
    ".insights-table td.num{text-align:right;font-variant-numeric:tabular-nums}</style>"
)


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Table:
    """A frame shown as a plain HTML table in Jupyter; ``.frame`` is the data itself."""

    frame: pl.DataFrame
    max_rows: int
    digits: int
    note: str | None = None

    def _repr_html_(self) -> str:
        shown = self.frame.head(self.max_rows)
        numeric = {name for name, dtype in shown.schema.items() if dtype.is_numeric()}
        head = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
        rows = []
        for record in shown.to_dicts():  # at most max_rows rows: presentation only
            cells = "".join(
                f'<td class="{"num" if c in numeric else "txt"}">'
                f"{html.escape(_cell(record[c], self.digits))}</td>"
                for c in shown.columns
            )
            rows.append(f"<tr>{cells}</tr>")
        more = self.frame.height - shown.height
        note = f"<p><em>… and {more:,} more rows</em></p>" if more > 0 else ""
        body = "".join(rows)
        table = f'<table class="insights-table"><thead><tr>{head}</tr></thead>{body}</table>'
        said = f'<p class="insights-note">{html.escape(self.note)}</p>' if self.note else ""
        if self.frame.is_empty():
            return f"{_STYLE}{said}" if said else "<p><em>No rows.</em></p>"
        return f"{_STYLE}{said}{table}{note}"

    def __repr__(self) -> str:
        return repr(self.frame.head(self.max_rows))


def show(
    frame: pl.DataFrame, /, *, max_rows: int = 15, digits: int = 2, note: str | None = None
) -> Table:
    """Display ``frame`` as a readable table in a notebook or rendered report.

    Parameters
    ----------
    frame
        A small result table.
    max_rows
        Rows shown; a line says how many more there are.
    digits
        Decimal places of floats.
    note
        A sentence shown above the table (e.g. from :func:`insights.trending_note`); for an
        empty table it is shown instead of an empty grid.

    Returns
    -------
    Table
        Displays as HTML in Jupyter; ``.frame`` holds ``frame`` unchanged.

    Examples
    --------
    >>> t = show(pl.DataFrame({"place": ["Nori"], "spend": [1234.5]}))
    >>> ">Nori</td>" in t._repr_html_(), "1,234.50" in t._repr_html_()
    (True, True)

    """
    if not isinstance(frame, pl.DataFrame):
        raise ParameterError(f"show() takes a polars DataFrame, not {type(frame).__name__}")
    if max_rows < 1:
        raise ParameterError(f"max_rows must be at least 1, got {max_rows}")
    return Table(frame=frame, max_rows=max_rows, digits=digits, note=note)


@dataclass(frozen=True)
class Note:
    """A sentence shown as a paragraph in Jupyter; ``.text`` is the sentence itself."""

    text: str

    def _repr_html_(self) -> str:
        return f'<p class="insights-note">{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return self.text


def say(text: str, /) -> Note:
    """Display a sentence (e.g. why a section is empty) as a plain paragraph in a report.

    Parameters
    ----------
    text
        The sentence, e.g. from :func:`insights.trending_note`.

    Returns
    -------
    Note
        Displays as an HTML paragraph in Jupyter; ``.text`` holds the sentence.

    Examples
    --------
    >>> say("No place in Leeds passed the bar & none is new.")._repr_html_()
    '<p class="insights-note">No place in Leeds passed the bar &amp; none is new.</p>'

    """
    if not isinstance(text, str):
        raise ParameterError(f"say() takes a sentence (str), not {type(text).__name__}")
    return Note(text=text)
