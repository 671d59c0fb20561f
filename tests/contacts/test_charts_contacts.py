"""The contact charts as specs: what they draw, their words, and the reader rules they keep.

Rules (from issue #15): no more than three lines in a panel; month ticks name the year;
time-of-day ticks at most hourly (never 48 rotated labels); day labels under the middle of
their day; every mark colour at least 3:1 against white; text at least 11 px; a missing day is
a gap; alt text written from the data.
"""

from __future__ import annotations

import json
import re
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import contrast
from polars.testing import assert_frame_equal

from insights.contacts.forecast_charts import backtest_chart, common_window, forecast_chart
from insights.contacts.history_charts import contact_history_chart
from insights.contacts.intraday import pool_small_intervals
from insights.contacts.intraday_charts import (
    day_type_lines,
    intraday_profile_chart,
    weekend_days,
)
from insights.contacts.staffing_charts import staffing_chart
from insights.errors import ParameterError
from insights.publish.charts import publish_chart
from insights.publish.render import chart_svg
from insights.publish.theme import GRID, SOURCE_NOTE

MAX_LINES = 3
MIN_CONTRAST = 3.0
MIN_FONT_PX = 11


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    inner = spec.get("spec", spec)
    return inner.get("layer", [inner])


def mark_colours(spec: dict[str, Any]) -> list[str]:
    """Colours of every non-area mark: fixed ``color`` and the range of a colour scale."""
    found = []
    for layer in layers(spec):
        mark = layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}
        if mark["type"] == "area":  # the ranges: light fills, named in the legend
            continue
        if "color" in mark and mark["color"] != GRID:  # gridlines are not data
            found.append(mark["color"])
        scale = layer.get("encoding", {}).get("color", {}).get("scale", {})
        named = zip(scale.get("domain", []), scale.get("range", []), strict=False)
        found += [c for what, c in named if c.startswith("#") and not what.endswith(" range")]
    return found


def rows_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    data = spec.get("data", {})
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def _days(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


@pytest.fixture
def two_years() -> pl.DataFrame:
    """Three channels, daily, two years; phone closed on Sundays, one suppressed week."""
    days = _days(date(2023, 9, 4), 728)
    frame = pl.DataFrame({"ds": days}).join(
        pl.DataFrame({"unique_id": ["chat", "email", "phone"], "base": [1.0, 0.5, 0.9]}),
        how="cross",
    )
    later = pl.col("ds") >= date(2025, 8, 4)
    return frame.select(
        "unique_id",
        "ds",
        pl.when((pl.col("unique_id") == "phone") & (pl.col("ds").dt.weekday() == 7))
        .then(0.0)
        .when(pl.col("ds").is_between(date(2024, 3, 4), date(2024, 3, 10)))
        .then(None)
        .when(later)
        .then(pl.col("base") * 1.1)
        .otherwise(pl.col("base"))
        .alias("y"),
    )


@pytest.fixture
def volume() -> pl.DataFrame:
    """Two weeks ahead: chat every day, phone closed on Sunday 7 September."""
    days = _days(date(2025, 9, 1), 14)
    chat = pl.DataFrame({"unique_id": "chat", "ds": days, "mean": 50.0})
    phone = pl.DataFrame({"unique_id": "phone", "ds": days, "mean": 40.0}).filter(
        pl.col("ds") != date(2025, 9, 7)
    )
    return pl.concat([chat, phone]).with_columns(
        (pl.col("mean") - 10).alias("lo_80"),
        (pl.col("mean") + 10).alias("hi_80"),
        (pl.col("mean") - 15).alias("lo_95"),
        (pl.col("mean") + 15).alias("hi_95"),
    )


@pytest.fixture
def profile() -> pl.DataFrame:
    """Phone weekdays 08:00-18:00 peaking at 10:00, Saturdays 09:00-13:00; closed Sundays."""
    weekday = [
        {"weekday": d, "interval": time(h, m), "contacts": 60 if (h, m) == (10, 0) else 20}
        for d in range(1, 6)
        for h in range(8, 18)
        for m in (0, 30)
    ]
    saturday = [
        {"weekday": 6, "interval": time(h, m), "contacts": 15}
        for h in range(9, 13)
        for m in (0, 30)
    ]
    counts = pl.DataFrame(weekday + saturday).with_columns(unique_id=pl.lit("phone"))
    return pool_small_intervals(counts)


@pytest.fixture
def plan() -> pl.DataFrame:
    days = _days(date(2025, 9, 1), 9)
    return (
        pl.DataFrame({"ds": days})
        .join(pl.DataFrame({"interval": [time(h) for h in range(8, 18)]}), how="cross")
        .with_columns(
            unique_id=pl.lit("phone"),
            agents=pl.lit(3),
            agents_with_shrinkage=pl.when(
                (pl.col("ds") == date(2025, 9, 2)) & (pl.col("interval") == time(10))
            )
            .then(7)
            .otherwise(4),
        )
    )


# --- history -------------------------------------------------------------------------------


def test_history_is_weekly_small_multiples_with_the_forecast_weeks(
    two_years: pl.DataFrame,
) -> None:
    ahead = pl.DataFrame({"unique_id": "chat", "ds": _days(date(2025, 9, 1), 28), "mean": 1.2})
    spec = contact_history_chart(two_years, forecast=ahead).to_dict()
    assert spec["facet"]["row"]["field"] == "unique_id"
    rows = rows_of(spec)
    history = [r for r in rows if r["part"] == "History"]
    assert len(history) == 3 * 104  # a point a week, not 2,184 days
    assert {r["part"] for r in rows} == {"History", "Forecast"}
    # forecast weeks average every calendar day, as the history does (closed days count 0)
    assert {r["y"] for r in rows if r["part"] == "Forecast"} == {1.2}
    # the suppressed week (no known day) is a gap, drawn as a break
    gap = [r for r in history if r["week"].startswith("2024-03-04")]
    assert [r["y"] for r in gap] == [None, None, None]
    line = layers(spec)[1]
    assert line["mark"]["invalid"] == "break-paths-filter-domains"


def test_history_ticks_name_the_year_and_title_states_the_change(
    two_years: pl.DataFrame,
) -> None:
    spec = contact_history_chart(two_years).to_dict()
    axis = layers(spec)[0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%b %Y"
    assert axis["tickCount"] == {"interval": "month", "step": 3}
    assert spec["title"]["text"] == "Contact rate up 10% on a year ago (last 4 weeks)"
    assert spec["description"] == (
        "Weekly average of contacts a day per 1,000 active customers for chat, email and "
        "phone, from September 2023 to August 2025. Chat: 1.1 in the last 4 weeks, up 10% on "
        "the same weeks a year earlier. Email: 0.55 in the last 4 weeks, up 10% on the same "
        "weeks a year earlier. Phone: 0.85 in the last 4 weeks, up 10% on the same weeks a "
        "year earlier."
    )
    assert " ".join(spec["title"]["subtitle"]).endswith(SOURCE_NOTE)


def test_history_without_a_year_before_says_week_by_week() -> None:
    short = pl.DataFrame({"ds": _days(date(2025, 6, 2), 30), "y": 1.0})
    spec = contact_history_chart(short).to_dict()
    assert spec["title"]["text"] == "Contact rate, week by week"
    assert "contacts a day per 1,000 active customers" in spec["description"]
    assert "no earlier year to compare" in spec["description"]


# --- forecast ------------------------------------------------------------------------------


def test_forecast_layers_legend_and_gaps(two_years: pl.DataFrame, volume: pl.DataFrame) -> None:
    spec = forecast_chart(two_years, volume, zeros_closed=True).to_dict()
    marks = [layer["mark"]["type"] for layer in layers(spec)]
    assert marks == ["area", "area", "line", "line"]
    legend = layers(spec)[0]["encoding"]["color"]["scale"]["domain"]
    assert legend == ["History", "Forecast", "80% range", "95% range"]
    rows = rows_of(spec)
    # phone's closed Sunday is a null row in the forecast (a gap), not a bridge
    ahead = [r for r in rows if r["unique_id"] == "phone" and r["part"] == "Forecast"]
    sunday = [r for r in ahead if r["ds"].startswith("2025-09-07")]
    assert [r["mean"] for r in sunday] == [None]
    # closed days in the history (phone's Sunday zeros) are gaps too
    assert not [r for r in rows if r["part"] == "History" and r["y"] == 0]


def test_forecast_keeps_the_days_every_channel_covers(volume: pl.DataFrame) -> None:
    longer = pl.concat(
        [
            volume,
            volume.filter(pl.col("unique_id") == "phone")
            .tail(1)
            .with_columns(ds=pl.lit(date(2025, 9, 15))),
        ]
    )
    assert common_window(longer)["ds"].max() == date(2025, 9, 14)


def test_forecast_words_come_from_the_data(two_years: pl.DataFrame, volume: pl.DataFrame) -> None:
    spec = forecast_chart(
        two_years.with_columns(pl.col("y") * 40), volume, zeros_closed=True
    ).to_dict()
    assert spec["title"]["text"] == "About 1,220 contacts expected from 1 to 14 September 2025"
    assert spec["description"] == (
        "Contacts a day per channel for the last weeks and the forecast for 1 to 14 September "
        "2025, with 80% and 95% ranges. Chat: about 700 expected against 616 in the 14 days "
        "before; busiest Monday 1 September, 50 (80% range 40 to 60). Phone: about 520 "
        "expected against 475 in the 14 days before; busiest Monday 1 September, 40 (80% "
        "range 30 to 50)."
    )


def test_forecast_needs_its_ranges(two_years: pl.DataFrame, volume: pl.DataFrame) -> None:
    with pytest.raises(ParameterError, match="lo_95"):
        forecast_chart(two_years, volume.drop("lo_95"))


# --- backtest ------------------------------------------------------------------------------


def test_backtest_speaks_plain_words() -> None:
    scores = pl.DataFrame(
        {
            "unique_id": ["phone"] * 3,
            "model": ["uc", "stl_ets", "snaive"],
            "mase": [0.6, 0.7, 0.67],
            "mase_vs_snaive": [0.9, 1.05, 1.0],
        }
    )
    spec = backtest_chart(scores).to_dict()
    methods = [r["method"] for r in rows_of(spec)]
    assert methods == [
        "Trend + weekly and yearly pattern",
        "Weekly pattern removed, then smoothed",
        "Same day last week",
    ]
    words = " ".join(
        [
            spec["title"]["text"],
            *spec["title"]["subtitle"],
            spec["description"],
            layers(spec)[0]["encoding"]["x"]["title"],
            *methods,
        ]
    )
    for jargon in ("uc", "stl_ets", "snaive", "MASE", "unique_id", "naive"):
        assert not re.search(rf"\b{jargon}\b", words), jargon
    assert spec["title"]["text"] == (
        "The chosen method makes 10% smaller errors than repeating last week"
    )
    assert spec["description"].endswith(
        "The method used per channel: phone, trend + weekly and yearly pattern (0.90)."
    )


# --- intraday ------------------------------------------------------------------------------


def test_intraday_has_two_lines_and_hourly_ticks(profile: pl.DataFrame) -> None:
    spec = intraday_profile_chart(profile).to_dict()
    rows = rows_of(spec)
    assert {r["day_type"] for r in rows} == {"Weekdays", "Weekends"}
    axis = layers(spec)[0]["encoding"]["x"]["axis"]
    assert axis["values"] == list(range(8, 19))
    assert "labelAngle" not in axis
    assert spec["title"]["text"] == "Weekday contacts peak at 10:00"
    assert spec["description"] == (
        "Share of each day's contacts per half hour for phone, weekdays and weekends apart. "
        "Phone peaks on weekdays at 10:00 (14%), at weekends at 09:00 (12%)."
    )


def test_a_sunday_to_thursday_week_draws_its_sundays_with_the_weekdays() -> None:
    """Weekends are the country's (Friday and Saturday in Saudi Arabia), not assumed."""
    rows = [
        {"unique_id": "phone", "weekday": d, "interval": t, "contacts": n}
        for d in (7, 1, 2, 3, 4)  # Sunday to Thursday; closed on Friday and Saturday
        for t, n in ((time(9), 30), (time(12), 10 if d == 7 else 50))
    ]
    profile = pool_small_intervals(pl.DataFrame(rows).cast({"weekday": pl.Int8}))
    assert weekend_days("SA") == (5, 6)
    lines = day_type_lines(profile, weekend=weekend_days("SA"))
    assert lines["day_type"].unique().to_list() == ["Weekdays"]
    assert dict(zip(lines["time"], lines["share"], strict=True)) == pytest.approx(
        {"09:00": 150 / 360, "12:00": 210 / 360}
    )
    spec = intraday_profile_chart(profile, weekend=weekend_days("SA")).to_dict()
    assert spec["description"].endswith("weekdays only. Phone peaks on weekdays at 12:00 (58%).")
    # with Saturday and Sunday assumed, the working Sunday was drawn as a weekend
    assert set(day_type_lines(profile)["day_type"]) == {"Weekdays", "Weekends"}


def test_weekend_days_of_an_unknown_country_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="no country 'XX'"):
        weekend_days("XX")


def _quiet_evenings() -> pl.DataFrame:
    """Phone, Monday and Tuesday: busy mornings, evenings of 2 to 4 contacts (pooled)."""
    counts = {
        1: {time(9): 40, time(9, 30): 30, time(17): 3, time(17, 30): 4, time(18): 5},
        2: {time(9): 50, time(9, 30): 20, time(17): 2, time(18): 2, time(18, 30): 12},
    }
    rows = [
        {"unique_id": "phone", "weekday": d, "interval": t, "contacts": n}
        for d, day in counts.items()
        for t, n in day.items()
    ]
    return pool_small_intervals(pl.DataFrame(rows).cast({"weekday": pl.Int8}))


def test_intraday_draws_a_pooled_half_hour_at_its_block_share_not_zero() -> None:
    profile = _quiet_evenings()
    monday = profile.filter(pl.col("weekday") == 1)
    # Monday's 3 + 4 + 5 evening contacts are one block of 12 over 17:00-18:00
    assert monday.filter("pooled")["share"].to_list() == pytest.approx([4 / 82] * 3)
    lines = day_type_lines(monday)
    drawn = {r["time"]: r["share"] for r in rows_of(intraday_profile_chart(monday).to_dict())}
    assert drawn == pytest.approx(dict(zip(lines["time"], lines["share"], strict=True)))
    assert drawn == pytest.approx(
        {"09:00": 40 / 82, "09:30": 30 / 82, "17:00": 4 / 82, "17:30": 4 / 82, "18:00": 4 / 82}
    )


def test_intraday_weekday_line_weights_each_weekday_by_its_contacts() -> None:
    # Monday 82 contacts, Tuesday 86 (2 + 2 at 17:00 and 18:00 pooled with 12 at 18:30: 16
    # over four half hours); the weekday line is their contacts per half hour over 168
    lines = day_type_lines(_quiet_evenings())
    assert lines.columns == ["unique_id", "day_type", "time", "hour", "share", "pooled"]
    assert dict(zip(lines["time"], lines["share"], strict=True)) == pytest.approx(
        {
            "09:00": 90 / 168,
            "09:30": 50 / 168,
            "17:00": (4 + 4) / 168,
            "17:30": (4 + 4) / 168,
            "18:00": (4 + 4) / 168,
            "18:30": 4 / 168,
        }
    )
    assert lines.filter("pooled")["time"].to_list() == ["17:00", "17:30", "18:00", "18:30"]


def test_intraday_weekday_pooled_throughout_takes_the_other_weekdays_weight() -> None:
    # Wednesday: 48 half hours of 3 contacts, one block; its total cannot be read back, so it
    # weighs what the channel's other weekdays weigh on average (82 and 86 contacts)
    wednesday = pl.DataFrame(
        {
            "unique_id": "phone",
            "weekday": 3,
            "interval": [time(h, m) for h in range(24) for m in (0, 30)],
            "contacts": 3,
        }
    ).cast({"weekday": pl.Int8})
    profile = pl.concat([_quiet_evenings(), pool_small_intervals(wednesday)])
    lines = day_type_lines(profile)
    assert lines.height == 48
    night = lines.filter(pl.col("time") == "03:00")["share"].item()
    assert night == pytest.approx((84 / 48) / (82 + 86 + 84))


def test_intraday_chart_publishes_only_the_drawn_lines(tmp_path: Path) -> None:
    profile = _quiet_evenings()
    paths = publish_chart(intraday_profile_chart(profile), name="intraday", out_dir=tmp_path)
    # its panel fills the blog width (the subtitle is wider than the chart's own panel)
    assert json.loads(paths["vl.json"].read_text())["spec"]["width"] > 600
    published = pl.read_csv(paths["csv"])
    assert_frame_equal(published, day_type_lines(profile), check_dtypes=False)
    assert "contacts" not in published.columns
    spec = json.loads(paths["vl.json"].read_text())
    assert all("contacts" not in row for rows in spec["datasets"].values() for row in rows)


# --- staffing ------------------------------------------------------------------------------


def test_staffing_day_labels_sit_at_noon(plan: pl.DataFrame) -> None:
    spec = staffing_chart(plan).to_dict()
    bars = layers(spec)[1]
    noons = bars["encoding"]["x"]["axis"]["values"]
    assert len(noons) == 7
    assert all(n["hours"] == 12 for n in noons)
    assert [n["date"] for n in noons] == list(range(1, 8))
    assert bars["encoding"]["x2"]["field"] == "end"
    assert spec["title"]["text"] == "Up to 7 agents at once in the first week"
    assert spec["description"] == (
        "Bars of agents to schedule per half hour for phone, 1 to 7 September 2025. Phone "
        "peaks at 7 agents on Tuesday 2 September at 10:00."
    )


def test_staffing_without_live_channels_says_so(plan: pl.DataFrame) -> None:
    spec = staffing_chart(plan.clear()).to_dict()
    assert spec["description"] == (
        "No live channel (phone or chat) is in scope, so no agents are planned."
    )


# --- rules on every chart ------------------------------------------------------------------


@pytest.fixture
def every_chart(
    two_years: pl.DataFrame, volume: pl.DataFrame, profile: pl.DataFrame, plan: pl.DataFrame
) -> dict[str, Any]:
    scores = pl.DataFrame(
        {"unique_id": "phone", "model": ["uc", "snaive"], "mase_vs_snaive": [0.9, 1.0]}
    )
    return {
        "history": contact_history_chart(two_years),
        "forecast": forecast_chart(two_years, volume),
        "backtest": backtest_chart(scores),
        "intraday": intraday_profile_chart(profile),
        "staffing": staffing_chart(plan),
    }


def test_every_mark_colour_has_contrast(every_chart: dict[str, Any]) -> None:
    for name, chart in every_chart.items():
        colours = mark_colours(chart.to_dict())
        assert colours, name
        weak = [c for c in colours if contrast(c) < MIN_CONTRAST]
        assert not weak, f"{name}: {weak}"


def test_no_panel_has_more_than_three_lines(every_chart: dict[str, Any]) -> None:
    for name, chart in every_chart.items():
        spec = chart.to_dict()
        lines = 0
        for layer in layers(spec):
            mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
            if mark != "line":
                continue
            colour = layer["encoding"].get("color", {})
            if "field" in colour and "scale" in colour and "transform" not in layer:
                lines += len(colour["scale"]["domain"])
            else:
                lines += 1
        assert lines <= MAX_LINES, name


def test_every_chart_has_a_specific_description(every_chart: dict[str, Any]) -> None:
    for name, chart in every_chart.items():
        spec = chart.to_dict()
        assert spec["description"].startswith(("Weekly", "Contacts", "Bars", "Share")), name
        assert re.search(r"\d", spec["description"]), name  # a figure from the data


def test_rendered_text_is_at_least_11_px_and_ticks_are_few(every_chart: dict[str, Any]) -> None:
    for name in ("history", "intraday", "staffing"):
        svg = chart_svg(every_chart[name].to_dict())
        sizes = [float(s) for s in re.findall(r'font-size="?([\d.]+)px', svg)]
        sizes += [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
        assert sizes, name
        assert min(sizes) >= MIN_FONT_PX, name
        assert "rotate(" not in svg.split("role-axis-label", 1)[-1][:2000] or name != "intraday"
    intraday = chart_svg(every_chart["intraday"].to_dict())
    labels = re.findall(r">(\d\d:00)<", intraday)
    assert 0 < len(labels) <= 13


def test_forecast_of_another_measure_names_it(volume: pl.DataFrame) -> None:
    # the customer-growth report draws accounts with the same chart
    history = pl.DataFrame({"unique_id": "chat", "ds": [date(2025, 8, 31)], "y": [0.0]})
    spec = forecast_chart(history, volume, y_title="Accounts", title="Growth").to_dict()
    assert spec["title"]["text"] == "Growth"
    assert spec["description"].startswith("Accounts a day per channel")
    assert layers(spec)[0]["encoding"]["y"]["title"] == "Accounts"
    assert [r["y"] for r in rows_of(spec) if r["part"] == "History"] == [0.0]  # a true zero


def test_every_chart_fits_a_phone_with_readable_text(every_chart: dict[str, Any]) -> None:
    # the report page swaps in a rendition redrawn at the phone's width (never scaled down)
    from insights.publish.render import PHONE_WIDTH, fit_width

    for name, chart in every_chart.items():
        svg = chart_svg(fit_width(chart.to_dict(), PHONE_WIDTH))
        width = float(re.search(r'<svg\b[^>]*?\swidth="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
        assert width <= PHONE_WIDTH + 1, name
        sizes = [float(s) for s in re.findall(r'font-size="?([\d.]+)px', svg)]
        assert min(sizes) >= MIN_FONT_PX, name
