from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.errors import ParameterError
from insights.publish.charts import BLOG_WIDTH, publish_chart
from insights.publish.render import MIN_TEXT_PX, PHONE_WIDTH, chart_svg, chart_title, fit_width
from insights.spending.category_charts import category_index_chart, spikes_chart
from insights.spending.favourites_charts import favourites_chart
from insights.spending.trending_charts import trending_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALT = "Bar chart: The Copper Kettle leads Leeds with 150 repeat customers."

TRENDING = pl.DataFrame(
    {
        "rank": [1, 2],
        "month": [date(2025, 9, 1)] * 2,
        "merchant_id": ["m_00001", "m_00002"],
        "merchant_name": ["The Copper Kettle", "Bao Down"],
        "merchant_city": ["Leeds"] * 2,
        "customers": [300, 120],
        "repeat_customers": [150, 60],
        "baseline_repeat": [50.0, 30.0],
        "expected_repeat": [52.8, 31.5],
        "growth": [2.84, 1.9],
    }
)
TITLE = "The Copper Kettle trends in Leeds: 150 repeat customers, up from 50"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("charts") / "nested"
    return publish_chart(
        trending_chart(TRENDING),
        TRENDING,
        name="trending_leeds_2025-09",
        out_dir=out,
        alt_text=ALT,
    )


def test_all_six_files_are_written(published: dict[str, Path]) -> None:
    assert sorted(published) == ["alt.txt", "csv", "png", "png@2x", "svg", "vl.json"]
    assert all(path.name.startswith("trending_leeds_2025-09") for path in published.values())
    assert all(path.stat().st_size > 0 for path in published.values())


def _png_size_and_dpi(path: Path) -> tuple[int, float]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width = int.from_bytes(data[16:20], "big")
    at = data.index(b"pHYs")
    per_metre, unit = int.from_bytes(data[at + 4 : at + 8], "big"), data[at + 12]
    assert unit == 1  # metres
    return width, round(per_metre * 0.0254)


def test_pngs_are_the_blog_width_at_72_and_144_dpi(published: dict[str, Path]) -> None:
    # Word and Google Docs size an image by its DPI: both PNGs insert 720 px (7.5 in) wide.
    assert _png_size_and_dpi(published["png"]) == (BLOG_WIDTH, 72)
    assert _png_size_and_dpi(published["png@2x"]) == (2 * BLOG_WIDTH, 144)


def test_svg_is_the_blog_width_with_title_and_description(published: dict[str, Path]) -> None:
    root = ET.parse(published["svg"]).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("width") == str(BLOG_WIDTH)
    assert root.get("role") == "img"
    assert root.findtext(f"{ns}title") == TITLE
    assert root.findtext(f"{ns}desc") == ALT
    assert "Source Sans" not in published["svg"].read_text(encoding="utf-8")  # no web font


def test_csv_defaults_to_everything_the_chart_draws(tmp_path: Path) -> None:
    # A series with its spike days marked: the CSV must rebuild the whole line, not the spikes.
    series = pl.DataFrame({"day": [1, 2, 3, 4], "spend": [10.0, 11.0, 40.0, 12.0]})
    line = alt.Chart(series).mark_line().encode(x="day:Q", y="spend:Q")
    spikes = (
        alt.Chart(series.filter(pl.col("spend") > 20)).mark_point().encode(x="day:Q", y="spend:Q")
    )
    paths = publish_chart(
        line + spikes, name="s", out_dir=tmp_path, alt_text="Spend; day 3 spiked."
    )
    assert_frame_equal(pl.read_csv(paths["csv"]), series)


def test_alt_text_defaults_to_the_chart_description(tmp_path: Path) -> None:
    chart = (
        alt.Chart(TRENDING)
        .mark_bar()
        .encode(x="customers:Q")
        .properties(description="Bars: The Copper Kettle 300 customers, Bao Down 120.")
    )
    paths = publish_chart(chart, name="d", out_dir=tmp_path)
    assert paths["alt.txt"].read_text() == "Bars: The Copper Kettle 300 customers, Bao Down 120.\n"


def test_svg_parses_and_contains_the_title(published: dict[str, Path]) -> None:
    root = ET.parse(published["svg"]).getroot()
    assert root.tag.endswith("svg")
    assert "The Copper Kettle trends in Leeds" in published["svg"].read_text(encoding="utf-8")


def test_csv_is_the_data_behind_the_chart(published: dict[str, Path]) -> None:
    back = pl.read_csv(published["csv"], try_parse_dates=True)
    assert_frame_equal(back, TRENDING)


def test_spec_and_alt_text_are_written(published: dict[str, Path]) -> None:
    spec = json.loads(published["vl.json"].read_text(encoding="utf-8"))
    assert chart_title(spec) == TITLE  # broken into lines that fit the width
    assert published["alt.txt"].read_text(encoding="utf-8").startswith("Bar chart:")


def _favourites() -> pl.DataFrame:
    cities = ["Leeds", "York", "Hull", "Bath", "Ely"]
    return pl.DataFrame(
        {
            "merchant_city": [c for c in cities for _ in range(2)],
            "merchant_group_id": ["g_bean", "g_bun"] * len(cities),
            "brand": ["Bean Counter Coffee", "Bun Appétit Bakeries"] * len(cities),
            "customers": [30, 10] * len(cities),
            "share": [0.75, 0.25] * len(cities),
            "favourite": [True, False] * len(cities),
        }
    )


def _index() -> pl.DataFrame:
    days = pl.date_range(date(2025, 8, 1), date(2025, 9, 30), eager=True)
    categories = ["eating_out", "groceries", "transport", "personal_care", "gifts"]
    return pl.DataFrame(
        {
            "merchant_category": [c for c in categories for _ in days],
            "day": pl.concat([days] * len(categories)),
            "index": [100.0 + (i % 40) for i in range(len(days) * len(categories))],
            "customers": 50,
        }
    )


def _spikes() -> tuple[pl.DataFrame, pl.DataFrame]:
    days = pl.date_range(date(2024, 10, 1), date(2025, 9, 30), eager=True)
    daily = pl.DataFrame({"merchant_group_id": "g_cinema", "day": days, "spend_minor": 100_000})
    spikes = pl.DataFrame(
        {
            "merchant_group_id": ["g_cinema"],
            "brand": ["Starlight Cinemas"],
            "day": [date(2025, 7, 22)],
            "spend_minor": [300_000],
            "customers": [250],
            "jump_pct": [200.0],
        }
    )
    return daily, spikes


CHARTS = {
    "trending": lambda: trending_chart(TRENDING),
    "category_index": lambda: category_index_chart(_index(), place="Leeds", month="2025-09"),
    "spikes": lambda: spikes_chart(*_spikes(), by="merchant_group_id"),
    "favourites": lambda: favourites_chart(_favourites()),
}


def _font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([\d.]+)', svg)]


@pytest.mark.parametrize("width", [PHONE_WIDTH, BLOG_WIDTH])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_chart_is_drawn_at_the_width_it_is_shown_with_readable_text(
    chart: str, width: int
) -> None:
    # Drawn at the width it sits in, never scaled: a 720 px drawing squeezed into a phone's
    # 358 px column would show its 12 px labels at 6 px.
    svg = chart_svg(fit_width(CHARTS[chart]().to_dict(), width))
    root = ET.fromstring(svg)
    assert float(root.get("width", "0")) == width
    sizes = _font_sizes(svg)
    assert sizes, "no text found in the SVG"
    assert min(sizes) >= MIN_TEXT_PX


def test_small_multiples_under_a_wide_subtitle_grow_their_panels_to_the_width() -> None:
    # Narrow panels under a subtitle wider than them: the subtitle alone sets the drawing's
    # width there, so the fit must look past it, not shrink the panels to nothing.
    frame = pl.DataFrame({"x": [1, 2, 1, 2], "y": [1, 2, 2, 1], "c": ["a", "a", "b", "b"]})
    chart = (
        alt.Chart(frame)
        .mark_line()
        .encode(x="x:Q", y="y:Q")
        .properties(width=100, height=60)
        .facet(row="c:N")
        .properties(title={"text": "T", "subtitle": "A subtitle far wider than the panel " * 2})
    )
    fitted = fit_width(chart.to_dict(), BLOG_WIDTH)
    assert float(ET.fromstring(chart_svg(fitted)).get("width", "0")) == BLOG_WIDTH
    assert fitted["spec"]["width"] > BLOG_WIDTH - 150  # row headers, axis and padding: the rest


def test_small_multiples_are_published_at_the_blog_width(tmp_path: Path) -> None:
    paths = publish_chart(CHARTS["category_index"](), name="index", out_dir=tmp_path)
    assert ET.parse(paths["svg"]).getroot().get("width") == str(BLOG_WIDTH)
    assert _png_size_and_dpi(paths["png@2x"]) == (2 * BLOG_WIDTH, 144)


@pytest.mark.parametrize("name", ["../escape", "", "a b", "/abs"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    chart = alt.Chart(TRENDING).mark_bar().encode(x="customers:Q")
    with pytest.raises(ParameterError, match="name"):
        publish_chart(chart, TRENDING, name=name, out_dir=tmp_path, alt_text="x")


def test_empty_alt_text_is_refused(tmp_path: Path) -> None:
    chart = alt.Chart(TRENDING).mark_bar().encode(x="customers:Q")
    with pytest.raises(ParameterError, match="alt_text"):
        publish_chart(chart, TRENDING, name="x", out_dir=tmp_path, alt_text="  ")
