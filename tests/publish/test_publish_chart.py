from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.errors import ParameterError
from insights.publish.charts import BLOG_WIDTH, publish_chart
from insights.spending.charts import favourites_chart, trending_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALT = "Bar chart: The Copper Kettle leads Leeds with 150 repeat customers."

TRENDING = pl.DataFrame(
    {
        "rank": [1, 2],
        "month": [date(2025, 9, 1)] * 2,
        "merchant_name": ["The Copper Kettle", "Bao Down"],
        "merchant_city": ["Leeds"] * 2,
        "customers": [300, 120],
        "repeat_customers": [150, 60],
        "growth": [2.84, 1.9],
    }
)


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
    assert root.findtext(f"{ns}title") == "Trending in Leeds, September 2025"
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
    assert "Trending in Leeds, September 2025" in published["svg"].read_text(encoding="utf-8")


def test_csv_is_the_data_behind_the_chart(published: dict[str, Path]) -> None:
    back = pl.read_csv(published["csv"], try_parse_dates=True)
    assert_frame_equal(back, TRENDING)


def test_spec_and_alt_text_are_written(published: dict[str, Path]) -> None:
    spec = json.loads(published["vl.json"].read_text(encoding="utf-8"))
    assert spec["title"]["text"] == "Trending in Leeds, September 2025"
    assert published["alt.txt"].read_text(encoding="utf-8").startswith("Bar chart:")


def test_faceted_chart_renders(tmp_path: Path) -> None:
    favourites = pl.DataFrame(
        {
            "merchant_city": ["Leeds", "Leeds"],
            "merchant_group_id": ["g_bean", "g_bun"],
            "customers": [30, 10],
            "share": [0.75, 0.25],
            "favourite": [True, False],
        }
    )
    paths = publish_chart(
        favourites_chart(favourites), favourites, name="fav", out_dir=tmp_path, alt_text="Grid."
    )
    assert paths["png"].read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("name", ["../escape", "", "a b", "/abs"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    chart = alt.Chart(TRENDING).mark_bar().encode(x="customers:Q")
    with pytest.raises(ParameterError, match="name"):
        publish_chart(chart, TRENDING, name=name, out_dir=tmp_path, alt_text="x")


def test_empty_alt_text_is_refused(tmp_path: Path) -> None:
    chart = alt.Chart(TRENDING).mark_bar().encode(x="customers:Q")
    with pytest.raises(ParameterError, match="alt_text"):
        publish_chart(chart, TRENDING, name="x", out_dir=tmp_path, alt_text="  ")
