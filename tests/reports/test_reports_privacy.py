"""Result tables are written deterministically; the privacy gate finds ids and small groups."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from insights.errors import ParameterError, ReportError
from insights.reports import check_privacy, publish_table

# Ids of the input data in a shape no contract declares: the gate finds them by value.
IDS = frozenset({"cust.000001", "cust.000002"})


def test_publish_table_writes_csv_parquet_and_sidecar(tmp_path: Path) -> None:
    frame = pl.DataFrame({"city": ["Leeds", "York"], "customers": [40, 12]})
    written = publish_table(frame, name="by_city", out_dir=tmp_path)
    assert [p.name for p in written] == ["by_city.csv", "by_city.parquet", "by_city.table.json"]
    assert pl.read_parquet(tmp_path / "by_city.parquet").equals(frame)
    sidecar = json.loads((tmp_path / "by_city.table.json").read_text())
    assert sidecar["count_columns"] == ["customers"]
    assert sidecar["min_customers"] == 10


def test_publish_table_is_byte_identical_across_writes(tmp_path: Path) -> None:
    frame = pl.DataFrame({"city": ["Leeds"], "customers": [40], "spend": [1.5]})
    publish_table(frame, name="t", out_dir=tmp_path / "a")
    publish_table(frame, name="t", out_dir=tmp_path / "b")
    for name in ("t.csv", "t.parquet", "t.table.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_publish_table_suppresses_a_small_group_and_marks_it(tmp_path: Path) -> None:
    frame = pl.DataFrame({"city": ["Leeds", "York"], "customers": [40, 3]})
    publish_table(frame, name="t", out_dir=tmp_path)
    rows = pl.read_csv(tmp_path / "t.csv").rows()
    assert rows == [("Leeds", 40, None), ("York", None, "customers")]
    assert json.loads((tmp_path / "t.table.json").read_text())["suppressed_cells"] == 1
    assert check_privacy(tmp_path, customer_ids=IDS) == []


def test_publish_table_refuses_a_floor_below_ten(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="below the disclosure floor"):
        publish_table(
            pl.DataFrame({"customers": [40]}), name="t", out_dir=tmp_path, min_customers=5
        )


def test_gate_finds_a_customer_id_in_text(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("<h1>Top</h1>\n<p>top customer: cust.000002.</p>")
    (tmp_path / "chart.svg").write_text("<svg><text>cust.0000021</text></svg>")  # not an id
    [violation] = check_privacy(tmp_path, customer_ids=IDS)
    assert violation.file == "report.html"
    assert "on 1 line(s) (2)" in str(violation)
    assert "cust.000002" not in str(violation)  # the message must not repeat the leak


def test_gate_finds_a_customer_id_in_a_parquet_column(tmp_path: Path) -> None:
    pl.DataFrame({"who": ["cust.000001", "x"], "n": [1, 2]}).write_parquet(tmp_path / "t.parquet")
    [violation] = check_privacy(tmp_path, customer_ids=IDS)
    assert (violation.file, violation.column) == ("t.parquet", "who")
    assert "first in row 0" in violation.detail


def test_gate_checks_declared_count_columns(tmp_path: Path) -> None:
    pl.DataFrame({"city": ["Leeds"], "payers": [4]}).write_csv(tmp_path / "t.csv")
    (tmp_path / "t.table.json").write_text(
        json.dumps({"count_columns": ["payers"], "min_customers": 10})
    )
    [violation] = check_privacy(tmp_path, customer_ids=IDS)
    assert str(violation) == (
        "t.csv, column payers: row 0 counts 4 customers, below the minimum of 10; "
        "suppress or merge small groups"
    )


def test_gate_treats_a_customers_column_as_a_count_without_a_sidecar(tmp_path: Path) -> None:
    pl.DataFrame({"customers": [25, 3]}).write_parquet(tmp_path / "t.parquet")
    [violation] = check_privacy(tmp_path, customer_ids=IDS)
    assert (violation.file, violation.column) == ("t.parquet", "customers")
    assert "row 1 counts 3" in violation.detail


def test_render_html_draws_leftover_vegalite_as_svg_and_refuses_cdn_charts(
    tmp_path: Path,
) -> None:
    import altair as alt
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from insights.reports.html import render_html

    spec = alt.Chart(pl.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q").to_dict()
    cell = new_code_cell("chart", outputs=[new_output("display_data", {_VL: spec})])
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "a.ipynb")
    page = render_html(
        tmp_path / "a.ipynb",
        tmp_path / "a.html",
        title="T",
        params={"tags": []},
        date_range=("2025-01-01", "2025-01-31"),
        generated_at="2025-02-01T00:00:00Z",
    ).read_text()
    assert "data:image/svg+xml" in page or "<svg" in page
    assert "tags</td><td>(all)" in page
    assert "Data from 1 January 2025 to 31 January 2025" in page
    assert "generated 1 February 2025, 00:00 UTC" in page
    # the report page and the index share one <head>: no network, phone viewport
    from insights.reports.index import write_index
    from insights.reports.page import CSP

    index = write_index(tmp_path / "reports").read_text()
    for head in (page, index):
        shared = head.split("<title>")[0]
        assert shared.endswith('<meta name="generator" content="insights report runner">\n')
        assert f'content="{CSP}"' in shared and 'name="viewport"' in shared
    assert "<title>T" in page and "<title>Reports</title>" in index
    html = '<div id="vis"></div><script>vegaEmbed("#vis", {})</script>'
    cell = new_code_cell("chart", outputs=[new_output("display_data", {"text/html": html})])
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "b.ipynb")
    with pytest.raises(ReportError, match="needs the network"):
        render_html(
            tmp_path / "b.ipynb",
            tmp_path / "b.html",
            title="T",
            params={},
            date_range=None,
            generated_at="now",
        )


def test_render_html_shows_warnings_as_notes_once_without_path_or_code(tmp_path: Path) -> None:
    """A short history's warnings reached the page raw: module path, line, calling code."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from insights.reports.html import render_html

    said = "forecast: series 'signups' has 83 open days of history; it was forecast with 'ets'."
    raw = f"./insights/forecasting/forecaster.py:285: ShortHistoryWarning: {said}\n  _series(uid)\n"
    cells = [
        new_code_cell("a", outputs=[new_output("stream", name="stderr", text=raw)]),
        new_code_cell(
            "b",
            outputs=[
                new_output("stream", name="stderr", text=raw.replace("285", "443") + "kept\n")
            ],
        ),
    ]
    nbformat.write(new_notebook(cells=cells), tmp_path / "w.ipynb")
    page = render_html(
        tmp_path / "w.ipynb",
        tmp_path / "w.html",
        title="T",
        params={},
        date_range=None,
        generated_at="now",
    ).read_text()
    assert page.count("has 83 open days of history") == 1
    assert "Note: forecast: series 'signups' has 83" in page
    for raw_part in ("forecaster.py", "ShortHistoryWarning", "_series(uid)"):
        assert raw_part not in page, raw_part
    assert "kept" in page  # other text on standard error stays


_VL = "application/vnd.vegalite.v6+json"


def test_clean_output_passes(tmp_path: Path) -> None:
    publish_table(pl.DataFrame({"customers": [25]}), name="t", out_dir=tmp_path)
    (tmp_path / "report.html").write_text("<p>25 customers</p>")
    assert check_privacy(tmp_path, customer_ids=IDS) == []


def test_the_runner_environment_switches_altair_to_offline_svg() -> None:
    import os
    import subprocess
    import sys

    code = "import altair, insights.publish.theme; print(altair.renderers.active)"
    env = {**os.environ, "INSIGHTS_ALTAIR_RENDERER": "svg"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "insights"  # insights.publish.render.RENDERER_NAME


def test_gate_reads_a_header_only_csv_as_an_empty_table(tmp_path: Path) -> None:
    # new_places.csv of a city without a new place: polars reads the columns as text
    (tmp_path / "new_places.csv").write_text("merchant_name,customers,repeat_customers\n")
    assert check_privacy(tmp_path, customer_ids=IDS) == []


def test_redact_drops_identifiers_from_contract_examples() -> None:
    from insights.reports.failures import redact

    text = (
        "data/x.parquet row 3: breaks unique\n"
        "    transaction_id='tx_0000000042', customer_id='cust.000001', amount_minor=120"
    )
    shown = redact(text, identifiers=IDS)
    assert "tx_0000000042" not in shown
    assert "cust.000001" not in shown
    assert "amount_minor=120" in shown


def test_page_puts_findings_first_and_keeps_one_h1(tmp_path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from insights.reports.html import render_html

    cells = [
        new_markdown_cell("# Notebook title\n\n## Section"),
        new_code_cell(
            "findings",
            metadata={"tags": ["findings"]},
            outputs=[new_output("display_data", {"text/html": "<p>THE SUMMARY</p>"})],
        ),
    ]
    nbformat.write(new_notebook(cells=cells), tmp_path / "a.ipynb")
    page = render_html(
        tmp_path / "a.ipynb",
        tmp_path / "a.html",
        title="Trending spending",
        params={"month": "2025-09", "city": "Leeds"},
        date_range=None,
        generated_at="2025-10-01T08:00:00+00:00",
    ).read_text()
    assert "<title>Trending spending: Leeds, September 2025</title>" in page
    assert page.count("<h1") == 1 and "Notebook title" not in page
    assert page.index("THE SUMMARY") < page.index("Section")


def test_redact_drops_identifier_shaped_values_without_their_column_name() -> None:
    from insights.reports.failures import redact

    shown = redact("2 duplicates, first tx_0000000042 (raised in k_0000001, by c_000913).")
    assert shown == "2 duplicates, first <redacted> (raised in <redacted>, by <redacted>)."


def test_the_index_never_shows_an_identifier_from_a_failure_record(tmp_path: Path) -> None:
    from insights.reports.index import write_index

    record = tmp_path / "_failures" / "trending_spending" / "london-20251001T000000Z"
    record.mkdir(parents=True)
    (record / "error.json").write_text(
        json.dumps({"report": "trending_spending", "explanation": "duplicate tx_0000000042"})
    )
    page = write_index(tmp_path).read_text()
    assert "duplicate &lt;redacted&gt;" in page
    assert check_privacy(tmp_path, customer_ids=IDS, only=["index.html"]) == []
