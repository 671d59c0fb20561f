from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.intraday import interval_profile, intraday_volume
from insights.errors import ParameterError


@pytest.fixture
def contacts() -> pl.DataFrame:
    # Two Mondays (winter, London = UTC) and one Tuesday; one Monday outside the window
    stamps = [
        datetime(2025, 1, 6, 9, 10, tzinfo=UTC),
        datetime(2025, 1, 6, 9, 50, tzinfo=UTC),
        datetime(2025, 1, 13, 9, 15, tzinfo=UTC),
        datetime(2025, 1, 13, 9, 29, tzinfo=UTC),
        datetime(2025, 1, 14, 17, 45, tzinfo=UTC),
        datetime(2024, 12, 2, 9, 0, tzinfo=UTC),  # before the 2-week window
        datetime(2025, 1, 20, 9, 0, tzinfo=UTC),  # on as_of: excluded
    ]
    return pl.DataFrame({"created_at": stamps})


def test_profile_shares_per_weekday(contacts: pl.DataFrame) -> None:
    out = interval_profile(contacts, as_of=date(2025, 1, 20), weeks=2)
    expected = pl.DataFrame(
        {
            "weekday": [1, 1, 2],
            "interval": [time(9), time(9, 30), time(17, 30)],
            "contacts": [3, 1, 1],
            "share": [0.75, 0.25, 1.0],
        },
        schema_overrides={"weekday": pl.Int8, "contacts": pl.UInt32},
    )
    assert_frame_equal(out, expected)


def test_profile_uses_local_wall_clock() -> None:
    # 08:10 UTC in June is 09:10 in London
    contacts = pl.DataFrame({"created_at": [datetime(2025, 6, 2, 8, 10, tzinfo=UTC)]})
    out = interval_profile(contacts, as_of=date(2025, 6, 3), weeks=1)
    assert out["interval"].to_list() == [time(9)]
    hourly = interval_profile(contacts, as_of=date(2025, 6, 3), weeks=1, freq="1h", tz="UTC")
    assert hourly["interval"].to_list() == [time(8)]


def test_profile_needs_contacts(contacts: pl.DataFrame) -> None:
    with pytest.raises(ParameterError, match="no contacts"):
        interval_profile(contacts, as_of=date(2023, 1, 1), weeks=2)


@pytest.fixture
def profile() -> pl.DataFrame:
    return pl.DataFrame(
        {"weekday": [1, 1, 2], "interval": [time(9), time(9, 30), time(9)], "share": [0.6, 0.4, 1]},
        schema_overrides={"weekday": pl.Int8},
    )


def test_intraday_mean_sums_to_daily_mean(profile: pl.DataFrame) -> None:
    daily = pl.DataFrame(
        {
            "ds": [date(2025, 6, 16), date(2025, 6, 17)],
            "model": ["uc", "uc"],
            "mean": [200.0, 50.0],
            "lo_80": [180.0, 40.0],
            "hi_80": [220.0, 60.0],
        }
    )
    out = intraday_volume(daily, profile)
    assert out.columns == ["ds", "model", "interval", "share", "mean", "lo_80", "hi_80"]
    sums = out.group_by("ds").agg(pl.col("mean").sum()).sort("ds")
    assert sums["mean"].to_list() == pytest.approx([200.0, 50.0])


def test_interval_bounds_are_wider_than_proportional(profile: pl.DataFrame) -> None:
    daily = pl.DataFrame(
        {"ds": [date(2025, 6, 16)], "mean": [200.0], "lo_80": [180.0], "hi_80": [220.0]}
    )
    out = intraday_volume(daily, profile).sort("interval")
    proportional_width = (220.0 - 180.0) * out["share"]
    assert ((out["hi_80"] - out["lo_80"]) > proportional_width).all()
    assert (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all()


def test_certain_day_leaves_poisson_noise(profile: pl.DataFrame) -> None:
    daily = pl.DataFrame(
        {"ds": [date(2025, 6, 17)], "mean": [100.0], "lo_95": [100.0], "hi_95": [100.0]}
    )
    out = intraday_volume(daily, profile)
    # one interval with the whole day: Poisson sd = 10
    assert out["hi_95"].item() == pytest.approx(100 + 1.959964 * 10, rel=1e-6)


def test_missing_weekday_profile_raises(profile: pl.DataFrame) -> None:
    daily = pl.DataFrame({"ds": [date(2025, 6, 16) + timedelta(days=2)], "mean": [1.0]})
    with pytest.raises(ParameterError, match=r"weekday\(s\) \[3\]"):
        intraday_volume(daily, profile)
