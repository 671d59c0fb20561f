"""The primitives every stage shares (insights/_common.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from scipy import stats

from insights._common import (  # noqa: PLC2701 (the shared primitives' own tests)
    DEFAULT_TZ,
    level_tag,
    local_day,
    normal_quantile,
    parse_day,
    parse_month,
    require_columns,
    tag_level,
)
from insights.errors import ParameterError


@pytest.mark.parametrize("month", ["2025-9", "2025-13", "Sept 2025"])
def test_parse_month_rejects_malformed(month: str) -> None:
    with pytest.raises(ParameterError, match="2025-09"):
        parse_month(month)


def test_parse_day_takes_a_date_or_an_iso_string() -> None:
    assert parse_day("2025-08-31") == parse_day(date(2025, 8, 31)) == date(2025, 8, 31)
    with pytest.raises(ParameterError, match="horizon_end must be a date or 'YYYY-MM-DD'"):
        parse_day("31/08/2025", name="horizon_end")


def test_local_day_follows_the_clock_of_the_time_zone() -> None:
    frame = pl.DataFrame(
        {
            "created_at": [
                datetime(2025, 9, 30, 22, 59, tzinfo=UTC),
                datetime(2025, 9, 30, 23, 0, tzinfo=UTC),
            ]
        }
    )
    days = frame.select(local_day(tz=DEFAULT_TZ)).to_series().to_list()
    assert days == [date(2025, 9, 30), date(2025, 10, 1)]  # BST: UTC+1


def test_require_columns_names_the_missing_ones_on_a_lazy_frame() -> None:
    with pytest.raises(
        ParameterError, match=r"spikes needs columns \['day', 'spend'\]; missing \['spend'\]"
    ):
        require_columns(pl.LazyFrame({"day": [1]}), ["day", "spend"], who="spikes")
    require_columns(pl.LazyFrame({"day": [1]}), ["day"], who="spikes")  # nothing missing


#: The levels the library builds and reads intervals at: the defaults and report levels, and
#: the calibration's finite-sample levels 100·n/(n+1) for n up to 200 backtest errors.
_LEVELS = [0.0, 50, 80, 90, 95, 97.5, 99, 99.9] + [100 * n / (n + 1) for n in range(1, 201)]


def test_normal_quantile_agrees_with_scipy_to_1e_12() -> None:
    worst = max(abs(normal_quantile(lv) - stats.norm.ppf(0.5 + lv / 200)) for lv in _LEVELS)
    assert worst < 1e-12


def test_normal_quantile_covers_the_level() -> None:
    assert normal_quantile(0) == 0.0
    for lv in (50, 80, 95):
        z = normal_quantile(lv)
        assert stats.norm.cdf(z) - stats.norm.cdf(-z) == pytest.approx(lv / 100, abs=1e-12)


def test_a_level_tag_reads_back_as_its_level() -> None:
    assert [level_tag(lv) for lv in (50, 80.0, 97.5, 99.9)] == ["50", "80", "97_5", "99_9"]
    assert [tag_level(level_tag(lv)) for lv in _LEVELS[:8]] == _LEVELS[:8]
