"""The privacy gate is default deny: every published file, every table in it, nothing recoverable.

Each reproduction of issue #11 is here at the level of the files a render writes; the full
renders are in test_reports_leaks.py (slow).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from insights.errors import ParameterError
from insights.publish.charts import publish_chart
from insights.publish.display import show
from insights.publish.tables import publish_table, suppress_people
from insights.reports.privacy import check_privacy, gate

NO_IDS: frozenset[str] = frozenset()
DAYS = [date(2025, 8, d) for d in (1, 2, 3)]


def _rates() -> pl.DataFrame:
    """contact_rates output: day 2 has 4 customers in touch (must be hidden everywhere)."""
    return pl.DataFrame(
        {
            "unique_id": ["phone"] * 3,
            "ds": DAYS,
            "contacts": [30, 5, 25],
            "customers": [28, 4, 22],
            "active_customers": [2000.0] * 3,
            "rate": [15.0, 2.5, 12.5],
        }
    )


def _series(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("unique_id", "ds", pl.col("rate").alias("y"))


def _chart(frame: pl.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_line().encode(x="ds:T", y="y:Q")


def test_leak_1_rate_chart_next_to_suppressed_history_is_caught(tmp_path: Path) -> None:
    rates = _rates()
    publish_table(rates, name="history", out_dir=tmp_path)  # suppressed on the way out
    history = pl.read_csv(tmp_path / "history.csv", try_parse_dates=True)
    assert history.row(1) == (
        "phone",
        date(2025, 8, 2),
        None,
        None,
        2000.0,
        None,
        "contacts,customers,rate",
    )
    # today's notebook: the chart data from the unsuppressed rates
    _series(rates).write_csv(tmp_path / "contact_rate_history.csv")
    violations = check_privacy(tmp_path, customer_ids=NO_IDS)
    assert [(v.file, v.column) for v in violations] == [("contact_rate_history.csv", "y")]
    assert "suppressed in another table" in violations[0].detail


def test_leak_1_charts_built_from_the_suppressed_table_pass(tmp_path: Path) -> None:
    history = suppress_people(_rates())
    publish_table(history, name="history", out_dir=tmp_path)
    series = _series(history)
    publish_chart(
        _chart(series), series, name="contact_rate_history", out_dir=tmp_path, alt_text="A line."
    )
    spec = json.loads((tmp_path / "contact_rate_history.vl.json").read_text())
    [rows] = spec["datasets"].values()
    assert [r["y"] for r in rows] == [15.0, None, 12.5]
    report = gate(tmp_path, customer_ids=NO_IDS)
    assert report.violations == []
    assert report.suppressed_cells == 3
    assert report.tables["history.csv"] == ["contacts", "customers", "active_customers"]


def test_a_rate_next_to_its_suppressed_denominator_in_the_same_row_is_caught(
    tmp_path: Path,
) -> None:
    pl.DataFrame({"ds": DAYS, "customers": [20, None, 30], "rate": [1.0, 0.2, 1.5]}).write_csv(
        tmp_path / "t.csv"
    )
    [violation] = check_privacy(tmp_path, customer_ids=NO_IDS)
    assert (violation.file, violation.column) == ("t.csv", "rate")
    assert "next to a suppressed customers" in violation.detail


def _notebook(tmp_path: Path, output: dict[str, object]) -> Path:
    cells = [
        new_code_cell("import insights as ins"),
        new_code_cell("ins.show(rates.tail(6))", outputs=[new_output("execute_result", output)]),
    ]
    path = tmp_path / "report.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_leak_2_a_cell_displaying_small_counts_fails_naming_the_cell(tmp_path: Path) -> None:
    raw = pl.DataFrame({"ds": DAYS, "customers": [6, 4, 3]})
    # what show() displayed before it suppressed: a plain table of the raw frame
    html = raw._repr_html_()
    _notebook(tmp_path, {"text/html": html, "text/plain": repr(raw)})
    violations = check_privacy(tmp_path, customer_ids=NO_IDS)
    assert {v.file for v in violations} == {
        "report.ipynb cell 1 (`ins.show(rates.tail(6))`) table 1",
    }
    assert all(v.column == "customers" for v in violations)


def test_leak_2_show_displays_suppressed_counts(tmp_path: Path) -> None:
    shown = show(pl.DataFrame({"ds": DAYS, "customers": [60, 4, 30]}))
    assert shown.frame["customers"].to_list() == [60, None, 30]
    _notebook(tmp_path, {"text/html": shown._repr_html_(), "text/plain": repr(shown)})
    assert check_privacy(tmp_path, customer_ids=NO_IDS) == []


def test_leak_4_repeat_customers_and_baselines_follow_the_floor() -> None:
    trending = pl.DataFrame(
        {
            "merchant_id": ["m1", "m2"],
            "customers": [48, 20],
            "repeat_customers": [31, 7],
            "baseline_repeat": [10.0, 2.3],
            "expected_repeat": [12.2, 2.8],
            "growth": [2.5, 2.5],
            "repeat_rate": [0.65, 0.35],
        }
    )
    out = suppress_people(trending)
    assert out.row(1) == (
        "m2",
        20,
        None,
        None,
        None,
        None,
        None,
        "repeat_customers,baseline_repeat,expected_repeat,growth,repeat_rate",
    )
    assert out.row(0)[:-1] == trending.row(0)


def test_an_undeclared_count_of_people_fails_until_declared(tmp_path: Path) -> None:
    pl.DataFrame({"city": ["Leeds"], "new_customers": [250], "agents": [3]}).write_parquet(
        tmp_path / "t.parquet"
    )
    [violation] = check_privacy(tmp_path, customer_ids=NO_IDS)
    assert (violation.file, violation.column) == ("t.parquet", "new_customers")
    assert "insights/publish/people.py" in violation.detail


def test_chart_specs_and_svg_labels_are_tables_too(tmp_path: Path) -> None:
    spec = {"datasets": {"d1": [{"ds": "2025-08-01", "customers": 3}]}, "mark": "bar"}
    (tmp_path / "c.vl.json").write_text(json.dumps(spec))
    (tmp_path / "c.svg").write_text('<svg><path aria-label="day: 2025-08-01; customers: 4"/></svg>')
    violations = check_privacy(tmp_path, customer_ids=NO_IDS)
    assert [(v.file, v.column) for v in violations] == [
        ("c.svg labels", "customers"),
        ("c.vl.json data set d1", "customers"),
    ]


def test_machine_paths_are_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"data": "/home/analyst/work/data/sample"}')
    [violation] = check_privacy(tmp_path, customer_ids=NO_IDS, machine_paths=["/home/analyst/work"])
    assert "machine path" in violation.detail


def test_one_name_is_one_artefact(tmp_path: Path) -> None:
    frame = pl.DataFrame({"ds": DAYS, "y": [1.0, 2.0, 3.0]})
    publish_table(frame, name="staffing", out_dir=tmp_path)
    with pytest.raises(ParameterError, match="one name, one artefact"):
        publish_chart(_chart(frame), frame, name="staffing", out_dir=tmp_path, alt_text="A line.")
    publish_chart(_chart(frame), frame, name="staffing_chart", out_dir=tmp_path, alt_text="A line.")
    with pytest.raises(ParameterError, match="one name, one artefact"):
        publish_table(frame, name="staffing_chart", out_dir=tmp_path)


def test_published_tables_and_charts_are_byte_identical_across_runs(tmp_path: Path) -> None:
    # the same figures computed in another order differ in their last bits
    a = pl.DataFrame({"ds": DAYS, "y": [0.1 + 0.2, 1.0, 2.0]})
    b = pl.DataFrame({"ds": DAYS, "y": [0.3, 1.0, 2.0]})
    for frame, folder in ((a, tmp_path / "a"), (b, tmp_path / "b")):
        publish_table(frame, name="t", out_dir=folder)
        publish_chart(_chart(frame), frame, name="c", out_dir=folder, alt_text="A line.")
    for name in ("t.csv", "t.parquet", "c.data.csv", "c.vl.json", "c.svg", "c.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_intraday_profile_publishes_no_interval_share_that_gives_a_small_count_back(
    tmp_path: Path,
) -> None:
    from insights.contacts.intraday import channel_profiles
    from insights.contacts.intraday_charts import intraday_profile_chart

    # phone on Mondays: 40 contacts at 09:00, 3 at 09:30, 50 at 10:00 (93 in all, a total
    # the daily history publishes); blanking 09:30 alone leaves it as 1 - (the others)
    marts = pl.DataFrame(
        {
            "day": [date(2025, 8, 4)] * 3,
            "channel": "phone",
            "tag": None,
            "minute": [540, 570, 600],
            "contacts": [40, 3, 50],
        },
        schema_overrides={"tag": pl.String},
    )
    profiles = channel_profiles(marts, as_of="2025-08-10", weeks=1)
    publish_table(profiles, name="profile", out_dir=tmp_path)
    publish_chart(
        intraday_profile_chart(profiles),
        name="intraday_profile",
        out_dir=tmp_path,
        alt_text="Shares per half hour.",
    )
    report = gate(tmp_path, customer_ids=NO_IDS)
    assert report.violations == []
    assert report.pooled_cells > 0
    spec = json.loads((tmp_path / "intraday_profile.vl.json").read_text())
    [rows] = spec["datasets"].values()
    published = [
        pl.read_csv(tmp_path / "profile.csv"),
        pl.DataFrame(rows),
        pl.read_csv(tmp_path / "intraday_profile.data.csv"),
    ]
    for table in published:
        shares = table.get_column("share")
        for row in range(table.height):
            for candidate in (shares[row], 1 - (shares.sum() - shares[row])):
                assert round(candidate * 93, 6) not in {float(n) for n in range(1, 10)}


def test_identifiers_the_contracts_declare_are_found_without_the_raw_data(tmp_path: Path) -> None:
    # Reports read marts, so the gate has no raw customer ids to look for: it searches for the
    # shapes of every identifier the contracts declare (transaction, contact and customer ids)
    frame = pl.DataFrame({"ds": DAYS, "y": [1.0, 2.0, 3.0]})
    publish_chart(_chart(frame), frame, name="c", out_dir=tmp_path, alt_text="A line.")
    assert check_privacy(tmp_path, customer_ids=NO_IDS) == []
    alt = tmp_path / "c.alt.txt"
    alt.write_text("A line; the top refund was tx_0000001234.\n")
    svg = tmp_path / "c.svg"
    svg.write_text(svg.read_text().replace("</svg>", "<desc>raised in k_0000042</desc></svg>"))
    (tmp_path / "report.html").write_text("<p>Biggest spender: c_000913</p>")
    cell = new_code_cell(
        "ins.say(note)",
        outputs=[new_output("stream", name="stdout", text="see contact k_0000007\n")],
    )
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "report.ipynb")
    pl.DataFrame({"who": ["tx_0000000001"], "n": [12]}).write_parquet(tmp_path / "t.parquet")
    found = {
        (v.file, v.column, v.detail.split(" (")[0])
        for v in check_privacy(tmp_path, customer_ids=NO_IDS)
    }
    assert found == {
        ("c.alt.txt", None, "values shaped like transaction_id"),
        ("c.svg", None, "values shaped like contact_id"),
        ("report.html", None, "values shaped like customer_id"),
        ("report.ipynb", None, "values shaped like contact_id"),
        ("t.parquet", "who", "1 distinct value(s) are shaped like transaction_id"),
    }
    messages = " ".join(str(v) for v in check_privacy(tmp_path, customer_ids=NO_IDS))
    assert "0000001234" not in messages and "k_0000042" not in messages  # no leak in the message


def test_identifier_shapes_come_from_the_contracts(tmp_path: Path) -> None:
    from insights.reports.privacy import identifier_patterns

    patterns = identifier_patterns()
    assert sorted(patterns) == ["contact_id", "customer_id", "transaction_id"]
    # merchant ids are published on purpose (places, not people): no contract restricts them
    assert not any(p.search("m_00344 g_00023") for p in patterns.values())
    assert not patterns["customer_id"].search("abc_000123 c_000123x")


def test_alt_text_that_gives_a_small_count_fails_the_gate(tmp_path: Path) -> None:
    frame = pl.DataFrame({"ds": DAYS, "y": [1.0, 2.0, 3.0]})
    publish_chart(_chart(frame), frame, name="c", out_dir=tmp_path, alt_text="Rates per day.")
    assert check_privacy(tmp_path, customer_ids=NO_IDS) == []
    (tmp_path / "c.alt.txt").write_text("Bars of 2 places: Nori has 6 repeat customers.\n")
    svg = tmp_path / "c.svg"
    svg.write_text(svg.read_text().replace("Rates per day.", "Rates; customers: 4"))
    (tmp_path / "report.html").write_text('<img alt="three people got in touch" src="x.png">')
    found = sorted(v.file for v in check_privacy(tmp_path, customer_ids=NO_IDS))
    assert found == ["c.alt.txt", "c.svg", "report.html"]


def test_trending_chart_alt_text_names_no_suppressed_count(tmp_path: Path) -> None:
    from insights.spending.trending_charts import trending_chart

    trending = pl.DataFrame(
        {
            "rank": [1, 2],
            "merchant_id": ["m1", "m2"],
            "merchant_name": ["Nori", "Ember"],
            "merchant_city": ["Leeds", "Leeds"],
            "month": [date(2025, 9, 1)] * 2,
            "customers": [48, 20],
            "repeat_customers": [31, 6],
            "baseline_repeat": [12.0, 3.0],
            "expected_repeat": [12.4, 3.1],
            "growth": [2.5, 1.9],
        }
    )
    chart = trending_chart(trending)
    assert "6 repeat customers" not in chart.to_dict()["description"]
    assert "2. Ember: under 10 → under 10 repeat customers." in chart.to_dict()["description"]
    publish_chart(chart, trending, name="trending_chart", out_dir=tmp_path)
    assert check_privacy(tmp_path, customer_ids=NO_IDS) == []


def test_spike_section_publishes_no_small_count_and_no_name_twice(tmp_path: Path) -> None:
    """Regression (issue #11, a 10,000-customer sample failed the gate in spikes.csv): the spike
    table and the spike chart were both published as ``spikes``, so the chart's drawn data
    (day, spend) replaced the table's CSV while its sidecar still declared ``customers``."""
    from insights.spending.category_charts import spikes_chart
    from insights.spending.spikes import spending_spikes

    days = pl.date_range(date(2025, 7, 1), date(2025, 7, 31), eager=True)
    spend = [1000] * 31
    customers = [12] * 31
    spend[24], customers[24] = 5000, 40  # 25 July: a spike seen by 40 customers
    spend[27], customers[27] = 5000, 6  # 28 July: as big, but 6 customers: never published
    brand_days = pl.DataFrame(
        {"merchant_group_id": "g1", "day": days, "spend_minor": spend, "customers": customers}
    )
    spikes = spending_spikes(brand_days, by="merchant_group_id", month="2025-07")
    assert spikes.select("day", "customers").rows() == [(date(2025, 7, 25), 40)]
    publish_table(spikes, name="spike_days", out_dir=tmp_path)
    chart = spikes_chart(brand_days, spikes, by="merchant_group_id")
    with pytest.raises(ParameterError, match="one name, one artefact"):
        publish_chart(chart, name="spike_days", out_dir=tmp_path)
    publish_chart(chart, name="spikes_chart", out_dir=tmp_path)
    assert pl.read_csv(tmp_path / "spikes_chart.data.csv").columns == ["day", "spend"]
    report = gate(tmp_path, customer_ids=NO_IDS)
    assert report.violations == []
    assert report.tables["spike_days.csv"] == ["customers"]


def test_charts_embedded_in_the_page_are_read_too(tmp_path: Path) -> None:
    # report.html carries its charts (column and phone drawings) as base64 data URLs: a reader's
    # browser decodes them, so the gate decodes them as well
    import base64

    def page(svg: str) -> str:
        url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        return f'<main><h1>Report</h1><img alt="Rates per day." src="{url}"></main>'

    clean = '<svg xmlns="http://www.w3.org/2000/svg"><text>1,200 customers</text></svg>'
    (tmp_path / "report.html").write_text(page(clean))
    assert check_privacy(tmp_path, customer_ids=NO_IDS) == []
    leaky = clean.replace("</svg>", "<desc>Top spender c_000913; customers: 4</desc></svg>")
    (tmp_path / "report.html").write_text(page(leaky))
    details = sorted(v.detail.split(" (")[0] for v in check_privacy(tmp_path, customer_ids=NO_IDS))
    assert len(details) == 2
    assert details[0].startswith("alt text gives 1 count(s) of fewer than 10 people")
    assert details[1] == "values shaped like customer_id"
    (tmp_path / "report.html").write_text(
        '<img alt="A chart." src="data:image/svg+xml;base64,/w==">'  # not UTF-8
    )
    assert [v.detail for v in check_privacy(tmp_path, customer_ids=NO_IDS)] == [
        "an embedded SVG image is not valid base64 UTF-8"
    ]
