"""Forecast tracking: the record, the archive round trip, scoring, drift and the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import insights as ins
from insights.cli import main
from insights.errors import ParameterError
from insights.forecasting.tracking import RECORD_COLUMNS

D = date(2025, 6, 1)  # the first forecast's origin (a Sunday)


def day(n: int) -> date:
    return D + timedelta(days=n)


def history(values: list[float], *, uid: str = "phone", end: date = D) -> pl.DataFrame:
    """Daily actuals ending on ``end``."""
    start = end - timedelta(days=len(values) - 1)
    return pl.DataFrame(
        {
            "unique_id": uid,
            "ds": pl.date_range(start, end, eager=True),
            "y": [float(v) for v in values],
        }
    )


def forecast(means: list[float], *, uid: str = "phone", width: float = 10.0) -> pl.DataFrame:
    """A forecast for the days after ``D``, 80% interval mean ± width."""
    return pl.DataFrame(
        {
            "unique_id": uid,
            "ds": [day(i + 1) for i in range(len(means))],
            "model": "uc",
            "mean": means,
            "lo_80": [m - width for m in means],
            "hi_80": [m + width for m in means],
        }
    )


# 14 days of history: |y[t] − y[t−7]| is 7 on each of the last 7 days, so the scale is 7.
HISTORY = history([100, 100, 100, 100, 100, 100, 100, 107, 107, 107, 107, 107, 107, 107])


def test_record_keeps_only_forecast_columns_and_the_mase_scale() -> None:
    fc = forecast([100.0, 110.0]).with_columns(customer_id=pl.lit("c_000001"))
    rec = ins.forecast_record(fc, HISTORY, as_of=D, target="calls", actual_days=1)
    assert rec.columns == [*RECORD_COLUMNS, "lo_80", "hi_80"]
    assert rec.select("kind", "ds", "horizon", "mean", "y", "scale").rows() == [
        ("forecast", day(1), 1, 100.0, None, 7.0),
        ("forecast", day(2), 2, 110.0, None, 7.0),
        ("actual", D, None, None, 107.0, None),
    ]


def test_record_leaves_out_actuals_counting_few_people() -> None:
    past = history([30, 4, 0, 12]).with_columns(customers=pl.Series([30, 4, 0, 12]))
    rec = ins.forecast_record(forecast([10.0]), past, as_of=D, target="calls", counts="customers")
    actual = rec.filter(pl.col("kind") == "actual")
    assert actual["y"].to_list() == [30.0, 0.0, 12.0]


def test_record_rejects_a_forecast_day_on_the_origin() -> None:
    fc = forecast([10.0]).with_columns(ds=pl.lit(D))
    with pytest.raises(ParameterError, match="on or before as_of=2025-06-01"):
        ins.forecast_record(fc, HISTORY, as_of=D, target="calls")


def test_record_needs_a_model_name() -> None:
    with pytest.raises(ParameterError, match="pass model="):
        ins.forecast_record(forecast([10.0]).drop("model"), HISTORY, as_of=D, target="calls")


def archive_of(*records: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(records, how="diagonal_relaxed")


def test_scoring_exact_values_by_channel_and_horizon_week() -> None:
    # phone: day 1 error 7 (scaled 1.0, inside ±10), day 8 error 14 (2.0, outside)
    means = [100.0] * 8
    rec = ins.forecast_record(forecast(means), HISTORY, as_of=D, target="calls")
    actuals = pl.DataFrame({"unique_id": "phone", "ds": [day(1), day(8)], "y": [107.0, 86.0]})
    scored = ins.scored_forecasts(rec, actuals=actuals)
    assert scored.select("ds", "horizon", "horizon_week", "scaled_error", "inside_80").rows() == [
        (day(1), 1, 1, 1.0, True),
        (day(8), 8, 2, 2.0, False),
    ]
    acc = ins.forecast_accuracy(scored, by=("unique_id", "horizon_week"))
    assert acc.select("unique_id", "horizon_week", "n_days", "mase", "coverage_80").rows() == [
        ("phone", 1, 1, 1.0, 1.0),
        ("phone", 2, 1, 2.0, 0.0),
    ]


def test_scoring_uses_the_newest_archived_actuals() -> None:
    first = ins.forecast_record(forecast([100.0, 100.0]), HISTORY, as_of=D, target="calls")
    # a week later: its history holds the actuals of the first forecast's days
    later_history = history([105, 120, 100, 100, 100, 100, 100, 100], end=day(7))
    second = ins.forecast_record(
        forecast([100.0]).with_columns(ds=pl.lit(day(8))),
        later_history,
        as_of=day(7),
        target="calls",
    )
    scored = ins.scored_forecasts(archive_of(first, second))
    assert scored.select("as_of", "ds", "y", "inside_80").rows() == [
        (D, day(1), 120.0, False),
        (D, day(2), 100.0, True),
    ]


def test_scoring_cut_at_as_of_does_not_see_the_future() -> None:
    rec = ins.forecast_record(forecast([100.0, 100.0]), HISTORY, as_of=D, target="calls")
    actuals = pl.DataFrame({"unique_id": "phone", "ds": [day(1), day(2)], "y": [100.0, 100.0]})
    assert ins.scored_forecasts(rec, actuals=actuals, as_of=day(1))["ds"].to_list() == [day(1)]
    assert ins.scored_forecasts(rec, actuals=actuals, as_of=day(2)).height == 2
    assert ins.scored_forecasts(rec, actuals=actuals, as_of=D).height == 0  # not made before D


def test_drift_band_rule() -> None:
    # 100 days at 80%: band 80 ± max(5, 1.96·√(0.16/100) = 7.84) points → 72.16–87.84%
    def scored(inside: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "unique_id": "phone",
                "scaled_error": [1.0] * 100,
                "inside_80": [True] * inside + [False] * (100 - inside),
            }
        )

    def row(inside: int) -> tuple[object, ...]:
        return (
            ins.forecast_accuracy(scored(inside), by=["unique_id"])
            .select("coverage_80", "drift_80", "drift")
            .row(0)
        )

    acc = ins.forecast_accuracy(scored(80), by=["unique_id"])
    assert acc["band_lo_80"].item() == pytest.approx(0.7216)
    assert acc["band_hi_80"].item() == pytest.approx(0.8784)
    assert row(73) == (0.73, False, False)
    assert row(72) == (0.72, True, True)
    assert row(88) == (0.88, True, True)  # too wide is drift too


def test_drift_band_floor_is_five_points_for_many_days() -> None:
    # 1000 days at 95%: 1.96·√(0.95·0.05/1000) = 1.35 points < 5, so the band is 90–100%
    frame = pl.DataFrame({"scaled_error": [1.0] * 1000, "inside_95": [True] * 899 + [False] * 101})
    acc = ins.forecast_accuracy(frame, by=())
    assert acc.select("coverage_95", "band_lo_95", "band_hi_95", "drift").row(0) == (
        0.899,
        pytest.approx(0.90),
        1.0,
        True,
    )


def test_empty_archive_is_a_sentence_not_a_crash(tmp_path: Path) -> None:
    archive = ins.read_forecast_archive(tmp_path / "nothing")
    scored = ins.scored_forecasts(archive)
    assert scored.height == 0
    assert ins.forecast_accuracy(scored, by=("unique_id", "horizon_week")).height == 0
    assert ins.tracking_summary(archive, scored).startswith(
        "No earlier forecast is archived yet (a first run)"
    )
    ins.tracking_chart(ins.forecast_accuracy(scored, by=("as_of", "unique_id"))).to_dict()


def test_summary_when_no_actual_has_arrived() -> None:
    rec = ins.forecast_record(forecast([100.0]), HISTORY, as_of=D, target="calls")
    scored = ins.scored_forecasts(rec)
    assert ins.tracking_summary(rec, scored) == (
        "The 1 earlier forecast (made on 2025-06-01) cannot be checked yet: what happened on "
        "its days is not in the data yet (the first is 2025-06-02)."
    )


def _three_forecasts() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Three archived forecasts; the first two scored on 5 days each (phone, then chat)."""
    archive = pl.DataFrame(
        {
            "kind": ["forecast", "forecast", "forecast", "actual"],
            "as_of": [date(2025, 7, 6), date(2025, 7, 13), date(2025, 8, 3), date(2025, 8, 3)],
            "ds": [date(2025, 7, 7), date(2025, 7, 14), date(2025, 8, 4), date(2025, 8, 3)],
        }
    )
    scored = pl.DataFrame(
        {
            "as_of": [date(2025, 7, 6)] * 5 + [date(2025, 7, 13)] * 5,
            "unique_id": ["phone"] * 5 + ["chat"] * 5,
            "scaled_error": [0.5] * 5 + [1.5] * 5,
            "inside_80": [True] * 5 + [False] * 5,
            "inside_95": [True] * 10,
        }
    )
    return archive, scored


def test_report_and_cli_state_the_same_facts_in_their_own_format() -> None:
    # pooled: 10 days, MASE (5·0.5 + 5·1.5)/10 = 1, 80% held 5 of 10; chat's 0 of 5 is below
    # 80 − 1.96·√(0.8·0.2/5) = 45%: it drifted. The 80% band on 10 days: 80 − 24.8 = 55%.
    archive, scored = _three_forecasts()
    assert ins.tracking_note(archive, scored) == (
        "Of the 3 earlier forecasts (made from 6 July 2025 to 3 August 2025), 2 could be "
        "checked on 10 days so far: their errors were about as large as the usual change from "
        "a day to the same day a week before, and 50% of days fell inside the 80% range. The "
        "ranges of chat held too few or too many days: check them before relying on them."
    )
    assert ins.tracking_summary(archive, scored) == (
        "Of the 3 earlier forecasts (made from 2025-07-06 to 2025-08-03), 2 could be checked "
        "on 10 days so far: MASE 1.00 (below 1 beats same-day-last-week); 80% intervals held "
        "50% of actuals (band 55%–100%), 95% intervals held 100% of actuals (band 81%–100%). "
        "Coverage drifted outside its band for chat 80% (0%): check those intervals before "
        "trusting them."
    )


def test_report_and_cli_say_alike_that_nothing_can_be_checked_yet() -> None:
    archive, scored = _three_forecasts()
    one = archive.filter(pl.col("as_of") == date(2025, 7, 6))
    assert ins.tracking_note(one, scored.clear()) == (
        "The 1 earlier forecast (made on 6 July 2025) cannot be checked yet: what happened on "
        "its days is not in the data yet (the first is 7 July 2025)."
    )
    assert ins.tracking_summary(one, scored.clear()) == (
        "The 1 earlier forecast (made on 2025-07-06) cannot be checked yet: what happened on "
        "its days is not in the data yet (the first is 2025-07-07)."
    )


def test_drift_is_not_judged_on_fewer_than_five_days() -> None:
    # one day outside the 80% interval: 0% is outside 80 ± 78 points, but proves nothing
    def acc(days: int) -> tuple[object, ...]:
        frame = pl.DataFrame({"scaled_error": [1.0] * days, "inside_80": [False] * days})
        return ins.forecast_accuracy(frame, by=()).select("drift_80", "drift").row(0)

    assert acc(4) == (None, None)
    assert acc(5) == (True, True)


def test_summary_names_the_drifting_series() -> None:
    rec = ins.forecast_record(forecast([100.0] * 5), HISTORY, as_of=D, target="calls")
    actuals = pl.DataFrame({"unique_id": "phone", "ds": [day(i) for i in range(1, 6)], "y": 150.0})
    text = ins.tracking_summary(rec, ins.scored_forecasts(rec, actuals=actuals))
    assert text.startswith(
        "Of the 1 earlier forecast (made on 2025-06-01), 1 could be checked on 5 days so far: "
        "MASE 7.14"
    )
    assert text.endswith(
        "Coverage drifted outside its band for phone week 1 80% (0%): check those "
        "intervals before trusting them."
    )


def test_the_words_name_a_drifted_week_the_table_flags() -> None:
    """A growth render: week 1 held 3 of 7 days (drifted), week 2 all 7; the series 10 of 14.

    The summary said "No series' coverage drifted" above a table flagging week 1.
    """
    scored = pl.DataFrame(
        {
            "as_of": [date(2025, 7, 31)] * 14,
            "unique_id": ["open_accounts"] * 14,
            "horizon_week": [1] * 7 + [2] * 7,
            "scaled_error": [0.25] * 14,
            "inside_80": [True] * 3 + [False] * 4 + [True] * 7,
        }
    )
    archive = pl.DataFrame({"as_of": [date(2025, 7, 31)], "ds": [date(2025, 8, 1)]})
    table = ins.forecast_accuracy(scored, by=["unique_id", "horizon_week"])
    assert table["drift"].to_list() == [True, False]
    assert ins.tracking_summary(archive, scored).endswith(
        "Coverage drifted outside its band for open_accounts week 1 80% (43%): check those "
        "intervals before trusting them."
    )
    assert ins.tracking_note(archive, scored).endswith(
        "The ranges of open_accounts held too few or too many days: check them before relying "
        "on them."
    )


def test_pooled_drift_without_a_judged_cell_is_not_called_no_drift() -> None:
    """Eight days over six series-weeks: pooled 50% is outside its band, no cell has 5 days."""
    scored = pl.DataFrame(
        {
            "as_of": [date(2025, 8, 31)] * 8,
            "unique_id": ["chat", "email", "email", "email", "email", "email", "phone", "phone"],
            "horizon_week": [2, 1, 2, 3, 3, 4, 3, 3],
            "scaled_error": [1.0] * 8,
            "inside_80": [False, True, True, True, True, False, False, False],
        }
    )
    archive = pl.DataFrame({"as_of": [date(2025, 8, 31)], "ds": [date(2025, 9, 1)]})
    text = ins.tracking_summary(archive, scored)
    assert "held 50% of actuals (band 52%–100%)" in text
    assert "No series' coverage drifted" not in text
    assert text.endswith(
        "Pooled, coverage is outside its band, but no series and week ahead has the 5 scored "
        "days to say where: check again as more days arrive."
    )
    assert ins.tracking_note(archive, scored).endswith(  # the report says the same
        "Taken together, too few or too many days fell inside the ranges, but no channel has "
        "enough days yet to say where: check again as more days arrive."
    )


def test_archive_round_trip_through_a_published_folder(tmp_path: Path) -> None:
    rec = ins.forecast_record(forecast([100.0, 101.0]), HISTORY, as_of=D, target="calls")
    report_dir = tmp_path / "reports" / "r" / "2025-06-01"
    ins.publish_forecast_record(rec, out_dir=report_dir)
    path = ins.archive_forecast_record(
        report_dir,
        archive=tmp_path / "reports" / "_forecasts",
        report="r",
        slug="2025-06-01",
        fingerprint="f00d",
        published_at="2025-06-02T06:00:00Z",
    )
    assert path == tmp_path / "reports" / "_forecasts" / "r" / "2025-06-01.parquet"
    back = ins.read_forecast_archive(tmp_path / "reports" / "_forecasts", target="calls")
    assert_frame_equal(back.select(rec.columns), rec)
    assert back.select("report", "slug", "data_fingerprint").unique().rows() == [
        ("r", "2025-06-01", "f00d")
    ]
    assert ins.read_forecast_archive(tmp_path / "reports" / "_forecasts", before=D).height == 0
    assert ins.read_forecast_archive(tmp_path / "reports" / "_forecasts", target="x").height == 0


def test_a_report_without_a_record_archives_nothing(tmp_path: Path) -> None:
    got = ins.archive_forecast_record(
        tmp_path,
        archive=tmp_path / "a",
        report="r",
        slug="s",
        fingerprint="f",
        published_at="t",
    )
    assert got is None
    assert not (tmp_path / "a").exists()


def test_publishing_a_frame_with_an_identifier_is_refused(tmp_path: Path) -> None:
    rec = ins.forecast_record(forecast([1.0]), HISTORY, as_of=D, target="calls")
    with pytest.raises(ParameterError, match=r"not allowed \['customer_id'\]"):
        ins.publish_forecast_record(rec.with_columns(customer_id=pl.lit("c1")), out_dir=tmp_path)


def _archive_two_forecasts(tmp_path: Path) -> str:
    """Forecasts made on 1 June (2 days) and 9 June (1 day), published and archived."""
    first = ins.forecast_record(forecast([100.0] * 2), HISTORY, as_of=D, target="calls")
    second = ins.forecast_record(
        forecast([100.0]).with_columns(ds=pl.lit(day(9))),
        history([107, 93, 100, 100, 100, 100, 100, 100], end=day(8)),
        as_of=day(8),
        target="calls",
    )
    for rec, slug in ((first, "2025-06-01"), (second, "2025-06-09")):
        folder = tmp_path / "r" / slug
        ins.publish_forecast_record(rec, out_dir=folder)
        ins.archive_forecast_record(
            folder,
            archive=tmp_path / "_forecasts",
            report="r",
            slug=slug,
            fingerprint="f",
            published_at="t",
        )
    return str(tmp_path / "_forecasts")


def test_cli_prints_the_summary_and_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _archive_two_forecasts(tmp_path)
    assert main(["forecasts", "track", "--archive", archive]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "== r: calls\nOf the 2 earlier forecasts (made from 2025-06-01 to 2025-06-09), 1 "
        "could be checked on 2 days so far: MASE 1.00"
    )
    assert "80% intervals held 100% of actuals" in out
    assert "Week ahead" in out  # reader's column names, no unique_id or horizon_week
    assert "Series" in out
    assert "unique_id" not in out
    assert "horizon_week" not in out


def test_cli_as_of_counts_only_the_forecasts_made_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _archive_two_forecasts(tmp_path)  # made on 1 and 9 June
    assert main(["forecasts", "track", "--archive", archive, "--as-of", "2025-06-05"]) == 0
    assert capsys.readouterr().out.startswith(
        "== r: calls\nOf the 1 earlier forecast (made on 2025-06-01), 1 could be checked on 2 "
        "days so far: MASE 1.00"
    )


def test_cli_on_an_empty_archive_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecasts", "track", "--archive", str(tmp_path)]) == 0
    assert "No forecasts are archived in" in capsys.readouterr().out


def test_cli_says_how_many_days_the_archive_could_not_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ins.forecast_record(forecast([100.0] * 2), HISTORY, as_of=D, target="calls")
    # a week later: day 1 had 5 people (never archived), day 2 had 100
    later = history([5, 100, 100, 100, 100, 100, 100, 100], end=day(8))
    second = ins.forecast_record(
        forecast([100.0]).with_columns(ds=pl.lit(day(9))),
        later,
        as_of=day(8),
        target="calls",
        counts="y",
    )
    for rec, slug in ((first, "a"), (second, "b")):
        ins.publish_forecast_record(rec, out_dir=tmp_path / slug)
        ins.archive_forecast_record(
            tmp_path / slug,
            archive=tmp_path / "_forecasts",
            report="r",
            slug=slug,
            fingerprint="f",
            published_at="t",
        )
    assert main(["forecasts", "track", "--archive", str(tmp_path / "_forecasts")]) == 0
    out = capsys.readouterr().out
    assert "1 could be checked on 1 day so far" in out
    assert "1 forecast day(s) up to 2025-06-09 have no archived actual" in out


def test_cli_says_a_lone_forecast_waits_for_a_later_report_not_for_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the data may well hold 2 June by now: the archive only learns it from a later record
    ins.publish_forecast_record(
        ins.forecast_record(forecast([100.0]), HISTORY, as_of=D, target="calls"),
        out_dir=tmp_path / "a",
    )
    ins.archive_forecast_record(
        tmp_path / "a",
        archive=tmp_path / "_forecasts",
        report="r",
        slug="a",
        fingerprint="f",
        published_at="t",
    )
    assert main(["forecasts", "track", "--archive", str(tmp_path / "_forecasts")]) == 0
    assert capsys.readouterr().out == (
        "== r: calls\nThe 1 earlier forecast (made on 2025-06-01) cannot be checked from the "
        "archive yet: it holds no actual for its days (the first is 2025-06-02; its latest "
        "actual is 2025-06-01), and actuals reach the archive only with a later published "
        "report of the same target. Publish the report on data that covers its days to check "
        "it.\n\n"
    )
