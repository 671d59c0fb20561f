from datetime import date

import holidays
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.errors import ParameterError
from insights.forecasting.regressors import calendar_features, holiday_names, public_holidays


def _days(first: date, last: date) -> pl.DataFrame:
    return pl.DataFrame({"ds": pl.date_range(first, last, eager=True)})


def test_public_holidays_england_by_default() -> None:
    names = public_holidays([2025])["holiday"].to_list()
    assert "Easter Monday" in names
    assert "Late Summer Bank Holiday" in names
    assert len(names) == 8


def test_public_holidays_scotland() -> None:
    scotland = public_holidays([2025], subdiv="SCT")
    assert date(2025, 1, 2) in scotland["ds"].to_list()  # 2nd January
    assert date(2025, 4, 21) not in scotland["ds"].to_list()  # no Easter Monday


def test_unknown_country_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="holidays package"):
        public_holidays([2025], country="XX")


def test_day_of_week_indicators() -> None:
    out = calendar_features(_days(date(2025, 6, 2), date(2025, 6, 8)), country=None)
    dow = out.select(pl.col(f"dow_{d}") for d in range(1, 8)).to_numpy()
    assert dow.sum(axis=1).tolist() == [1.0] * 7
    assert dow.argmax(axis=1).tolist() == list(range(7))


def test_easter_closures_and_catch_up() -> None:
    out = calendar_features(_days(date(2025, 4, 17), date(2025, 4, 23)), closed_weekdays=[6, 7])
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 4, 17), date(2025, 4, 23), eager=True),
            "holiday": [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            "open": [True, False, False, False, False, True, True],
            # Tuesday is the first open day after Good Friday … Easter Monday, Wednesday the second
            "after_closure": [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            "after_closure_2": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        }
    )
    assert_frame_equal(out.select(expected.columns), expected)


def test_second_day_after_closure_looks_through_closed_weekdays() -> None:
    # Good Friday 2025 closed, Saturday open, Sunday closed: Saturday is the first open day
    # after the closure and Monday (Easter Monday worked) the second
    out = calendar_features(
        _days(date(2025, 4, 17), date(2025, 4, 22)),
        closed_weekdays=[7],
        holidays_closed={"Good Friday"},
    )
    assert out["after_closure"].to_list() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert out["after_closure_2"].to_list() == [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def test_holidays_open_means_no_closure() -> None:
    out = calendar_features(_days(date(2025, 12, 24), date(2025, 12, 29)), holidays_closed=False)
    assert out["open"].all()
    assert out["after_closure"].sum() == 0
    assert out["after_closure_2"].sum() == 0
    assert out["holiday"].to_list() == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]


def test_named_holidays_close_only_those() -> None:
    out = calendar_features(
        _days(date(2025, 12, 24), date(2025, 12, 29)), holidays_closed={"Christmas Day"}
    )
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 12, 24), date(2025, 12, 29), eager=True),
            "holiday": [0.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            "open": [True, False, True, True, True, True],  # Boxing Day worked
            "after_closure": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            "after_closure_2": [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        }
    )
    assert_frame_equal(out.select(expected.columns), expected)


def test_observed_day_follows_its_holiday() -> None:
    # Boxing Day 2026 is a Saturday; its substitute is Monday 28 December
    out = calendar_features(
        _days(date(2026, 12, 26), date(2026, 12, 29)),
        closed_weekdays=[7],
        holidays_closed={"Boxing Day"},
    )
    assert out["open"].to_list() == [False, False, False, True]


def test_unknown_holiday_name_lists_valid_names() -> None:
    with pytest.raises(ParameterError, match=r"\['Boxing Night'\].*'Boxing Day'"):
        calendar_features(
            _days(date(2025, 12, 24), date(2025, 12, 29)), holidays_closed={"Boxing Night"}
        )


def test_holiday_names_fold_observed_days() -> None:
    # 2026 has "Boxing Day (observed)" on Monday 28 December: listed once, as Boxing Day
    assert holiday_names([2026]) == [
        "Boxing Day",
        "Christmas Day",
        "Easter Monday",
        "Good Friday",
        "Late Summer Bank Holiday",
        "May Day",
        "New Year's Day",
        "Spring Bank Holiday",
    ]


def test_month_start_and_end_are_open_days() -> None:
    # 1 June 2025 is a Sunday and 31 May a Saturday: with weekends closed the month's
    # last open day is Friday 30 May and the first is Monday 2 June
    out = calendar_features(_days(date(2025, 5, 28), date(2025, 6, 5)), closed_weekdays=[6, 7])
    flagged = out.filter(pl.col("month_end") == 1)["ds"].to_list()
    assert flagged == [date(2025, 5, 30)]
    starts = out.filter(pl.col("month_start") == 1)["ds"].to_list()
    assert starts == [date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 4)]


def test_month_start_is_the_first_three_open_days() -> None:
    # New Year's Day (Wednesday) is closed, then a weekend: Thursday 2, Friday 3, Monday 6
    out = calendar_features(
        _days(date(2025, 1, 1), date(2025, 1, 8)), country="GB", closed_weekdays=[6, 7]
    )
    starts = out.filter(pl.col("month_start") == 1)["ds"].to_list()
    assert starts == [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 6)]


def test_month_flags_do_not_depend_on_the_frame_window() -> None:
    out = calendar_features(_days(date(2025, 6, 10), date(2025, 6, 12)))
    assert out["month_start"].sum() == 0


def test_annual_fourier_terms() -> None:
    out = calendar_features(_days(date(2025, 1, 1), date(2025, 1, 2)), annual=2)
    assert {"sin_1", "cos_1", "sin_2", "cos_2"} <= set(out.columns)
    assert out["cos_1"][0] == pytest.approx(1.0, abs=1e-3)


def test_bad_inputs() -> None:
    with pytest.raises(ParameterError, match="Date"):
        calendar_features(pl.DataFrame({"ds": ["2025-01-01"]}))
    with pytest.raises(ParameterError, match="ISO weekdays"):
        calendar_features(_days(date(2025, 1, 1), date(2025, 1, 2)), closed_weekdays=[0])


@pytest.mark.parametrize(
    ("country", "subdiv", "day", "names"),
    [
        ("US", "NY", date(2016, 2, 15), ["Susan B. Anthony Day", "Washington's Birthday"]),
        ("IT", None, date(2015, 11, 1), ["All Saints' Day", "National Unity Day"]),
    ],
)
def test_two_holidays_on_one_date(
    country: str, subdiv: str | None, day: date, names: list[str]
) -> None:
    days = _days(date(day.year, 1, 1), date(day.year, 12, 31))
    closed_one = calendar_features(
        days, country=country, subdiv=subdiv, holidays_closed=[names[1]]
    ).filter(pl.col("ds") == day)
    assert closed_one.select("holiday", "open").row(0) == (1.0, False)
    assert set(names) <= set(holiday_names([day.year], country=country, subdiv=subdiv))


def _calendars(*, subdivisions: bool) -> list[tuple[str, str | None]]:
    supported = holidays.list_supported_countries(include_aliases=False)
    if not subdivisions:
        return [(c, None) for c in supported]
    return [(c, s) for c, subs in supported.items() for s in subs]


_TWENTY_YEARS = range(2006, 2026)


def test_every_country_names_its_holidays_over_twenty_years() -> None:
    for country, subdiv in _calendars(subdivisions=False):
        names = holiday_names(_TWENTY_YEARS, country=country, subdiv=subdiv)
        assert all("; " not in n for n in names), country


@pytest.mark.slow
@pytest.mark.parametrize("subdivisions", [False, True], ids=["countries", "subdivisions"])
def test_every_calendar_gives_features_over_twenty_years(subdivisions: bool) -> None:
    """Every calendar the holidays package knows: names, closures by name, features."""
    days = _days(date(2006, 1, 1), date(2025, 12, 31))
    for country, subdiv in _calendars(subdivisions=subdivisions):
        names = holiday_names(_TWENTY_YEARS, country=country, subdiv=subdiv)
        assert all("; " not in n for n in names), (country, subdiv)
        out = calendar_features(days, country=country, subdiv=subdiv, holidays_closed=names[:2])
        assert out.height == days.height, (country, subdiv)
