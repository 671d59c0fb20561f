"""Readable tables: what a report reader sees."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from insights.errors import ParameterError
from insights.publish.display import say, show
from insights.publish.tables import suppress_small


def _cells(page: str) -> list[str]:
    body = page[page.index("<tbody") :]
    return re.findall(r"<td[^>]*>([^<]*)</td>", body)


def _labels(page: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", page)


def test_table_shows_text_escaped_and_counts_and_dates_for_readers() -> None:
    frame = pl.DataFrame(
        {"place": ["Nori <Noodle>"], "customers": [12345.0], "day": [date(2025, 9, 1)]}
    )
    page = show(frame)._repr_html_()
    assert "&quot;" not in page and "shape:" not in page
    assert _labels(page) == ["Place", "Customers", "Day"]
    assert _cells(page) == ["Nori &lt;Noodle&gt;", "12,345", "1 Sep 2025"]  # count: no .00


def test_reader_table_labels_hides_ids_and_formats_money_percent_and_ratios() -> None:
    trending = pl.DataFrame(
        {
            "rank": [1],
            "month": [date(2025, 9, 1)],
            "merchant_id": ["m_03161"],
            "merchant_name": ["Nori Noodle House"],
            "merchant_category": ["eating_out"],
            "spend_minor": [65789818],
            "spend_growth_pct": [44.84],
            "growth": [3.442],
            "repeat_rate": [0.5637],
        }
    )
    page = show(trending)._repr_html_()
    assert "m_03161" not in page  # ids hidden
    assert _labels(page) == [
        "Rank",
        "Month",
        "Place",
        "Category",
        "Spend",
        "Spend change",
        "Growth vs expected",
        "Repeat rate",
    ]
    assert _cells(page) == [
        "1",
        "September 2025",
        "Nori Noodle House",
        "Eating out",
        "&#163;657,898",
        "+45%",
        "3.4×",
        "56%",
    ]


def test_money_follows_the_data_currency() -> None:
    frame = pl.DataFrame({"spend_minor": [123456], "currency": ["JPY"]})
    page = show(frame)._repr_html_()
    assert _cells(page) == ["&#165;123,456"]  # yen have no minor unit; currency column hidden


def test_a_month_shared_by_every_row_moves_above_the_table() -> None:
    frame = pl.DataFrame({"month": [date(2025, 9, 1)] * 2, "customers": [12, 40]})
    page = show(frame)._repr_html_()
    assert "Month: September 2025." in page
    assert _labels(page) == ["Customers"]


def test_suppressed_counts_are_marked_and_explained() -> None:
    frame = suppress_small(
        pl.DataFrame({"day": [1, 2], "customers": [25, 4], "rate": [2.5, 0.4]}),
        columns=["rate"],
    )
    page = show(frame)._repr_html_()
    assert _cells(page) == ["1", "25", "2.50", "2", "&lt;10", "–"]
    assert "fewer than 10 customers, hidden to protect their privacy" in page


def test_wide_tables_scroll_in_their_box_with_a_cue() -> None:
    wide = pl.DataFrame({f"measure_{i}": [i] for i in range(8)})
    page = show(wide)._repr_html_()
    assert 'class="insights-table-box"' in page and "overflow-x:auto" in page
    assert "scroll sideways" in page
    assert "scroll sideways" not in show(wide.select("measure_0"))._repr_html_()


def test_long_tables_say_how_many_rows_are_hidden_and_link_the_csv() -> None:
    page = show(pl.DataFrame({"n": list(range(20))}), max_rows=5, csv="n.csv")._repr_html_()
    assert len(_cells(page)) == 5
    assert "Showing 5 of 20 rows." in page
    assert '<a href="n.csv">Download the full table (CSV)</a>' in page


def test_show_picks_columns_and_names_the_missing_one() -> None:
    frame = pl.DataFrame({"merchant_name": ["Nori"], "customers": [40], "score": [1.3]})
    assert _labels(show(frame, columns=["customers", "merchant_name"])._repr_html_()) == [
        "Customers",
        "Place",
    ]
    with pytest.raises(ParameterError, match=r"\['growth'\].*columns are"):
        show(frame, columns=["growth"])


def test_show_converts_a_pandas_frame() -> None:
    pd = pytest.importorskip("pandas")
    page = show(pd.DataFrame({"customers": [12, 40]}))._repr_html_()
    assert _cells(page) == ["12", "40"]


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


def test_a_usual_count_of_repeat_customers_is_shown_whole() -> None:
    # baseline_repeat is a mean over months of a count: "10", never "10.00"
    page = show(pl.DataFrame({"merchant_name": ["Nori"], "baseline_repeat": [10.4]}))._repr_html_()
    assert _labels(page) == ["Place", "Usual repeat customers"]
    assert _cells(page) == ["Nori", "10"]
