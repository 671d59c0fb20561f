from datetime import date, time
from typing import Any

import polars as pl
import pytest

from insights.contacts.charts import (
    backtest_chart,
    contact_history_chart,
    forecast_chart,
    intraday_profile_chart,
    staffing_chart,
)
from insights.errors import ParameterError
from insights.publish.theme import SOURCE_NOTE


def _title_block(spec: dict[str, Any]) -> tuple[str, list[str]]:
    return spec["title"]["text"], spec["title"]["subtitle"]


@pytest.fixture
def history() -> pl.DataFrame:
    return pl.DataFrame(
        {"ds": [date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 4)], "y": [10.0, 12.0, 9.0]}
    )


@pytest.fixture
def forecast() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ds": [date(2025, 6, 5), date(2025, 6, 6)],
            "model": ["uc", "uc"],
            "mean": [11.0, 10.0],
            "lo_80": [9.0, 8.0],
            "hi_80": [13.0, 12.0],
            "lo_95": [8.0, 7.0],
            "hi_95": [14.0, 13.0],
        }
    )


def test_history_chart(history: pl.DataFrame) -> None:
    spec = contact_history_chart(history).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"] == {"field": "ds", "type": "temporal", "title": None}
    assert spec["encoding"]["y"]["type"] == "quantitative"
    title, subtitle = _title_block(spec)
    assert title == "Daily contacts"
    assert " ".join(subtitle).endswith(SOURCE_NOTE)  # wrapped into lines by the theme


def test_history_chart_colours_series(history: pl.DataFrame) -> None:
    spec = contact_history_chart(history.with_columns(unique_id=pl.lit("phone"))).to_dict()
    assert spec["encoding"]["color"]["field"] == "unique_id"
    assert spec["encoding"]["color"]["type"] == "nominal"


def test_forecast_chart_has_bands_and_lines(history: pl.DataFrame, forecast: pl.DataFrame) -> None:
    spec = forecast_chart(history, forecast).to_dict()
    layers = spec["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["area", "area", "line", "line"]
    assert layers[0]["encoding"]["y"]["field"] == "lo_95"
    assert layers[0]["encoding"]["y2"]["field"] == "hi_95"
    assert layers[1]["encoding"]["y"]["field"] == "lo_80"
    assert all(layer["encoding"]["x"]["type"] == "temporal" for layer in layers)
    assert "80% / 95%" in spec["title"]["subtitle"][0]


def test_forecast_chart_needs_bounds(history: pl.DataFrame, forecast: pl.DataFrame) -> None:
    with pytest.raises(ParameterError, match="lo_95"):
        forecast_chart(history, forecast.drop("lo_95"))


def test_backtest_chart() -> None:
    scores = pl.DataFrame({"model": ["uc", "ets", "snaive"], "mase": [0.6, 0.75, 1.0]})
    spec = backtest_chart(scores).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "mase"
    assert spec["encoding"]["x"]["type"] == "quantitative"
    assert spec["encoding"]["y"] == {
        "field": "model",
        "type": "nominal",
        "title": None,
        "sort": "x",
    }
    assert "MASE" in spec["title"]["subtitle"][0]


def test_backtest_chart_facets_series() -> None:
    scores = pl.DataFrame({"unique_id": ["a", "b"], "model": ["uc", "uc"], "mase": [0.6, 0.7]})
    spec = backtest_chart(scores, metric="mase").to_dict()
    assert spec["facet"]["row"]["field"] == "unique_id"


def test_intraday_profile_chart() -> None:
    profile = pl.DataFrame(
        {"weekday": [1, 1, 2], "interval": [time(9), time(9, 30), time(9)], "share": [0.6, 0.4, 1]}
    )
    spec = intraday_profile_chart(profile).to_dict()
    assert spec["encoding"]["x"]["type"] == "ordinal"
    assert spec["encoding"]["color"]["field"] == "day"
    rows = next(iter(spec["datasets"].values()))
    assert [r["day"] for r in rows] == ["Mon", "Mon", "Tue"]
    assert [r["time"] for r in rows] == ["09:00", "09:30", "09:00"]


def test_staffing_chart() -> None:
    staffing = pl.DataFrame(
        {
            "ds": [date(2025, 6, 2)] * 2,
            "interval": [time(9), time(9, 30)],
            "agents": [14, 10],
            "agents_with_shrinkage": [20, 15],
        }
    )
    spec = staffing_chart(staffing).to_dict()
    bars, line = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["field"] == "agents_with_shrinkage"
    assert line["encoding"]["y"]["field"] == "agents"
    assert bars["encoding"]["x"]["type"] == "temporal"
    assert spec["title"]["text"] == "Agents needed"


def test_forecast_chart_has_one_panel_per_channel() -> None:
    history = pl.DataFrame(
        {"unique_id": ["chat", "phone"], "ds": [date(2025, 6, 2)] * 2, "y": [10.0, 20.0]}
    )
    forecast = pl.DataFrame(
        {
            "unique_id": ["chat", "phone"],
            "ds": [date(2025, 6, 3)] * 2,
            "mean": [11.0, 21.0],
            "lo_80": [9.0, 19.0],
            "hi_80": [13.0, 23.0],
            "lo_95": [8.0, 18.0],
            "hi_95": [14.0, 24.0],
        }
    )
    spec = forecast_chart(history, forecast).to_dict()
    assert spec["facet"]["row"]["field"] == "unique_id"
    assert [layer["mark"]["type"] for layer in spec["spec"]["layer"]] == [
        "area",
        "area",
        "line",
        "line",
    ]


def test_staffing_chart_shows_the_first_week_per_channel() -> None:
    days = pl.date_range(date(2025, 6, 2), date(2025, 6, 15), eager=True)
    plan = pl.DataFrame(
        {
            "unique_id": "phone",
            "ds": days,
            "interval": time(9),
            "agents": 3,
            "agents_with_shrinkage": 5,
        }
    )
    spec = staffing_chart(plan).to_dict()
    assert spec["facet"]["row"]["field"] == "unique_id"
    shown = {row["start"][:10] for row in spec["datasets"][spec["data"]["name"]]}
    assert len(shown) == 7


def test_interval_charts_render_through_vl_convert(tmp_path: Any) -> None:
    # A polars time column in chart data used to break JSON serialisation at export.
    from insights.publish.charts import publish_chart

    profile = pl.DataFrame(
        {"unique_id": "phone", "weekday": [1, 1], "interval": [time(9), time(9, 30)]}
    ).with_columns(share=pl.Series([0.6, 0.4]))
    plan = pl.DataFrame(
        {
            "unique_id": "phone",
            "ds": [date(2025, 6, 2)] * 2,
            "interval": [time(9), time(9, 30)],
            "agents": [3, 2],
            "agents_with_shrinkage": [5, 3],
        }
    )
    for name, chart, data in (
        ("profile", intraday_profile_chart(profile), profile),
        ("staffing", staffing_chart(plan), plan),
    ):
        files = publish_chart(chart, data, name=name, out_dir=tmp_path, alt_text=name)
        assert files["svg"].read_text().startswith("<svg")
