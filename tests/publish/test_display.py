"""Readable tables: what a report reader sees."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from insights.errors import ParameterError
from insights.publish.display import say, show


def test_table_has_no_quotes_dtypes_or_shape_and_formats_numbers() -> None:
    frame = pl.DataFrame(
        {"place": ["Nori <Noodle>"], "customers": [12345], "day": [date(2025, 9, 1)]}
    )
    page = show(frame)._repr_html_()
    assert "&quot;" not in page and "str" not in page and "shape" not in page
    assert ">Nori &lt;Noodle&gt;</td>" in page  # escaped, unquoted
    assert ">12,345</td>" in page and ">2025-09-01</td>" in page


def test_long_tables_say_how_many_rows_are_hidden() -> None:
    page = show(pl.DataFrame({"n": list(range(20))}), max_rows=5)._repr_html_()
    assert page.count("<tr>") == 6  # header + 5 rows
    assert "15 more rows" in page


def test_show_refuses_non_frames() -> None:
    with pytest.raises(ParameterError, match="polars DataFrame"):
        show([1, 2])  # type: ignore[arg-type]


def test_show_puts_the_note_above_the_table_and_instead_of_an_empty_one() -> None:
    frame = pl.DataFrame({"place": ["Nori"], "customers": [40]})
    html = show(frame, note="1 place passes the bar.")._repr_html_()
    assert html.index("1 place passes the bar.") < html.index("<table")
    empty = show(frame.clear(), note="No place passed the bar.")._repr_html_()
    assert "No place passed the bar." in empty
    assert "<table" not in empty


def test_say_shows_a_sentence_as_a_paragraph() -> None:
    assert say("A < B")._repr_html_() == '<p class="insights-note">A &lt; B</p>'
