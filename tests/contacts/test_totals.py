"""The period total's interval: how strongly days' errors move together, and what that gives."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from insights.contacts.totals import error_correlation, forecast_total
from insights.errors import ParameterError

Z80 = float(stats.norm.ppf(0.9))


def _errors(rng: np.random.Generator, *, rho: float, windows: int, days: int) -> pl.DataFrame:
    """Held-out errors with one shared shock per window (correlation ``rho``), sd 2 to 6."""
    shared = rng.standard_normal((windows, 1))
    own = rng.standard_normal((windows, days))
    sd = np.tile(np.linspace(2.0, 6.0, days), (windows, 1))
    e = sd * (math.sqrt(rho) * shared + math.sqrt(1 - rho) * own)
    return pl.DataFrame(
        {
            "window": np.repeat(np.arange(windows), days),
            "y": (100 + e).ravel(),
            "mean": 100.0,
            # the model's own sd is off by a factor: the calibration's job, not the correlation's
            "sd": (1.7 * sd).ravel(),
        }
    )


def test_correlation_of_errors_sharing_a_shock_is_recovered() -> None:
    rng = np.random.default_rng(7)
    for rho in (0.0, 0.3, 0.8):
        found = error_correlation(_errors(rng, rho=rho, windows=3000, days=28))
        assert found == pytest.approx(rho, abs=0.03)


@pytest.mark.parametrize(("rho", "windows"), [(0.07, 4), (0.3, 4), (0.3, 13)])
def test_total_range_holds_80_percent_of_simulated_totals(rho: float, windows: int) -> None:
    # a few backtest windows measure the correlation (the sample's is 0.05-0.07); the range is
    # checked on 20 new periods each time, 3,000 in all: within the 77-85% band of #13
    rng = np.random.default_rng(11)
    days = np.linspace(2.0, 6.0, 28)
    hits = []
    for _ in range(150):
        held_out = _errors(rng, rho=rho, windows=windows, days=28)
        forecast = pl.DataFrame(
            {"mean": 100.0, "lo_80": 100 - Z80 * days, "hi_80": 100 + Z80 * days}
        )
        total = forecast_total(forecast, held_out).row(0, named=True)
        outcomes = _errors(rng, rho=rho, windows=20, days=28)
        sums = outcomes.group_by("window").agg(pl.col("y").sum())["y"]
        hits.append(float(sums.is_between(total["lo_80"], total["hi_80"]).mean()))
    assert 0.77 <= float(np.mean(hits)) <= 0.85


def test_total_range_lies_between_independent_days_and_the_summed_ranges() -> None:
    forecast = pl.DataFrame({"mean": [10.0, 20.0], "lo_80": [8.0, 14.0], "hi_80": [12.0, 26.0]})
    independent = pl.DataFrame({"window": [0, 0, 1, 1], "y": [1.0, -1.0, -1.0, 1.0],
                                "mean": 0.0, "sd": 1.0})  # fmt: skip
    together = independent.with_columns(pl.Series("y", [1.0, 1.0, -1.0, -1.0]))
    some = pl.DataFrame({"window": [0, 0, 1, 1, 2, 2, 3, 3],
                         "y": [1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 0.0],
                         "mean": 0.0, "sd": 1.0})  # fmt: skip
    low = forecast_total(forecast, independent).row(0, named=True)
    high = forecast_total(forecast, together).row(0, named=True)
    # errors of opposite signs within a window: clipped to 0, the days add as independent
    assert low["correlation"] == 0.0
    assert low["hi_80"] - 30 == pytest.approx(math.hypot(2, 6))
    # errors of one sign: the daily ranges add up (the widest; t with 2 windows is capped)
    assert high["correlation"] == 1.0
    assert (high["lo_80"], high["hi_80"]) == pytest.approx((22.0, 38.0))
    assert high["days"] == low["days"] == 2
    # in between: the shared part with Student's t on 4 windows, the rest with z
    mid = forecast_total(forecast, some).row(0, named=True)
    assert mid["correlation"] == pytest.approx(1 / 3)
    sd = np.array([2.0, 6.0]) / Z80
    t4 = float(stats.t.ppf(0.9, 4))
    spread = math.sqrt(Z80**2 * (2 / 3) * (sd**2).sum() + t4**2 * (1 / 3) * sd.sum() ** 2)
    assert mid["hi_80"] == pytest.approx(30 + spread)
    assert math.hypot(2, 6) < spread < 8
    assert mid["windows"] == 4


def test_total_needs_the_level_asked_for() -> None:
    forecast = pl.DataFrame({"mean": [10.0], "lo_80": [8.0], "hi_80": [12.0]})
    errors = pl.DataFrame({"window": [0], "y": [1.0], "mean": [0.0], "sd": [1.0]})
    with pytest.raises(ParameterError, match="lo_95"):
        forecast_total(forecast, errors, level=95)
    assert forecast_total(forecast, errors)["correlation"].item() == 0.0  # no pair: independent
