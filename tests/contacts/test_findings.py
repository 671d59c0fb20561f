"""The contact report's words and reader tables, pinned on small frames."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from insights.contacts.findings import contact_findings, contact_scope, tracking_note
from insights.contacts.forecast_charts import common_window
from insights.contacts.tables import (
    backtest_table,
    daily_forecast_table,
    staffing_table,
    tracking_table,
)
from insights.errors import ParameterError
from insights.forecasting.labels import model_label
from insights.publish.display import show
from insights.reports.html import forecast_last_day, report_heading

AS_OF = date(2025, 8, 31)
AHEAD = [date(2025, 9, 1) + timedelta(days=i) for i in range(14)]


def rates_frame(*, days: int = 728) -> pl.DataFrame:
    """Phone and chat at 1.0 and 0.5 per 1,000 a day, 10% higher in the last 4 weeks."""
    history = [AS_OF - timedelta(days=i) for i in range(days)]
    return (
        pl.DataFrame({"ds": history})
        .join(pl.DataFrame({"unique_id": ["chat", "phone"], "base": [0.5, 1.0]}), how="cross")
        .select(
            "unique_id",
            "ds",
            pl.when(pl.col("ds") > AS_OF - timedelta(days=28))
            .then(pl.col("base") * 1.1)
            .otherwise(pl.col("base"))
            .alias("rate"),
        )
    )


def forecast_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rate and volume for two weeks: chat every day, phone closed on Sundays."""
    rate = (
        pl.DataFrame({"ds": AHEAD})
        .join(pl.DataFrame({"unique_id": ["chat", "phone"], "mean": [0.6, 1.2]}), how="cross")
        .filter((pl.col("unique_id") == "chat") | (pl.col("ds").dt.weekday() != 7))
        .with_columns(model=pl.lit("uc"))
    )
    busier = pl.when(pl.col("ds") == date(2025, 9, 2)).then(1.2).otherwise(1.0)
    volume = rate.with_columns(
        (pl.col("mean") * 40 * busier).alias("mean"),
        (pl.col("mean") * 32 * busier).alias("lo_80"),
        (pl.col("mean") * 48 * busier).alias("hi_80"),
    )
    return rate, volume


def errors_frame() -> pl.DataFrame:
    """Held-out days of two models per channel over 4 windows; `uc` is the chosen one."""
    chosen = [1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 0.0]  # one sign in windows 0 and 1
    other = [3.0, -3.0] * 4  # opposite signs: would make the days look independent
    return pl.concat(
        pl.DataFrame(
            {
                "unique_id": channel,
                "model": model,
                "window": [0, 0, 1, 1, 2, 2, 3, 3],
                "y": [10.0 + e for e in errors],
                "mean": 10.0,
                "sd": 1.0,
            }
        )
        for channel in ("chat", "phone")
        for model, errors in (("uc", chosen), ("snaive", other))
    )


def plan_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": ["chat", "phone", "phone"],
            "ds": [date(2025, 9, 1), date(2025, 9, 1), date(2025, 9, 2)],
            "interval": [time(11, 30), time(10), time(10, 30)],
            "agents_with_shrinkage": [5, 6, 6],
        }
    )


def test_findings_of_all_contacts() -> None:
    rate, volume = forecast_frames()
    found = contact_findings(
        rates_frame(), rate, volume, plan_frame(), as_of=AS_OF, errors=errors_frame()
    )
    # the total's range: the chosen model's days correlate at 5/9 (forecast_total; the other
    # model's errors are left out), narrower than the 26 daily ranges added up (741 to 1,112)
    assert found.summary == (
        "From 1 to 14 September 2025 we expect about 926 contacts (likely 759 to 1,094) by chat "
        "and phone, 1.6 a day for every 1,000 active customers: up 9% on the same weeks last "
        "year and down 1% on the last 2 weeks. The busiest day is Tuesday 2 September, with "
        "about 86 contacts (likely 69 to 104). Phone needs up to 6 agents scheduled in one "
        "half hour (Monday 1 September at 10:00, allowing for breaks and absence), chat up to "
        "5. No earlier forecast can be checked against what happened yet."
    )
    assert found.figures == (
        ("Contacts expected", "926", "1 to 14 September 2025, chat and phone; likely 759 to 1,094"),
        ("Contacts a day per 1,000 customers", "1.6", "up 9% on the same weeks last year"),
        ("Busiest day", "86 contacts", "Tuesday 2 September; likely 69 to 104"),
        ("Most agents at once", "6 agents", "phone, Monday 1 September at 10:00"),
    )


def test_findings_give_no_range_without_held_out_days_of_the_chosen_models() -> None:
    # only the other model's days: no measure of how the chosen one's errors move together
    rate, volume = forecast_frames()
    other = errors_frame().filter(pl.col("model") == "snaive")
    found = contact_findings(rates_frame(), rate, volume, plan_frame(), as_of=AS_OF, errors=other)
    assert found.summary.startswith("From 1 to 14 September 2025 we expect about 926 contacts by")
    assert found.figures[0][2] == "1 to 14 September 2025, chat and phone"


def test_findings_name_the_tags_and_say_when_there_is_no_live_channel() -> None:
    rate, volume = forecast_frames()
    found = contact_findings(
        rates_frame(days=200),
        rate,
        volume,
        plan_frame().clear(),
        as_of="2025-08-31",
        tags=["card_lost"],
    )
    # no held-out errors given: the total has no range
    assert found.summary.startswith(
        "From 1 to 14 September 2025 we expect about 926 contacts tagged card lost by chat "
        "and phone, 1.6 a day for every 1,000 active customers: down 1% on the last 2 weeks."
    )
    assert "No phone or chat contacts are in scope, so no agents are planned" in found.summary
    assert found.figures[1] == (
        "Contacts a day per 1,000 customers",
        "1.6",
        "down 1% on the last 2 weeks",
    )
    assert [label for label, _, _ in found.figures] == [
        "Contacts expected",
        "Contacts a day per 1,000 customers",
        "Busiest day",
    ]


def test_findings_say_how_earlier_forecasts_did() -> None:
    rate, volume = forecast_frames()
    scored = pl.DataFrame(
        {
            "as_of": [date(2025, 8, 3)] * 4,
            "unique_id": ["phone"] * 4,
            "scaled_error": [0.5, 0.7, 0.9, 0.7],
            "inside_80": [True, True, True, False],
        }
    )
    found = contact_findings(rates_frame(), rate, volume, plan_frame(), as_of=AS_OF, scored=scored)
    assert found.summary.endswith(
        "Checked on 4 days that have happened since, our earlier forecasts' errors were 30% "
        "smaller than the usual change from a day to the same day a week before, and 75% of "
        "days fell inside their 80% range."
    )
    assert found.figures[-1] == (
        "Earlier forecasts",
        "30% smaller",
        "errors than the usual week-on-week change; 75% of days in the 80% range",
    )


def test_the_report_period_is_its_calendar_days() -> None:
    _, volume = forecast_frames()
    later = volume.filter(pl.col("unique_id") == "phone").with_columns(
        pl.col("ds") + timedelta(days=14)
    )
    longer = pl.concat([volume, later])
    assert common_window(longer, days=14)["ds"].max() == date(2025, 9, 14)
    assert common_window(longer)["ds"].max() == date(2025, 9, 14)  # chat's last day


def test_findings_refuse_a_forecast_before_as_of() -> None:
    rate, volume = forecast_frames()
    with pytest.raises(ParameterError, match="must start after as_of"):
        contact_findings(rates_frame(), rate, volume, plan_frame(), as_of=date(2025, 9, 30))


def test_findings_name_a_missing_column() -> None:
    rate, volume = forecast_frames()
    with pytest.raises(ParameterError, match="hi_80"):
        contact_findings(rates_frame(), rate, volume.drop("hi_80"), plan_frame(), as_of=AS_OF)


def test_scope_words() -> None:
    assert contact_scope([]) == "all contacts"
    assert contact_scope(["fraud", "card_lost"]) == "contacts tagged fraud or card lost"
    assert contact_scope("fraud") == "contacts tagged fraud"


def test_page_title_names_scope_and_period() -> None:
    params = {"as_of": "2025-08-31", "horizon_days": "28", "tags": ["fraud"]}
    assert report_heading("Contact rate forecast", params) == (
        "Contact rate forecast: contacts tagged fraud, 1 to 28 September 2025"
    )
    assert report_heading("Contact rate forecast", {**params, "tags": []}) == (
        "Contact rate forecast: all contacts, 1 to 28 September 2025"
    )


def test_tracking_note_first_run_and_drift() -> None:
    empty = pl.DataFrame(schema={"kind": pl.String, "as_of": pl.Date, "ds": pl.Date})
    assert tracking_note(empty, pl.DataFrame()).startswith(
        "No earlier forecast is archived yet (a first run)"
    )
    archive = pl.DataFrame(
        {
            "kind": ["forecast"] * 2,
            "as_of": [date(2025, 7, 6), date(2025, 8, 3)],
            "ds": [date(2025, 7, 7), date(2025, 8, 4)],
        }
    )
    scored = pl.DataFrame(
        {
            "as_of": [date(2025, 7, 6)] * 20,
            "unique_id": ["phone"] * 20,
            "scaled_error": [1.2] * 20,
            "inside_80": [False] * 20,
        }
    )
    assert tracking_note(archive, scored) == (
        "Of the 2 earlier forecasts (made from 6 July 2025 to 3 August 2025), 1 could be "
        "checked on 20 days so far: its errors were 20% larger than the usual change from a "
        "day to the same day a week before, and 0% of days fell inside the 80% range. The "
        "ranges of phone held too few or too many days: check them before relying on them."
    )


# --- reader tables -------------------------------------------------------------------------


def test_backtest_table_in_plain_words() -> None:
    scores = pl.DataFrame(
        {
            "unique_id": ["phone"] * 3,
            "model": ["snaive", "uc", "ets"],
            "mase_vs_snaive": [1.0, 0.9, 0.95],
            "calibrated_coverage_80": [0.7, 0.8, 0.85],
            "calibrated_coverage_95": [0.9, 0.95, 0.96],
        }
    )
    table = backtest_table(scores)
    assert table.rows() == [
        ("phone", "Trend + weekly and yearly pattern", 0.9, 0.8, 0.95, "yes"),
        ("phone", "Smoothed level + weekly pattern", 0.95, 0.85, 0.96, ""),
        ("phone", "Same day last week", 1.0, 0.7, 0.9, ""),
    ]
    page = show(table)._repr_html_()
    for label in (">Channel<", ">Method<", ">Error vs same day last week<"):
        assert label in page
    assert ">Share of days in 80% range<" in page
    assert ">80%<" in page  # a share shown as a percentage
    for jargon in ("uc", "snaive", "mase", "unique_id"):
        assert f">{jargon}<" not in page.lower()


def test_daily_forecast_table_has_a_column_per_channel() -> None:
    _, volume = forecast_frames()
    table = daily_forecast_table(volume)
    assert table.columns == ["day", "chat", "phone", "all_channels"]
    assert table.row(6) == ("Sun 7 Sep", "24 (19 to 29)", "closed", "24")
    page = show(table)._repr_html_()
    assert ">All channels<" in page and ">Phone<" in page


def test_a_rare_tag_shows_channels_that_add_up_to_the_total() -> None:
    # whole numbers showed "0 (0 to 0)" per channel beside a total of 1
    volume = pl.DataFrame(
        {
            "unique_id": ["chat", "email", "phone"],
            "ds": [date(2025, 9, 1)] * 3,
            "mean": [0.44, 0.31, 0.38],
            "lo_80": [0.0, 0.0, 0.0],
            "hi_80": [0.49, 0.46, 0.47],
        }
    )
    assert daily_forecast_table(volume).row(0) == (
        "Mon 1 Sep",
        "0.4 (0.0 to 0.5)",
        "0.3 (0.0 to 0.5)",
        "0.4 (0.0 to 0.5)",
        "1.1",
    )
    busy = volume.with_columns(pl.col("mean", "lo_80", "hi_80") * 3000)
    assert daily_forecast_table(busy).row(0)[1:] == (
        "1,320 (0 to 1,470)",
        "930 (0 to 1,380)",
        "1,140 (0 to 1,410)",
        "3,390",
    )


def test_staffing_table_labels() -> None:
    staffing = pl.DataFrame(
        {
            "unique_id": ["chat", "phone", "chat"],
            "ds": [date(2025, 9, 6), date(2025, 9, 6), date(2025, 9, 7)],
            "peak_agents": [5, 6, 3],
            "agent_hours": [44.5, 60.0, 30.0],
        }
    )
    table = staffing_table(staffing)
    assert table.rows() == [("Sat 6 Sep", 5, 45, 6, 60), ("Sun 7 Sep", 3, 30, 0, 0)]
    page = show(table)._repr_html_()
    assert ">Phone peak agents<" in page and ">Chat agent hours<" in page
    assert "&lt;10" not in page  # a closed day is 0, not a suppressed cell


def test_tracking_table_and_model_words() -> None:
    accuracy = pl.DataFrame(
        {
            "unique_id": ["phone"],
            "horizon_week": [2],
            "forecasts": [3],
            "n_days": [18],
            "mase": [0.7],
            "coverage_80": [0.5],
            "drift": [True],
        }
    )
    assert tracking_table(accuracy).to_dicts() == [
        {
            "unique_id": "phone",
            "week_ahead": 2,
            "forecasts": 3,
            "error_vs_usual_weekly_change": 0.7,
            "share_of_days_in_80%_range": 0.5,
            "check_the_ranges": "yes",
        }
    ]
    assert model_label("snaive") == "same day last week"


def test_a_weekday_line_is_titled_with_the_days_its_summary_names(tmp_path: Path) -> None:
    # a Monday-Friday line forecast for 28 days from Sunday 31 August: its last forecast
    # day is Friday 26 September, which the summary names; the title said "1 to 28"
    weekdays = [d for d in (AS_OF + timedelta(days=i) for i in range(1, 29)) if d.weekday() < 5]
    pl.DataFrame(
        {"kind": ["actual"] + ["forecast"] * len(weekdays), "ds": [AS_OF, *weekdays]}
    ).write_parquet(tmp_path / "forecast_record.parquet")
    last = forecast_last_day(tmp_path)
    assert last == "2025-09-26"
    params = {"as_of": "2025-08-31", "horizon_days": 28, "tags": []}
    assert report_heading("Contact rate forecast", params, last_day=last) == (
        "Contact rate forecast: all contacts, 1 to 26 September 2025"
    )
    assert forecast_last_day(tmp_path / "no_record") is None
