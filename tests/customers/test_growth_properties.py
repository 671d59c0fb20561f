"""Properties of the customer growth forecast on generated account histories (hypothesis).

Sign-ups with any weekly pattern (every day, weekdays only, a quiet weekend), closures, from a
handful of accounts to millions, 5 weeks to two years of history, horizons of 1 to 26 weeks:
``growth_forecast`` raises nothing but the documented errors and returns, for each series,
``horizon`` days with finite, non-negative, nested intervals around the mean (open accounts'
never narrower further ahead).
"""

from __future__ import annotations

import os
import warnings
from datetime import date, timedelta

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, note, settings, strategies as st

from insights.customers.growth import growth_forecast
from insights.errors import InsufficientHistoryError, ShortHistoryWarning

#: The same examples on every run (CI stays green or red for a reason, never by the draw);
#: HYPOTHESIS_EXPLORE=1 draws new ones each run, to hunt for bugs.
CI = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("HYPOTHESIS_EXPLORE") != "1",
)

WEEKS = {
    "every day": (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.7),
    "weekdays": (1.2, 1.0, 1.0, 1.0, 0.9, 0.0, 0.0),
    "quiet weekend": (1.2, 1.0, 1.0, 1.0, 0.9, 0.15, 0.1),
    "sunday to thursday": (1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.2),
}


@st.composite
def accounts(draw: st.DrawFn) -> tuple[pl.DataFrame, str, bool]:
    week = draw(st.sampled_from(sorted(WEEKS)))
    days = draw(st.integers(35, 730))
    start = draw(st.dates(date(2005, 1, 1), date(2030, 12, 31)))
    level = draw(st.sampled_from((0.5, 3.0, 40.0, 2_000.0, 1e6)))
    churn = draw(st.floats(0.0, 1.2))  # closures per sign-up
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ds = pl.date_range(start, start + timedelta(days=days - 1), eager=True)
    factor = np.array(WEEKS[week])[ds.dt.weekday().to_numpy() - 1]
    signups = rng.poisson(level * factor)
    closures = rng.poisson(level * churn * factor.mean(), days)
    opening = int(draw(st.sampled_from((5, 1_000, 10**8))))
    net = np.maximum(opening + np.cumsum(signups - closures), 0)
    daily = pl.DataFrame({"ds": ds, "signups": signups, "closures": closures, "open_accounts": net})
    # a few dozen sign-ups in all may leave under 21 days that look open: too little history
    sparse = level * days < 60
    return daily, f"{week}, {days} days from {start}, {level:g} a day, churn {churn:.2f}", sparse


@settings(CI, max_examples=12)
@given(drawn=accounts(), horizon=st.integers(1, 182), windows=st.integers(1, 4))
def test_growth_forecast_guarantees(
    drawn: tuple[pl.DataFrame, str, bool], horizon: int, windows: int
) -> None:
    daily, description, sparse = drawn
    note(description)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortHistoryWarning)
        try:
            fc = growth_forecast(
                daily, horizon=horizon, holidays=None, models="snaive", windows=windows
            )
        except InsufficientHistoryError:
            assert sparse, description
            return
    last = daily["ds"].max()
    assert isinstance(last, date)
    for name, rows in fc.group_by("unique_id"):
        days = rows["ds"]
        assert days.is_unique().all() and days.min() > last, name  # type: ignore[operator]
        if name == ("open_accounts",):
            assert rows.height == horizon
        values = rows.select("mean", "lo_80", "hi_80", "lo_95", "hi_95")
        assert values.select((pl.all().is_finite() & (pl.all() >= 0)).all()).row(0) == (True,) * 5
        assert (rows["lo_95"] <= rows["lo_80"]).all() and (rows["lo_80"] <= rows["mean"]).all()
        assert (rows["mean"] <= rows["hi_80"]).all() and (rows["hi_80"] <= rows["hi_95"]).all()
        if rows["model"][0] == "flows":  # never narrower further ahead (before the clip at 0)
            half = (rows["hi_95"] - rows["mean"]).to_numpy()
            assert (np.diff(half) >= -1e-9 * max(1.0, float(np.abs(half).max()))).all()
