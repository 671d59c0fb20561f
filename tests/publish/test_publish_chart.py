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
from insights.publish.charts import publish_chart
from insights.spending.charts import favourites_chart, trending_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

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
        alt_text="Bar chart: The Copper Kettle leads Leeds with 150 repeat customers.",
    )


def test_all_five_files_are_written(published: dict[str, Path]) -> None:
    assert sorted(published) == ["alt.txt", "csv", "png", "svg", "vl.json"]
    assert all(path.name.startswith("trending_leeds_2025-09.") for path in published.values())
    assert all(path.stat().st_size > 0 for path in published.values())


def test_png_is_a_png_at_double_scale(published: dict[str, Path]) -> None:
    data = published["png"].read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width = int.from_bytes(data[16:20], "big")
    assert width > 2 * 640


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
