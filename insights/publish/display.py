"""Reader tables for notebooks and rendered reports, drawn by great_tables.

Polars' own HTML shows data types, a shape line, quoted strings, snake_case names, internal
ids and money in pence: right for exploring, noisy in a published report. :func:`show` wraps a
small result table in an object that Jupyter (and so the rendered report) displays for people:

* human column labels (``repeat_customers`` → "Repeat customers", ``spend_minor`` → "Spend");
* money from minor units in the data's currency (``65789818`` pence → "£657,898"), percent
  changes with a sign and ``%``, ratios as ``2.8×``, counts as integers, dates as "1 Sep 2025";
* identifier columns (``*_id``) hidden, a month column that is the same on every row moved
  into a note above the table, category codes written as words ("Eating out");
* suppressed cells (fewer than 10 customers, see :func:`insights.suppress_small`) marked
  ``<10`` with a note saying why; other empty cells ``–``;
* wide tables scroll sideways inside their box with a visible cue, and long ones say how many
  rows follow with a link to the full CSV beside the report.

The frame, suppressed like a published table (what a report displays is published), stays
available as ``.frame``.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from insights.errors import ParameterError

__all__ = ["Findings", "Note", "Table", "column_label", "say", "show"]

#: Column labels a reader understands; other names are written out from snake_case.
LABELS = {
    "merchant_name": "Place",
    "merchant_city": "City",
    "merchant_category": "Category",
    "merchant_group_id": "Brand",
    "brand": "Brand",
    "rank": "Rank",
    "customers": "Customers",
    "repeat_customers": "Repeat customers",
    "baseline_repeat": "Usual repeat customers",
    "expected_repeat": "Expected repeat customers",
    "growth": "Growth vs expected",
    "repeat_rate": "Repeat rate",
    "spend_minor": "Spend",
    "spend_minor_last_year": "Spend last year",
    "customers_last_year": "Customers last year",
    "spend_growth_pct": "Spend change",
    "customers_growth_pct": "Customers change",
    "change_on_month_pct": "Change on month",
    "change_on_year_pct": "Change on year",
    "this_month": "This month",
    "last_month": "Last month",
    "last_year": "Same month last year",
    "metric": "Measure",
    "jump_pct": "Jump vs usual",
    "first_month": "First month",
    "unique_id": "Channel",
    "series": "Series",
    "signups": "Sign-ups",
    "ds": "Date",
    "day": "Day",
    "y": "Value",
    "mase": "Error vs naive (MASE)",
    "coverage_80": "In 80% interval",
    "coverage_95": "In 95% interval",
    # forecast tracking (insights.forecast_accuracy)
    "horizon_week": "Week ahead",
    "forecasts": "Forecasts scored",
    "n_days": "Days scored",
    "band_lo_80": "80% band: low",
    "band_hi_80": "80% band: high",
    "band_lo_95": "95% band: low",
    "band_hi_95": "95% band: high",
    "drift_80": "80% drifted",
    "drift_95": "95% drifted",
    "drift": "Coverage drifted",
}
#: People counts: a null here is a suppressed small group (fewer than 10 customers).
_COUNT_WORDS = ("customers", "payments", "contacts", "accounts", "agents", "days")
_CODE_COLUMNS = frozenset({"merchant_category", "metric", "status", "unique_id", "series", "model"})
_MONEY_METRICS = frozenset({"spend", "spend_minor", "refunds", "refund_minor"})
#: ISO 4217 currencies without minor units (publish is upstream of spending.locale, which
#: holds the same list for charts).
_NO_MINOR = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF", "UGX", "PYG"})
_WIDE = 6  # visible columns from which a table gets a "scroll sideways" cue
_STYLE = (
    "<style>"
    ".insights-table-box{overflow-x:auto;max-width:100%;"
    "background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)),"
    "linear-gradient(to right,rgba(255,255,255,0),#fff 70%) 100% 0,"
    "radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.18),rgba(0,0,0,0)),"
    "radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.18),rgba(0,0,0,0)) 100% 0;"
    "background-repeat:no-repeat;background-size:40px 100%,40px 100%,14px 100%,14px 100%;"
    "background-attachment:local,local,scroll,scroll}"
    ".insights-table-box .gt_table{background-color:transparent!important}"
    ".insights-note{margin:0.5em 0}"
    ".insights-table-more,.insights-table-cue{color:#57606a;font-size:0.9em;margin:0.25em 0}"
    "</style>"
)


def column_label(name: str, /) -> str:
    """Return the reader's label of a result column.

    Examples
    --------
    >>> column_label("repeat_customers"), column_label("spend_minor"), column_label("n_new")
    ('Repeat customers', 'Spend', 'N new')

    """
    if name in LABELS:
        return LABELS[name]
    words = name.replace("_minor", "").removesuffix("_pct").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _words(value: str) -> str:
    text = value.removesuffix("_minor").replace("_", " ")
    return text[:1].upper() + text[1:]


def _is_count(name: str) -> bool:
    return (
        name in {"customers", "payments", "contacts"}
        or name.endswith(tuple(f"_{w}" for w in _COUNT_WORDS))
        or (name.startswith(tuple(f"{w}_" for w in _COUNT_WORDS)) and not name.endswith("_pct"))
    )


def _hidden(name: str) -> bool:
    return (name.endswith("_id") and name != "unique_id") or name in {
        "id",
        "currency",
        "suppressed",
    }


def _prepared(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Dates as words, codes as words, a constant month lifted into a note."""
    notes: list[str] = []
    out = frame
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            column = frame.get_column(name).drop_nulls()
            monthly = column.len() > 0 and bool((column.dt.day() == 1).all())
            if monthly and "month" in name and column.n_unique() == 1 and frame.height > 1:
                notes.append(f"{column_label(name)}: {column[0]:%B %Y}.")
                out = out.drop(name)
                continue
            fmt = "%B %Y" if monthly and "month" in name else "%-d %b %Y"
            out = out.with_columns(pl.col(name).dt.strftime(fmt))
        elif name in _CODE_COLUMNS and dtype == pl.String:
            out = out.with_columns(
                pl.col(name).str.replace(r"_minor$", "").str.replace_all("_", " ").alias(name)
            ).with_columns(
                pl.col(name).str.slice(0, 1).str.to_uppercase() + pl.col(name).str.slice(1)
            )
    return out, notes


def _money_rows(frame: pl.DataFrame) -> list[int]:
    """Rows of a measures table (a ``metric`` column) that hold money."""
    if "metric" not in frame.columns:
        return []
    return (
        frame.with_row_index("_i")
        .filter(pl.col("metric").is_in(sorted(_MONEY_METRICS)))["_i"]
        .to_list()
    )


@dataclass(frozen=True)
class Table:
    """A frame shown as a reader table in Jupyter; ``.frame`` is the data itself."""

    frame: pl.DataFrame
    max_rows: int
    digits: int
    note: str | None = None
    currency: str = "GBP"
    columns: tuple[str, ...] = field(default_factory=tuple)
    csv: str | None = None

    def _gt(self, shown: pl.DataFrame) -> Any:
        from great_tables import GT  # noqa: PLC0415 - heavy; only when a table is displayed

        money_rows = _money_rows(shown)
        suppressed = shown.get_column("suppressed") if "suppressed" in shown.columns else None
        prepared, notes = _prepared(shown)
        visible = [c for c in prepared.columns if not _hidden(c)]
        digest = hashlib.sha1(prepared.write_csv().encode("utf-8")).hexdigest()[:10]
        table = GT(prepared.select(visible), id=f"insights-{digest}")
        table = table.cols_label(cases={c: column_label(c) for c in visible})
        scale = 1.0 if self.currency.upper() in _NO_MINOR else 0.01
        counts = [c for c in visible if _is_count(c)]
        marked = False
        for name in visible:
            dtype = prepared.schema[name]
            if not dtype.is_numeric():
                continue
            if "_minor" in name:
                table = table.fmt_currency(name, currency=self.currency, decimals=0, scale_by=scale)
            elif name.endswith("_pct"):
                table = table.fmt_number(name, decimals=0, force_sign=True, pattern="{x}%")
            elif name == "growth" or name.startswith("ratio"):
                table = table.fmt_number(name, decimals=1, pattern="{x}×")
            elif name in counts or dtype.is_integer() or name in {"rank", "baseline_repeat"}:
                table = table.fmt_integer(name)
            elif "share" in name or (name.split("_")[-1] == "rate" and name != "rate"):
                table = table.fmt_percent(name, decimals=0)
            else:
                table = table.fmt_number(name, decimals=self.digits)
        if money_rows:
            values = [c for c in visible if prepared.schema[c].is_numeric() and "pct" not in c]
            table = table.fmt_currency(
                values, rows=money_rows, currency=self.currency, decimals=0, scale_by=scale
            )
        nulls = [c for c in counts if prepared.get_column(c).null_count()]
        if nulls:
            table = table.sub_missing(nulls, missing_text="<10")
            marked = True
        if suppressed is not None and suppressed.null_count() < suppressed.len():
            marked = True
        others = [c for c in visible if c not in nulls]
        if others:
            table = table.sub_missing(others, missing_text="–")
        if marked:
            table = table.tab_source_note(
                "<10 or – in a row: fewer than 10 customers, hidden to protect their privacy."
            )
        table = table.opt_table_font(stack="system-ui").tab_options(
            table_font_size="15px", table_width="100%", container_width="100%"
        )
        return table, notes, len(visible)

    def _repr_html_(self) -> str:
        said = f'<p class="insights-note">{html.escape(self.note)}</p>' if self.note else ""
        if self.frame.is_empty():
            return f"{_STYLE}{said}" if said else '<p class="insights-note">No rows.</p>'
        frame = self.frame.select(self.columns) if self.columns else self.frame
        shown = frame.head(self.max_rows)
        table, notes, width = self._gt(shown)
        lifted = "".join(f'<p class="insights-note">{html.escape(n)}</p>' for n in notes)
        cue = (
            '<p class="insights-table-cue">Wide table: scroll sideways to see every column.</p>'
            if width >= _WIDE
            else ""
        )
        more = self.frame.height - shown.height
        link = (
            f' <a href="{html.escape(self.csv)}">Download the full table (CSV)</a>.'
            if self.csv
            else ""
        )
        tail = (
            f'<p class="insights-table-more">Showing {shown.height:,} of '
            f"{self.frame.height:,} rows.{link}</p>"
            if more > 0
            else (f'<p class="insights-table-more">{link.strip()}</p>' if link else "")
        )
        body = table.as_raw_html(inline_css=False)
        return f'{_STYLE}{said}{lifted}{cue}<div class="insights-table-box">{body}</div>{tail}'

    def __repr__(self) -> str:
        return repr(self.frame.head(self.max_rows))


def show(
    frame: pl.DataFrame,
    /,
    *,
    max_rows: int = 15,
    digits: int = 2,
    note: str | None = None,
    columns: Sequence[str] = (),
    currency: str = "GBP",
    csv: str | None = None,
) -> Table:
    """Display ``frame`` as a reader table in a notebook or rendered report.

    Parameters
    ----------
    frame
        A small result table (a pandas frame is converted).
    max_rows
        Rows shown; a line says how many more there are.
    digits
        Decimal places of other floats.
    note
        A sentence shown above the table (e.g. from :func:`insights.trending_note`); for an
        empty table it is shown instead of an empty grid.
    columns
        The columns to show, in order (default: all but identifiers).
    currency
        ISO 4217 code of the ``*_minor`` money columns (the data's currency).
    csv
        Link to the full table, e.g. ``"trending.csv"`` beside the report.

    Returns
    -------
    Table
        Displays as HTML in Jupyter; ``.frame`` holds ``frame`` unchanged.

    Examples
    --------
    >>> t = show(pl.DataFrame({"merchant_id": ["m_1"], "merchant_name": ["Nori"],
    ...                        "spend_minor": [123456]}))
    >>> page = t._repr_html_()
    >>> ">Place</th>" in page, "&#163;1,235" in page, "m_1" in page
    (True, True, False)

    """
    from insights.publish.tables import suppress_people  # noqa: PLC0415 - avoids a cycle

    # what a report displays is published: the same suppression as a published table
    frame = suppress_people(_polars(frame, "show"))
    if max_rows < 1:
        raise ParameterError(f"max_rows must be at least 1, got {max_rows}")
    if missing := [c for c in columns if c not in frame.columns]:
        raise ParameterError(
            f"show(columns=...) names {missing}, which the table does not have; "
            f"its columns are {frame.columns}"
        )
    if "currency" in frame.columns and frame.get_column("currency").n_unique() == 1:
        currency = str(frame.get_column("currency")[0])
    return Table(
        frame=frame,
        max_rows=max_rows,
        digits=digits,
        note=note,
        currency=currency,
        columns=tuple(columns),
        csv=csv,
    )


def _polars(frame: Any, caller: str) -> pl.DataFrame:
    """Return ``frame`` as a polars DataFrame (pandas frames are converted), or say what to pass."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if type(frame).__module__.startswith("pandas"):
        try:
            converted: pl.DataFrame = pl.from_pandas(frame)
        except Exception as exc:
            msg = f"{caller}() could not convert the pandas frame to polars: {exc}"
            raise ParameterError(msg) from exc
        return converted
    raise ParameterError(
        f"{caller}() takes a polars DataFrame, not {type(frame).__name__}; "
        "build one with pl.DataFrame(...) or pl.from_pandas(...)"
    )


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


@dataclass(frozen=True)
class Findings:
    """A report's opening: a one-paragraph summary and a few key figures.

    ``figures`` holds ``(label, value, context)`` triples, e.g. ``("Customers", "11,490",
    "down 5% on August")``. Jupyter shows it as a boxed section; report pages put the cell
    tagged ``findings`` first.
    """

    summary: str
    figures: tuple[tuple[str, str, str], ...] = ()

    def _repr_html_(self) -> str:
        cards = "".join(
            '<div class="figure">'
            f'<span class="label">{html.escape(label)}</span>'
            f'<span class="value">{html.escape(value)}</span>'
            f'<span class="context">{html.escape(context)}</span></div>'
            for label, value, context in self.figures
        )
        grid = f'<div class="figures">{cards}</div>' if cards else ""
        return (
            '<section class="findings"><h2>Summary</h2>'
            f"<p>{html.escape(self.summary)}</p>{grid}</section>"
        )

    def __repr__(self) -> str:
        lines = [self.summary, *(f"- {a}: {b} ({c})" for a, b, c in self.figures)]
        return "\n".join(lines)
