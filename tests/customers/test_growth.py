"""Customer growth: the daily accounts table, the growth series and their forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import insights as ins
from insights.errors import InsufficientHistoryError, ParameterError


def customers(opened: list[str], closed: list[str | None]) -> pl.DataFrame:
    """Customers with ``opened_at``/``closed_at`` given as UTC ISO strings."""
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(opened))],
            "opened_at": [datetime.fromisoformat(t).replace(tzinfo=UTC) for t in opened],
            "closed_at": [
                None if t is None else datetime.fromisoformat(t).replace(tzinfo=UTC) for t in closed
            ],
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    )


def test_daily_accounts_counts_signups_closures_and_open_accounts() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-01 23:30", "2025-06-03 10:00"],  # 23:30 UTC = 00:30 BST
        ["2025-06-03 12:00", None, None],
    )
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 6, 1), date(2025, 6, 4), eager=True),
            "signups": [1, 1, 1, 0],
            "closures": [0, 0, 1, 0],
            "open_accounts": [1, 2, 2, 2],
        },
        schema_overrides={c: pl.Int64 for c in ("signups", "closures", "open_accounts")},
    )
    assert_frame_equal(ins.daily_accounts(frame, end="2025-06-04"), expected)


def test_daily_accounts_from_a_later_start_carries_the_opening_balance() -> None:
    frame = customers(
        ["2025-05-01 09:00", "2025-05-02 09:00", "2025-06-02 09:00"],
        ["2025-05-20 09:00", None, None],
    )
    got = ins.daily_accounts(frame, start="2025-06-01", end="2025-06-02")
    assert got.rows() == [(date(2025, 6, 1), 0, 0, 1), (date(2025, 6, 2), 1, 0, 2)]


def test_daily_accounts_ignores_what_happens_after_end() -> None:
    frame = customers(["2025-06-01 09:00", "2025-06-09 09:00"], ["2025-06-08 09:00", None])
    got = ins.daily_accounts(frame, end="2025-06-02")
    assert got["open_accounts"].to_list() == [1, 1]
    assert got["closures"].sum() == 0


def test_daily_accounts_matches_the_contact_reports_open_accounts() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-02 22:00", "2025-06-03 10:00", "2025-06-03 11:00"],
        ["2025-06-02 23:30", None, "2025-06-05 08:00", None],
    )
    ours = ins.daily_accounts(frame, end="2025-06-06")
    theirs = ins.open_accounts(frame, start=date(2025, 6, 1), end=date(2025, 6, 6))
    assert ours["open_accounts"].to_list() == theirs["active_customers"].to_list()


def test_daily_accounts_takes_a_lazy_frame() -> None:
    frame = customers(["2025-06-01 09:00"], [None])
    assert ins.daily_accounts(frame.lazy(), end="2025-06-02")["open_accounts"].to_list() == [1, 1]


def test_daily_accounts_from_an_earlier_start_counts_zero_before_the_first_account() -> None:
    frame = customers(["2025-06-02 09:00"], [None])
    got = ins.daily_accounts(frame, start="2025-05-31", end="2025-06-02")
    assert got["open_accounts"].to_list() == [0, 0, 1]


def test_daily_accounts_counts_as_the_accounts_daily_mart() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-02 22:00", "2025-06-03 10:00"],
        ["2025-06-02 23:30", None, "2025-06-05 08:00"],
    )
    mart = ins.accounts_daily(frame, end=date(2025, 6, 6))
    ours = ins.daily_accounts(frame, end="2025-06-06")
    assert ours.rows() == mart.select("day", "signups", "closures", "open_accounts").rows()


def test_growth_series_takes_the_accounts_daily_mart_as_it_is() -> None:
    frame = customers(["2025-06-01 09:00", "2025-06-01 10:00"], ["2025-06-02 12:00", None])
    mart = ins.accounts_daily(frame, end=date(2025, 6, 2))
    assert ins.growth_series(mart).rows() == [
        ("signups", date(2025, 6, 1), 2.0),
        ("signups", date(2025, 6, 2), 0.0),
        ("open_accounts", date(2025, 6, 1), 2.0),
        ("open_accounts", date(2025, 6, 2), 1.0),
    ]


def test_daily_accounts_without_accounts_before_end_says_so() -> None:
    frame = customers(["2025-06-05 09:00"], [None])
    with pytest.raises(ParameterError, match="no account was opened on or before end=2025-06-01"):
        ins.daily_accounts(frame, end="2025-06-01")


def daily(days: int = 4) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 1, 1), date(2025, 1, days), eager=True),
            "signups": list(range(1, days + 1)),
            "closures": [0] * days,
            "open_accounts": [100 + i for i in range(days)],
        }
    )


def test_growth_series_is_long_and_cut_at_as_of() -> None:
    got = ins.growth_series(daily(), as_of="2025-01-02")
    assert got.rows() == [
        ("signups", date(2025, 1, 1), 1.0),
        ("signups", date(2025, 1, 2), 2.0),
        ("open_accounts", date(2025, 1, 1), 100.0),
        ("open_accounts", date(2025, 1, 2), 101.0),
    ]


def test_growth_series_takes_the_marts_day_column() -> None:
    mart = daily().rename({"ds": "day"})
    assert ins.growth_series(mart, series=["open_accounts"])["y"].to_list() == [100, 101, 102, 103]


def test_growth_series_rejects_a_table_without_the_counts() -> None:
    with pytest.raises(ParameterError, match=r"missing \['open_accounts'\].*daily_accounts"):
        ins.growth_series(daily().drop("open_accounts"))


def test_growth_series_rejects_an_as_of_before_the_table() -> None:
    with pytest.raises(InsufficientHistoryError, match="covers 2025-01-01 to 2025-01-04"):
        ins.growth_series(daily(), as_of="2024-06-01")


def test_growth_series_rejects_unknown_series() -> None:
    with pytest.raises(ParameterError, match="choose among"):
        ins.growth_series(daily(), series=["customers"])


def test_growth_forecast_rejects_a_horizon_beyond_a_year() -> None:
    with pytest.raises(ParameterError, match="horizon=400"):
        ins.growth_forecast(daily(), horizon=400)


def test_growth_forecast_covers_every_day_for_open_accounts() -> None:
    days = pl.date_range(date(2025, 1, 1), date(2025, 5, 31), eager=True)
    signups = np.random.default_rng(3).poisson(30, days.len())
    table = pl.DataFrame({"ds": days, "signups": signups}).with_columns(
        open_accounts=5_000 + pl.col("signups").cum_sum()
    )
    got = ins.growth_forecast(
        table, horizon=10, holidays=None, models="snaive", windows=2, series=["open_accounts"]
    )
    assert (
        got["ds"].to_list()
        == pl.date_range(date(2025, 6, 1), date(2025, 6, 10), eager=True).to_list()
    )
    assert (got["lo_95"] <= got["mean"]).all()
    assert (got["mean"] <= got["hi_95"]).all()


def test_contact_volume_takes_the_open_accounts_of_a_growth_forecast() -> None:
    rate = pl.DataFrame(
        {
            "unique_id": ["phone"],
            "ds": [date(2025, 7, 1)],
            "mean": [2.0],
            "lo_80": [2.0],
            "hi_80": [2.0],
        }
    )
    growth = pl.DataFrame(
        {
            "unique_id": ["signups", "open_accounts"],
            "ds": [date(2025, 7, 1)] * 2,
            "model": ["uc", "uc"],
            "mean": [40.0, 50_000.0],
            "lo_80": [40.0, 50_000.0],
            "hi_80": [40.0, 50_000.0],
        }
    )
    assert ins.contact_volume(rate, growth, level=(80,)).row(0) == (
        "phone",
        date(2025, 7, 1),
        100.0,
        100.0,
        100.0,
    )


def stock(days: int, per_day: list[float], *, start: date = date(2025, 1, 1)) -> pl.DataFrame:
    """A daily table whose open accounts grow by ``per_day[i]`` on day ``i`` (no noise)."""
    ds = pl.date_range(start, start + timedelta(days=days - 1), eager=True)
    return pl.DataFrame({"ds": ds, "signups": per_day}).with_columns(
        open_accounts=1_000 + pl.col("signups").cum_sum()
    )


def test_weekly_pace_is_the_mean_weekly_change_over_four_weeks() -> None:
    table = stock(42, [10.0] * 28 + [20.0] * 14)
    pace = ins.weekly_pace(ins.growth_series(table, series=["open_accounts"]).drop("unique_id"))
    assert pace["pace"].head(7).to_list() == [None] * 7  # no week-ago value yet
    assert pace["pace"][27] == 70.0  # 10 a day: 70 a week
    # days 14-27 moved 70 a week, days 28-33 80 to 130 as the new pace came in, then 140
    assert pace["pace"][41] == (14 * 70 + sum(range(80, 140, 10)) + 8 * 140) / 28


def test_horizon_factors_take_the_conformal_quantile_per_week_and_never_shrink() -> None:
    # one window, 14 days: week 1 misses by 5, week 2 by 1 (a lucky week); pace 1
    days = pl.date_range(date(2025, 3, 1), date(2025, 3, 14), eager=True)
    preds = pl.DataFrame({"window": 0, "ds": days, "y": [5.0] * 7 + [1.0] * 7, "mean": 0.0})
    pace = pl.DataFrame({"ds": [date(2025, 2, 28)], "pace": [1.0]})
    got = ins.horizon_factors(preds, pace, level=[80])
    assert got.rows() == [(1, 5.0), (2, 5.0)]  # week 2 is not surer than week 1


def flows_table(signups: list[int], closures: list[int]) -> pl.DataFrame:
    """A daily table from its flows, starting 2025-01-01 with 1,000 open accounts."""
    ds = pl.date_range(
        date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=len(signups) - 1), eager=True
    )
    return pl.DataFrame({"ds": ds, "signups": signups, "closures": closures}).with_columns(
        open_accounts=1_000 + (pl.col("signups") - pl.col("closures")).cum_sum()
    )


def test_weekly_flows_count_accounts_opened_plus_closed_a_week() -> None:
    table = flows_table([10] * 14, [0] * 7 + [4] * 7)
    got = ins.weekly_flows(table, days=7)["pace"].to_list()
    assert got[:6] == [None] * 6  # not a week of days yet
    assert got[6:] == [70.0, 74.0, 78.0, 82.0, 86.0, 90.0, 94.0, 98.0]


def test_weekly_flows_do_not_vanish_when_the_stock_stands_still() -> None:
    table = flows_table([10] * 28, [10] * 28)  # as many open as close: the stock stands still
    assert ins.weekly_flows(table)["pace"][27] == 140.0
    net = ins.weekly_pace(ins.growth_series(table, series=["open_accounts"]).drop("unique_id"))
    assert net["pace"][27] == 1.0  # the net change (clipped at 1) would make every miss huge


def test_weekly_flows_take_closures_from_the_change_in_open_accounts_when_absent() -> None:
    table = flows_table([10] * 14, [0] * 7 + [4] * 7)
    assert_frame_equal(
        ins.weekly_flows(table.drop("closures"), days=7), ins.weekly_flows(table, days=7)
    )


def test_weekly_flows_reject_a_window_under_a_week() -> None:
    with pytest.raises(ParameterError, match="days=3"):
        ins.weekly_flows(flows_table([1] * 10, [0] * 10), days=3)


def test_horizon_factors_weigh_the_later_window_more() -> None:
    # window 0 (earlier) missed by 10 every day, window 1 (later) by 2; pace 1, one week each
    start = [date(2025, 3, 1), date(2025, 3, 8)]
    preds = pl.DataFrame(
        {
            "window": [0] * 7 + [1] * 7,
            "ds": pl.concat([pl.date_range(s, s + timedelta(days=6), eager=True) for s in start]),
            "y": [10.0] * 7 + [2.0] * 7,
            "mean": 0.0,
        }
    )
    pace = pl.DataFrame({"ds": [date(2025, 2, 28), date(2025, 3, 7)], "pace": [1.0, 1.0]})
    # weights: later days 1 (7), earlier days 0.25 (1.75), new day 1: total 9.75.
    # 2 reaches 7 / 9.75 = 71.8%: enough for 70%, not 80% (then 10, the largest)
    got = ins.horizon_factors(preds, pace, level=[70, 80], decay=0.25)
    assert got.rows() == [(1, 2.0, 10.0)]
    # equal weights: 2 reaches 7 / 15 only, so 10 at both levels
    assert ins.horizon_factors(preds, pace, level=[70], decay=1.0).rows() == [(1, 10.0)]


@pytest.mark.parametrize("decay", [0.0, -0.5, 1.5, True])
def test_horizon_factors_reject_a_decay_outside_0_to_1(decay: float) -> None:
    preds = pl.DataFrame({"window": [0], "ds": [date(2025, 3, 1)], "y": [1.0], "mean": 0.0})
    pace = pl.DataFrame({"ds": [date(2025, 2, 28)], "pace": [1.0]})
    with pytest.raises(ParameterError, match="decay"):
        ins.horizon_factors(preds, pace, level=[80], decay=decay)


def test_growth_forecast_takes_open_accounts_from_their_flows() -> None:
    """Open accounts are ``open_accounts_forecast`` of the same days, whatever ``models`` says."""
    rng = np.random.default_rng(2)
    table = flows_table(rng.poisson(20, 140).tolist(), rng.poisson(3, 140).tolist())
    got = ins.growth_forecast(
        table, horizon=21, holidays=None, models="snaive", windows=2, series=["open_accounts"]
    )
    expected = ins.open_accounts_forecast(table, horizon=21).select(
        pl.lit("open_accounts").alias("unique_id"),
        pl.all(),
        pl.lit(value=False).alias("short_history"),
    )
    assert_frame_equal(got, expected)
    assert got["model"].unique().to_list() == ["flows"]


def test_open_accounts_with_too_little_history_fall_back_to_the_plain_forecast() -> None:
    table = stock(30, [10.0] * 30)
    with pytest.warns(ins.ShortHistoryWarning):
        got = ins.growth_forecast(
            table, horizon=7, holidays=None, models="snaive", series=["open_accounts"]
        )
    assert got["short_history"].all()


def test_growth_backtest_scores_the_published_flows_forecast_beside_the_candidates() -> None:
    """Open accounts grow by exactly 10 a day: the flows forecast never misses.

    Seasonal naive repeats last week, 70 short on days 1-7 ahead and 140 on days 8-14, in
    units of its in-sample error (70): MASE 1.5. The flows row's coverage is that of the
    intervals it publishes; the candidates' pooled calibration does not apply (null).
    """
    table = stock(200, [10.0] * 200)
    scores = ins.growth_backtest(table, horizon=14, windows=3, holidays=None, models="snaive")
    columns = ["model", "mase", "n_days", "calibrated_coverage_80", "mase_vs_snaive"]
    got = scores.filter(pl.col("unique_id") == "open_accounts")
    assert got.select(columns).rows() == [
        ("flows", 0.0, 42, 1.0, 0.0),
        ("snaive", 1.5, 42, None, 1.0),
    ]
    assert got.select("coverage_80", "width_80", "coverage_95", "width_95").row(0) == (
        1.0,
        0.0,
        1.0,
        0.0,
    )
    assert scores.filter(pl.col("unique_id") == "signups")["calibrated_coverage_80"].item() == 1.0


def test_growth_backtest_flows_row_is_the_published_forecast_made_at_each_origin() -> None:
    rng = np.random.default_rng(3)
    table = flows_table(rng.poisson(30, 230).tolist(), rng.poisson(5, 230).tolist())
    scores = ins.growth_backtest(
        table, horizon=14, windows=2, holidays=None, models="snaive", series=["open_accounts"]
    )
    y = table["open_accounts"].to_numpy().astype(float)
    errors, scaled, inside = [], [], []
    for origin in (202, 216):  # days before each window
        fc = ins.open_accounts_forecast(table.head(origin), horizon=14)
        actual = y[origin : origin + 14]
        errors.extend(actual - fc["mean"].to_numpy())
        scale = np.abs(y[7:origin] - y[: origin - 7]).mean()  # in-sample seasonal naive
        scaled.extend(np.abs(actual - fc["mean"].to_numpy()) / scale)
        inside.extend((fc["lo_95"].to_numpy() <= actual) & (actual <= fc["hi_95"].to_numpy()))
    flows = scores.filter(pl.col("model") == "flows").row(0, named=True)
    assert flows["n_days"] == 28
    assert flows["mase"] == pytest.approx(np.mean(scaled))
    assert flows["rmse"] == pytest.approx(np.sqrt(np.mean(np.square(errors))))
    assert flows["coverage_95"] == flows["calibrated_coverage_95"] == pytest.approx(np.mean(inside))


def test_growth_backtest_leaves_out_windows_the_flows_forecast_cannot_be_made_for() -> None:
    """150 days, windows of 14 days from days 109, 123 and 137: the flows forecast needs
    84 + 14 + 28 = 126 days before its origin, so only the last window counts."""
    scores = ins.growth_backtest(
        stock(150, [10.0] * 150),
        horizon=14,
        windows=3,
        holidays=None,
        models="snaive",
        series=["open_accounts"],
    )
    assert scores.select("model", "n_days").rows() == [("flows", 14), ("snaive", 42)]


def test_growth_backtest_has_no_flows_row_when_the_forecast_falls_back() -> None:
    """100 days: too few for the flows forecast, so growth_forecast publishes a candidate."""
    scores = ins.growth_backtest(
        stock(100, [10.0] * 100),
        horizon=14,
        windows=2,
        holidays=None,
        models="snaive",
        series=["open_accounts"],
    )
    assert scores["model"].to_list() == ["snaive"]


def test_a_later_growth_run_scores_the_archived_growth_forecast(tmp_path: Path) -> None:
    """The customer-growth notebook's steps in two consecutive months, one shared archive."""
    rng = np.random.default_rng(5)
    table = stock(200, rng.poisson(30, 200).astype(float).tolist())
    for as_of in ("2025-06-19", "2025-07-19"):  # the second scores the first's 30 days
        accounts = table.filter(pl.col("ds") <= date.fromisoformat(as_of))
        growth = ins.growth_forecast(
            accounts, horizon=28, holidays=None, models="snaive", windows=2
        )
        record = ins.forecast_record(
            growth, ins.growth_series(accounts), as_of=as_of, target="customer growth", counts="y"
        )
        ins.publish_forecast_record(record, out_dir=tmp_path / as_of)
        ins.archive_forecast_record(
            tmp_path / as_of,
            archive=tmp_path / "_forecasts",
            report="customer_growth",
            slug=as_of,
            fingerprint="f",
            published_at=as_of,
        )
    archive = ins.read_forecast_archive(
        tmp_path / "_forecasts", target="customer growth", before="2025-07-19"
    )
    scored = ins.scored_forecasts(archive, actuals=ins.growth_series(table), as_of="2025-07-19")
    tracking = ins.forecast_accuracy(scored, by=["unique_id", "horizon_week"])
    assert tracking.select("unique_id", "horizon_week", "n_days").rows() == [
        ("open_accounts", 1, 7),
        ("open_accounts", 2, 7),
        ("open_accounts", 3, 7),
        ("open_accounts", 4, 7),
        ("signups", 1, 7),
        ("signups", 2, 7),
        ("signups", 3, 7),
        ("signups", 4, 7),
    ]
    assert ins.tracking_summary(archive, scored).startswith(
        "Of the 1 earlier forecast (made on 2025-06-19), 1 could be checked on 56 days so far"
    )


def test_growth_loops_show_progress_where_watched_and_never_in_report_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    table = stock(140, [10.0] * 140)
    run = {"horizon": 14, "windows": 2, "holidays": None, "models": "snaive"}
    monkeypatch.setenv("INSIGHTS_PROGRESS", "1")
    ins.growth_forecast(table, **run)
    ins.growth_backtest(table, **run)
    err = capsys.readouterr().err
    assert "growth forecast" in err  # a bar over the two series
    assert "growth backtest" in err
    monkeypatch.setenv("INSIGHTS_PROGRESS", "0")  # what the report runner sets
    ins.growth_forecast(table, **run)
    ins.growth_backtest(table, **run)
    assert capsys.readouterr().err == ""


def test_suppression_blanks_both_flows_of_a_day_with_a_small_one() -> None:
    daily = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 6, 1), date(2025, 6, 6), eager=True),
            "signups": [12, 4, 15, 0, 20, 30],
            "closures": [3, 0, 0, 0, 11, 9],
            "open_accounts": [5, 9, 24, 24, 33, 54],
        }
    )
    expected = pl.DataFrame(
        {
            "ds": daily["ds"],
            "signups": [None, None, 15, 0, 20, None],
            "closures": [None, None, 0, 0, 11, None],
            "open_accounts": [None, None, 24, 24, 33, 54],
        }
    )
    assert_frame_equal(ins.suppress_small_accounts(daily), expected)


def _recovered_flows(published: pl.DataFrame) -> pl.DataFrame:
    """Blank flows a reader works out from the change in open accounts and the other flow."""
    net = pl.col("open_accounts") - pl.col("open_accounts").shift(1)
    return published.select(
        "ds",
        pl.when(pl.col("signups").is_null()).then(net + pl.col("closures")).alias("signups"),
        pl.when(pl.col("closures").is_null()).then(pl.col("signups") - net).alias("closures"),
    )


def test_no_suppressed_flow_can_be_worked_out_from_open_accounts() -> None:
    """Open accounts are a running sum: one shown flow (a zero too) gives the other back."""
    rng = np.random.default_rng(11)
    days = pl.date_range(date(2024, 1, 1), date(2024, 12, 31), eager=True)
    signups = rng.poisson(rng.choice([2.0, 12.0, 40.0], days.len()))
    closures = rng.poisson(rng.choice([0.3, 5.0, 15.0], days.len()))
    daily = pl.DataFrame({"ds": days, "signups": signups, "closures": closures}).with_columns(
        open_accounts=500 + (pl.col("signups") - pl.col("closures")).cum_sum()
    )
    published = ins.suppress_small_accounts(daily)
    assert published["signups"].null_count() > 50  # many small days to protect
    assert published["closures"].null_count() > 50
    recovered = _recovered_flows(published)
    for column in ("signups", "closures"):
        assert recovered.filter(pl.col(column).is_between(1, 9)).is_empty(), column
