from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.intraday import (
    channel_profiles,
    interval_profile,
    intraday_volume,
    pool_small_intervals,
)
from insights.errors import ParameterError


@pytest.fixture
def contacts() -> pl.DataFrame:
    # Two Mondays (winter, London = UTC) and one Tuesday; one Monday outside the window
    stamps = [
        *[datetime(2025, 1, 6, 9, 10, tzinfo=UTC)] * 15,
        *[datetime(2025, 1, 6, 9, 50, tzinfo=UTC)] * 10,
        *[datetime(2025, 1, 13, 9, 15, tzinfo=UTC)] * 15,
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
            "contacts": [30, 10, None],  # Tuesday's one contact is a block of its own
            "share": [0.75, 0.25, 1.0],
            "pooled": [False, False, True],
            "dispersion": [1.0, 1.0, 1.0],  # 5 day-intervals are too few to measure it
        },
        schema_overrides={"weekday": pl.Int8, "contacts": pl.Int64},
    )
    assert_frame_equal(out, expected)


def _counts(contacts: list[int], start: time = time(9)) -> pl.DataFrame:
    """One channel's Monday: ``contacts`` in consecutive half hours from ``start``."""
    first = start.hour * 60 + start.minute
    slots = [first + 30 * i for i in range(len(contacts))]
    return pl.DataFrame(
        {
            "unique_id": "phone",
            "weekday": 1,
            "interval": [time(m // 60, m % 60) for m in slots],
            "contacts": contacts,
        },
        schema_overrides={"weekday": pl.Int8, "contacts": pl.Int64},
    )


def test_a_lone_small_interval_cannot_be_read_back_from_the_shares() -> None:
    # 3 contacts at 09:30 between 40 and 50: blanking its share alone would leave it as
    # 1 - (the others), and the day's total times that gives back 3. It is pooled with 10:00.
    out = pool_small_intervals(_counts([40, 3, 50]))
    assert out.select("interval", "contacts", "pooled").rows() == [
        (time(9), 40, False),
        (time(9, 30), None, True),
        (time(10), None, True),
    ]
    assert out["share"].to_list() == [40 / 93, 26.5 / 93, 26.5 / 93]
    total = 93  # what a reader may know from the daily history
    for row in range(out.height):
        others = out["share"].sum() - out["share"][row]
        assert round((1 - others) * total, 9) != 3
        assert round(out["share"][row] * total, 9) != 3


def test_small_runs_pool_into_a_block_of_at_least_k_spread_over_every_half_hour() -> None:
    # 4 and 7 at 09:00 and 10:30 (nothing between): one block of 11 over four half hours
    counts = _counts([30, 4, 0, 0, 7, 25]).filter(pl.col("contacts") > 0)
    out = pool_small_intervals(counts)
    assert out.select("interval", "contacts", "pooled").rows() == [
        (time(9), 30, False),
        (time(9, 30), None, True),
        (time(10), None, True),
        (time(10, 30), None, True),
        (time(11), None, True),
        (time(11, 30), 25, False),
    ]
    assert out["share"].to_list() == [30 / 66, *[11 / 4 / 66] * 4, 25 / 66]


def test_a_block_still_under_k_takes_in_its_neighbour() -> None:
    # the evening's 2 contacts end the day: they join 17:00 before them
    out = pool_small_intervals(_counts([30, 2], start=time(17)))
    assert out.select("interval", "contacts", "share", "pooled").rows() == [
        (time(17), None, 0.5, True),
        (time(17, 30), None, 0.5, True),
    ]


def test_a_profile_under_k_is_one_block() -> None:
    out = pool_small_intervals(_counts([1, 2, 1]))
    assert out["contacts"].null_count() == 3
    assert out["share"].to_list() == [1 / 3] * 3


def test_pooling_refuses_a_floor_below_k() -> None:
    with pytest.raises(ParameterError, match="disclosure floor"):
        pool_small_intervals(_counts([40]), min_customers=5)


def test_the_staffing_split_uses_the_pooled_shares() -> None:
    profile = pool_small_intervals(_counts([40, 3, 50]))
    daily = pl.DataFrame({"unique_id": ["phone"], "ds": [date(2025, 6, 16)], "mean": [93.0]})
    split = intraday_volume(daily, profile)
    assert split["mean"].round(9).to_list() == [40.0, 26.5, 26.5]


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


def _mondays(patterns: list[list[int]]) -> pl.DataFrame:
    """A contact_intervals mart: one Monday a week from 3 March 2025, half hours from 09:00."""
    rows = [
        (date(2025, 3, 3) + timedelta(weeks=w), 540 + 30 * i, n)
        for w, counts in enumerate(patterns)
        for i, n in enumerate(counts)
    ]
    return pl.DataFrame(rows, schema=["day", "minute", "contacts"], orient="row").with_columns(
        channel=pl.lit("phone"), tag=pl.lit(None, pl.String)
    )


def test_dispersion_measures_how_interval_counts_scatter_around_the_shares() -> None:
    # ten Mondays of 100 contacts in five half hours, the first two swapping 31 and 9: every
    # share is 0.2 (20 a day), each day is 11 off twice: 10 · 242 / (10 · 100) = 2.42 -> 2.4
    marts = _mondays([[31, 9, 20, 20, 20], [9, 31, 20, 20, 20]] * 5)
    out = channel_profiles(marts, as_of="2025-05-11", weeks=10)
    assert out["share"].to_list() == pytest.approx([0.2] * 5)
    assert out["dispersion"].to_list() == [2.4] * 5


def test_dispersion_is_poisson_on_too_few_day_intervals() -> None:
    # nine Mondays: 45 day-intervals, under MIN_DISPERSION_CELLS (50)
    marts = _mondays([[31, 9, 20, 20, 20], [9, 31, 20, 20, 20]] * 4 + [[20] * 5])
    out = channel_profiles(marts, as_of="2025-05-11", weeks=10)
    assert out["dispersion"].to_list() == [1.0] * 5


def test_dispersion_is_never_below_poisson() -> None:
    # the same 20 contacts in every half hour each Monday: no scatter at all
    out = channel_profiles(_mondays([[20] * 5] * 10), as_of="2025-05-11", weeks=10)
    assert out["dispersion"].to_list() == [1.0] * 5


def test_dispersion_widens_the_arrival_noise(profile: pl.DataFrame) -> None:
    daily = pl.DataFrame(
        {"ds": [date(2025, 6, 17)], "mean": [100.0], "lo_80": [100.0], "hi_80": [100.0]}
    )
    out = intraday_volume(daily, profile.with_columns(dispersion=pl.lit(4.0)))
    # a certain day of 100 in one interval: sd = √(4 · 100) = 20
    z80 = 1.2815515655446004
    assert out.select("lo_80", "hi_80").row(0) == pytest.approx((100 - 20 * z80, 100 + 20 * z80))
