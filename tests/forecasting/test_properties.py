"""Properties of ``forecast`` and ``backtest`` on valid histories of any shape (hypothesis).

A seeded generator draws daily histories nobody on the team wrote by hand: any working week
(Monday–Friday, Sunday–Thursday, six or seven days, one day), partial days (a half-day at
about 50% of a full day's volume, an evening-only day at 15–20%), closed days given as absent
rows, nulls, NaN or zeros (with stray contacts), gaps of months, histories from the documented
minimum of 21 open days to three years, counts from 0–2 a day to 1e9, rates in (0, 1),
constant and all-zero series, several series by ``unique_id``, public holidays of any country
the ``holidays`` package knows (closed or worked), extra regressors, horizons 1–120, any
interval levels, and polars, lazy or pandas input. On every one:

* nothing raises but the documented errors (``InsufficientHistoryError`` below 21 open days,
  ``ParameterError`` for invalid options), and the only warning is ``ShortHistoryWarning``,
  exactly when a series' rows have ``short_history`` true;
* one row per series and future open day, ``horizon`` of them, after the history;
* means and bounds finite and ≥ 0, ``lo ≤ mean ≤ hi``, narrower levels nested in wider ones;
* the open days are the generator's: every weekday it works is forecast (a partial day too),
  none it closes; the same input gives the same forecast;
* ``backtest`` scores the choice ``forecast`` makes.

The many-example tests use seasonal naive (milliseconds a series); the full default model
selection runs on a few examples in the slow tier. Every run draws the same examples
(``derandomize``); ``HYPOTHESIS_EXPLORE=1 pytest tests/forecasting/test_properties.py`` draws
new ones, to hunt for bugs.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import holidays as holidays_package
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, note, settings, strategies as st
from scipy import stats

import insights
from insights.errors import InsufficientHistoryError, ParameterError, ShortHistoryWarning
from insights.forecasting.backtesting import backtest
from insights.forecasting.forecaster import MODELS, forecast, rank_models
from insights.forecasting.regressors import calendar_features, holiday_names, public_holidays

#: The same examples on every run (CI stays green or red for a reason, never by the draw);
#: HYPOTHESIS_EXPLORE=1 draws new ones each run, to hunt for bugs.
CI = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("HYPOTHESIS_EXPLORE") != "1",
)

FULL, HALF, EVENING = "full", "half", "evening"
WEEKS = {  # ISO weekdays open, 1 = Monday
    "mon-fri": (1, 2, 3, 4, 5),
    "sun-thu": (7, 1, 2, 3, 4),
    "mon-sat": (1, 2, 3, 4, 5, 6),
    "every day": (1, 2, 3, 4, 5, 6, 7),
    "sat-wed": (6, 7, 1, 2, 3),
    "tue-sat": (2, 3, 4, 5, 6),
    "mon-wed-fri": (1, 3, 5),
    "sundays": (7,),
}
COUNTRIES = sorted(holidays_package.list_supported_countries())


@dataclass(frozen=True)
class Case:
    """A drawn history and what the generator knows about it."""

    history: pl.DataFrame
    open_weekdays: dict[str | None, tuple[int, ...]]  # per series, as generated
    # weekdays whose open/closed state the data shows beyond doubt (per series)
    clear_weekdays: dict[str | None, tuple[int, ...]]
    last: dict[str | None, date]
    description: str

    @property
    def ambiguous(self) -> bool:
        return any(set(self.clear_weekdays[u]) != set(range(1, 8)) for u in self.last)


def _weekly(draw: st.DrawFn) -> tuple[dict[int, float], str]:
    """Factor per open weekday: at least one full day; others full, half or evening."""
    name = draw(st.sampled_from(sorted(WEEKS)))
    days = WEEKS[name]
    kind = st.sampled_from((FULL, FULL, HALF, EVENING))
    kinds = draw(st.lists(kind, min_size=len(days), max_size=len(days)))
    kinds[draw(st.integers(0, len(days) - 1))] = FULL
    factors = {}
    for d, kind in zip(days, kinds, strict=True):
        if kind == FULL:
            factors[d] = draw(st.floats(0.8, 1.4))
        elif kind == HALF:
            factors[d] = draw(st.floats(0.45, 0.55))
        else:
            factors[d] = draw(st.floats(0.15, 0.2))
    return factors, f"{name} {dict(zip(days, kinds, strict=True))}"


@st.composite
def one_series(
    draw: st.DrawFn,
    *,
    min_open: int = 21,
    max_days: int = 800,
    country: str | None = None,
    subdiv: str | None = None,
    holidays_closed: bool = False,
) -> tuple[pl.DataFrame, tuple[int, ...], tuple[int, ...], str]:
    """``ds, y`` of one series, its open weekdays, the clearly identifiable weekdays, a note."""
    factors, week = _weekly(draw)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(("counts", "counts", "tiny", "huge", "rate", "constant", "zero")))
    per_week = len(factors)
    # enough calendar days for ``min_open`` open days, plus a week for holidays
    least = math.ceil(min_open * 7 / per_week) + 7
    days = draw(st.integers(least, max(least, max_days)))
    start = draw(st.dates(date(2001, 1, 1), date(2030, 12, 31)))
    ds = pl.date_range(start, start + timedelta(days=days - 1), eager=True)
    wd = ds.dt.weekday().to_numpy()
    factor = np.array([factors.get(int(d), 0.0) for d in wd])
    growth = draw(st.floats(-0.0008, 0.002))
    trend = np.clip(1 + growth * np.arange(days), 0.2, None)
    if kind in ("counts", "tiny"):
        level = draw(st.floats(60, 5000) if kind == "counts" else st.floats(0.2, 2.5))
        y = rng.poisson(level * factor * trend).astype(float)
    elif kind == "huge":
        level = 1e9
        y = np.round(level * factor * trend * rng.lognormal(0, 0.05, days))
    elif kind == "rate":
        level = draw(st.floats(1e-4, 0.6))
        y = np.clip(level * factor * trend * rng.lognormal(0, 0.1, days), 0, 0.999)
    elif kind == "constant":
        level = draw(st.sampled_from((1.0, 7.0, 250.0)))
        y = np.where(factor > 0, level, 0.0)
    else:
        level = 0.0
        y = np.zeros(days)
    frame = pl.DataFrame({"ds": ds, "y": y, "open": factor > 0})
    if country is not None and holidays_closed:
        years = range(start.year, ds[-1].year + 1)
        hol = public_holidays(years, country=country, subdiv=subdiv)["ds"]
        frame = frame.with_columns(pl.col("open") & ~pl.col("ds").is_in(hol.implode()))
    closed_as = draw(st.sampled_from(("absent", "null", "nan", "zero", "stray")))
    stray = pl.lit(rng.binomial(1, 0.05, days).astype(float)) if level >= 100 else pl.lit(0.0)
    closed_y = {
        "null": pl.lit(None, pl.Float64),
        "nan": pl.lit(float("nan")),
        "zero": pl.lit(0.0),
        "stray": stray if kind in ("counts", "huge") else pl.lit(0.0),
    }.get(closed_as, pl.lit(None, pl.Float64))
    frame = frame.with_columns(pl.when("open").then("y").otherwise(closed_y).alias("y"))
    if closed_as == "absent":
        frame = frame.filter("open")
    gap = draw(st.booleans()) and days > 200
    if gap:  # months with no rows at all, inside the history
        length = draw(st.integers(30, int(days * 0.6)))
        at = draw(st.integers(40, days - length - 40))
        frame = frame.filter(~pl.col("ds").is_between(ds[at], ds[at + length - 1]))
    # keep whole: the history must hold ``min_open`` open days with data
    observed = frame.filter(pl.col("open") & pl.col("y").is_not_null()).height
    assume(observed >= min_open)
    # a weekday is clearly open when a typical day of it has data (volume well above zero)
    busiest = max(factors.values())
    # closed weekdays are clear unless every day is zero
    clear = [] if kind == "zero" else [d for d in range(1, 8) if d not in factors]
    for d, f in factors.items():
        if kind in ("huge", "rate", "constant"):
            clear.append(d)
        elif kind in ("counts", "tiny"):
            lam = level * f * float(trend.min())
            typical = max(1.0, level * busiest * float(trend.min()))
            # P(a day of it counts as worked) or the volume rule keeps it open
            worked = 1 - _poisson_cdf(math.floor(0.05 * typical * 2), lam)
            # the volume rule needs enough contacts on that weekday to measure its volume
            enough = lam * days / 7 >= 40
            if worked > 0.97 or (f / busiest > 0.45 and enough):
                clear.append(d)
    note = f"{week}, {kind} level {level:g}, closed as {closed_as}, {days} days from {start}"
    note += ", gap" if gap else ""
    return frame.drop("open"), tuple(sorted(factors)), tuple(sorted(clear)), note


def _poisson_cdf(k: int, lam: float) -> float:
    return float(stats.poisson.cdf(k, lam))


@st.composite
def cases(draw: st.DrawFn, *, max_series: int = 3, **kwargs: object) -> Case:
    n = draw(st.integers(1, max_series))
    plain = n == 1 and draw(st.booleans())
    ids: list[str | None] = [None] if plain else [f"s{i}" for i in range(n)]
    parts, opens, clears, lasts, notes = [], {}, {}, {}, []
    for uid in ids:
        frame, open_wd, clear, note = draw(one_series(**kwargs))  # type: ignore[arg-type]
        if uid is not None:
            frame = frame.select(pl.lit(uid).alias("unique_id"), pl.exclude("unique_id"))
        parts.append(frame)
        opens[uid], clears[uid] = open_wd, clear
        last = frame["ds"].max()
        assert isinstance(last, date)
        lasts[uid] = last
        notes.append(f"{uid}: {note}")
    return Case(pl.concat(parts), opens, clears, lasts, "; ".join(notes))


LEVELS = st.sampled_from([(80, 95), 80, 0.9, (50, 99), [0.8, 0.95], (95, 80, 60)])


def _as_input(history: pl.DataFrame, how: str) -> object:
    if how == "lazy":
        return history.lazy()
    if how == "pandas":
        return history.to_pandas()
    return history


def _levels(level: object) -> list[float]:
    raw = [level] if isinstance(level, (int, float)) else list(level)  # type: ignore[arg-type]
    return sorted(round(v * 100, 10) if v <= 1 else v for v in raw)


def _tag(level: float) -> str:
    return f"{level:g}".replace(".", "_")


def _run(
    call: object, *args: object, case: Case | None = None, **kwargs: object
) -> tuple[pl.DataFrame | None, list[str]]:
    """Call; return its result and the messages of its ``ShortHistoryWarning``s.

    ``InsufficientHistoryError`` is accepted (the result is ``None``) only when ``case`` has
    a weekday whose state its data leave in doubt: a rare reason's open weekday with a
    handful of contacts may look closed, leaving fewer than 21 open days.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = call(*args, **kwargs)  # type: ignore[operator]
        except InsufficientHistoryError:
            if case is None or not case.ambiguous:
                raise
            return None, []
    others = [w for w in caught if not issubclass(w.category, ShortHistoryWarning)]
    assert not others, [str(w.message) for w in others]
    return out, [str(w.message) for w in caught]


def check_forecast(fc: pl.DataFrame, case: Case, *, horizon: int, level: object) -> None:
    """The guarantees of ``forecast`` that hold on every valid history."""
    levels = _levels(level)
    assert fc.height == horizon * len(case.last)
    value_cols = ["mean"] + [f"{b}_{_tag(lv)}" for lv in levels for b in ("lo", "hi")]
    values = fc.select(value_cols)
    assert values.select(pl.all().is_finite().all()).row(0) == (True,) * len(value_cols)
    assert values.select((pl.all() >= 0).all()).row(0) == (True,) * len(value_cols)
    assert fc["model"].is_in(list(MODELS)).all()
    for lv in levels:
        lo, hi = fc[f"lo_{_tag(lv)}"], fc[f"hi_{_tag(lv)}"]
        assert (lo <= fc["mean"]).all() and (fc["mean"] <= hi).all(), lv
    for inner, outer in itertools.pairwise(levels):
        assert (fc[f"lo_{_tag(outer)}"] <= fc[f"lo_{_tag(inner)}"]).all()
        assert (fc[f"hi_{_tag(inner)}"] <= fc[f"hi_{_tag(outer)}"]).all()
    for uid, last in case.last.items():
        rows = fc if uid is None else fc.filter(pl.col("unique_id") == uid)
        assert rows.height == horizon, uid
        days = rows["ds"]
        assert days.is_sorted() and days.is_unique().all() and days.min() > last  # type: ignore[operator]
        assert rows["model"].n_unique() == 1 and rows["short_history"].n_unique() == 1


def expected_days(last: date, open_weekdays: tuple[int, ...], horizon: int) -> list[date]:
    days, day = [], last
    while len(days) < horizon:
        day += timedelta(days=1)
        if day.isoweekday() in open_weekdays:
            days.append(day)
    return days


def check_calendar(fc: pl.DataFrame, case: Case) -> None:
    """Clearly open weekdays are forecast, closed ones never (no holidays in play)."""
    for uid, open_wd in case.open_weekdays.items():
        rows = fc if uid is None else fc.filter(pl.col("unique_id") == uid)
        forecast_wd = set(rows["ds"].dt.weekday().to_list())
        clear = set(case.clear_weekdays[uid])
        closed = set(range(1, 8)) - set(open_wd)
        assert not (forecast_wd & closed & clear), (uid, sorted(forecast_wd), open_wd)
        if clear == set(range(1, 8)):  # every weekday's state is plain: exactly those days
            assert rows["ds"].to_list() == expected_days(case.last[uid], open_wd, rows.height), uid


def _short_flag_matches_warning(fc: pl.DataFrame, messages: list[str]) -> None:
    flagged = fc.filter("short_history")
    ids = flagged["unique_id"].unique().to_list() if "unique_id" in fc.columns else [None]
    assert len(messages) == (len(ids) if flagged.height else 0), messages


# ------------------------------------------------------------------------- many examples


@settings(CI, max_examples=60)
@given(
    case=cases(),
    horizon=st.integers(1, 120),
    level=LEVELS,
    how=st.sampled_from(("polars", "lazy", "pandas")),
)
def test_forecast_guarantees_on_any_working_week(
    case: Case, horizon: int, level: object, how: str
) -> None:
    note(case.description)
    fc, messages = _run(
        insights.forecast,
        _as_input(case.history, how),
        case=case,
        horizon=horizon,
        level=level,
        holidays=None,
        models="snaive",
    )
    if fc is None:
        return
    check_forecast(fc, case, horizon=horizon, level=level)
    check_calendar(fc, case)
    _short_flag_matches_warning(fc, messages)


COUNTRY = st.sampled_from(COUNTRIES).flatmap(
    lambda c: st.tuples(
        st.just(c), st.sampled_from([None, *holidays_package.list_supported_countries()[c]])
    )
)


def _holiday_dates(country: str, subdiv: str | None, first: date, last: date) -> set[date]:
    years = range(first.year, last.year + 1)
    return set(public_holidays(years, country=country, subdiv=subdiv)["ds"].to_list())


@settings(CI, max_examples=20)
@given(
    data=st.data(),
    where=COUNTRY,
    holidays_closed=st.booleans(),
    horizon=st.integers(1, 120),
)
def test_forecast_guarantees_with_any_country_s_holidays(
    data: st.DataObject, where: tuple[str, str | None], holidays_closed: bool, horizon: int
) -> None:
    country, subdiv = where
    case = data.draw(
        cases(max_series=2, country=country, subdiv=subdiv, holidays_closed=holidays_closed)
    )
    note(case.description)
    fc, messages = _run(
        forecast,
        case.history,
        case=case,
        horizon=horizon,
        holidays=country,
        subdiv=subdiv,
        models="snaive",
    )
    if fc is None:
        return
    check_forecast(fc, case, horizon=horizon, level=(80, 95))
    _short_flag_matches_warning(fc, messages)
    for uid, open_wd in case.open_weekdays.items():
        rows = fc if uid is None else fc.filter(pl.col("unique_id") == uid)
        clear = set(case.clear_weekdays[uid])
        if clear != set(range(1, 8)):
            continue
        days = rows["ds"].to_list()
        expected = expected_days(case.last[uid], open_wd, horizon)
        if not holidays_closed:  # holidays worked in history (or never seen) are open
            assert days == expected, uid
            continue
        # a holiday may close; every other day of the open weekdays is forecast
        hol = _holiday_dates(country, subdiv, case.last[uid], days[-1])
        assert {d.isoweekday() for d in days} <= set(open_wd), uid
        window = expected_days(case.last[uid], open_wd, (days[-1] - case.last[uid]).days)
        assert [d for d in window if d <= days[-1] and d not in hol] == [
            d for d in days if d not in hol
        ], uid
    again, _ = _run(
        forecast, case.history, horizon=horizon, holidays=country, subdiv=subdiv, models="snaive"
    )
    assert again is not None and again.equals(fc)


def _open_days_after(
    last: date, horizon: int, *, country: str, subdiv: str | None, closed: tuple[int | str, ...]
) -> list[date]:
    """The first ``horizon`` days after ``last`` that ``closed`` leaves open."""
    days = pl.DataFrame(
        {"ds": pl.date_range(last + timedelta(1), last + timedelta(8 * horizon + 60), eager=True)}
    )
    names = [c for c in closed if isinstance(c, str)]
    cal = calendar_features(
        days,
        country=country,
        subdiv=subdiv,
        closed_weekdays=[c for c in closed if isinstance(c, int)],
        holidays_closed=True if "holidays" in names else names,
    )
    return cal.filter("open")["ds"].head(horizon).to_list()


@settings(CI, max_examples=15)
@given(
    data=st.data(),
    where=COUNTRY,
    horizon=st.integers(1, 90),
    every_holiday=st.booleans(),
    pick=st.randoms(use_true_random=False),
)
def test_closures_given_by_the_caller_are_obeyed(
    data: st.DataObject,
    where: tuple[str, str | None],
    horizon: int,
    every_holiday: bool,
    pick: object,
) -> None:
    country, subdiv = where
    case = data.draw(cases(max_series=1, country=country, subdiv=subdiv, holidays_closed=True))
    note(case.description)
    ((uid, open_wd),) = case.open_weekdays.items()
    last = case.last[uid]
    names = holiday_names(range(last.year - 1, last.year + 2), country=country, subdiv=subdiv)
    chosen = ["holidays"] if every_holiday else pick.sample(names, min(3, len(names)))  # type: ignore[attr-defined]
    closed = (*(d for d in range(1, 8) if d not in open_wd), *chosen)
    fc, messages = _run(
        forecast,
        case.history,
        horizon=horizon,
        holidays=country,
        subdiv=subdiv,
        closed=closed,
        models="snaive",
    )
    assert fc is not None
    check_forecast(fc, case, horizon=horizon, level=(80, 95))
    _short_flag_matches_warning(fc, messages)
    expected = _open_days_after(last, horizon, country=country, subdiv=subdiv, closed=closed)
    assert fc["ds"].to_list() == expected


@settings(CI, max_examples=6)
@given(
    case=cases(max_series=2, min_open=60, max_days=500),
    horizon=st.integers(1, 60),
    seed=st.integers(0, 99),
)
def test_extra_regressors_are_used_on_any_history(case: Case, horizon: int, seed: int) -> None:
    note(case.description)
    rng = np.random.default_rng(seed)
    first, last = case.history["ds"].min(), max(case.last.values())
    assert isinstance(first, date)
    days = pl.date_range(first, last + timedelta(days=8 * horizon + 60), eager=True)
    promo = pl.DataFrame({"ds": days, "promo": rng.binomial(1, 0.1, len(days)).astype(float)})
    history = case.history.join(promo, on="ds")
    fc, messages = _run(
        forecast, history, case=case, horizon=horizon, holidays=None, models="uc", future=promo
    )
    if fc is None:
        return
    check_forecast(fc, case, horizon=horizon, level=(80, 95))
    check_calendar(fc, case)
    _short_flag_matches_warning(fc, messages)


def _best(scores: pl.DataFrame) -> str:
    # forecast() ranks by backtest MASE with near-ties (2%) going to the earlier model
    return rank_models(dict(scores.select("model", "mase").iter_rows()))[0]


@settings(CI, max_examples=6)
@given(
    case=cases(max_series=1, max_days=400),
    horizon=st.integers(1, 28),
    windows=st.integers(1, 4),
)
def test_backtest_scores_the_choice_forecast_makes(case: Case, horizon: int, windows: int) -> None:
    note(case.description)
    options = {
        "horizon": horizon,
        "windows": windows,
        "models": ("ets", "snaive"),
        "holidays": None,
    }
    fc, fc_messages = _run(forecast, case.history, case=case, **options)  # type: ignore[arg-type]
    scores, bt_messages = _run(backtest, case.history, case=case, **options)  # type: ignore[arg-type]
    assert (fc is None) == (scores is None)
    if fc is None or scores is None:
        return
    check_forecast(fc, case, horizon=horizon, level=(80, 95))
    assert fc["model"][0] == _best(scores)
    assert scores["short_history"].to_list() == [fc["short_history"][0]] * scores.height
    assert len(bt_messages) == len(fc_messages)
    metrics = scores.select("mase", "smape", "rmse", "coverage_80", "coverage_95")
    assert metrics.select((pl.all().is_finite() & (pl.all() >= 0)).all()).row(0) == (True,) * 5
    assert scores.select((pl.col("^coverage_.*$") <= 1).all()).row(0) == (True, True)


# ------------------------------------------ a Sundays-only line with months missing (Schwyz)
# Seen failing once in a random exploration of the caller-closures property (a Sundays-only
# line, months missing, Swiss canton Schwyz holidays, horizon 89) and never reproduced: not
# in 400 draws then, nor later in ~1,500 hypothesis draws of that shape (the properties
# above with Sundays-only weeks, every Swiss canton, horizons 60-120) and ~950 seeded
# histories with one to three gaps of 2-26 weeks, 3 weeks to 3 years long (forecast with
# inferred and caller's closures, and backtest, with seasonal naive and the default). The
# shape is kept here: one history written out, and a few drawn ones on every run.


def _sundays(first: date, last: date, *, skip: tuple[tuple[date, date], ...] = ()) -> list[date]:
    days = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return [d for d in days if not any(a <= d <= b for a, b in skip)]


def _schwyz_sundays_history() -> pl.DataFrame:
    """Three years of Sundays (2019-2021), its Schwyz holidays closed, Aug-Dec 2020 missing."""
    closed = set(public_holidays(range(2019, 2022), country="CH", subdiv="SZ")["ds"].to_list())
    gap = (date(2020, 8, 16), date(2020, 12, 20))  # hides All Saints' Day, a Sunday in 2020
    days = [
        d for d in _sundays(date(2019, 1, 6), date(2021, 12, 19), skip=(gap,)) if d not in closed
    ]
    y = np.random.default_rng(7).poisson(300, len(days)).astype(float)
    return pl.DataFrame({"ds": days, "y": y})


@pytest.mark.parametrize(
    ("closed", "shut"),
    [
        # inferred: the Sunday holidays the history saw closed (Immaculate Conception 2019,
        # National Day and Assumption Day 2021) fall on no Sunday of the next 89; Saint
        # Stephen's, Christmas, New Year's and Saint Joseph's Day were never seen on a Sunday,
        # so they stay open
        ("infer", ()),
        # every holiday closed: the four on Sundays are skipped
        (
            (1, 2, 3, 4, 5, 6, "holidays"),
            (date(2021, 12, 26), date(2022, 12, 25), date(2023, 1, 1), date(2023, 3, 19)),
        ),
        # three named ones closed: two fall on a Sunday
        (
            (1, 2, 3, 4, 5, 6, "Christmas Day", "National Day", "Saint Joseph's Day"),
            (date(2022, 12, 25), date(2023, 3, 19)),
        ),
    ],
)
def test_a_sundays_only_line_with_months_missing_and_schwyz_holidays(
    closed: str | tuple[int | str, ...], shut: tuple[date, ...]
) -> None:
    history = _schwyz_sundays_history()
    options: dict[str, object] = {
        "horizon": 89,
        "holidays": "CH",
        "subdiv": "SZ",
        "closed": closed,
        "models": "snaive",
    }
    fc, messages = _run(forecast, history, **options)
    assert fc is not None
    case = Case(history, {None: (7,)}, {None: tuple(range(1, 8))}, {None: date(2021, 12, 19)}, "")
    check_forecast(fc, case, horizon=89, level=(80, 95))
    _short_flag_matches_warning(fc, messages)
    sundays = _sundays(date(2021, 12, 26), date(2023, 12, 31))
    assert fc["ds"].to_list() == [d for d in sundays if d not in shut][:89]
    scores, _ = _run(backtest, history, windows=2, **options)
    assert scores is not None
    metrics = scores.select("mase", "smape", "rmse", "coverage_80", "coverage_95").row(0)
    assert all(math.isfinite(m) and m >= 0 for m in metrics)
    if closed == "infer":  # the default selection on the same days
        default, _ = _run(forecast, history, **{**options, "models": "auto"})
        assert default is not None
        check_forecast(default, case, horizon=89, level=(80, 95))
        assert default["ds"].equals(fc["ds"])


@st.composite
def sundays_with_gaps(draw: st.DrawFn) -> tuple[pl.DataFrame, int, str]:
    """A Sundays-only history of 3 weeks to 3 years with one to three gaps of 2-26 weeks.

    Returns the history, its Sundays with data, and a note. Volumes are well above zero,
    so every Sunday is plainly open and every other day plainly closed.
    """
    weeks = draw(st.integers(3, 156))
    start = draw(st.dates(date(2001, 1, 1), date(2030, 12, 31)))
    start += timedelta(days=7 - start.isoweekday())  # a Sunday
    gaps = draw(
        st.lists(st.tuples(st.integers(0, weeks), st.integers(2, 26)), min_size=1, max_size=3)
    )
    total = weeks + sum(length for _, length in gaps)
    days, skip, at = _sundays(start, start + timedelta(weeks=total - 1)), [], 0
    for offset, length in sorted(gaps):
        first = start + timedelta(weeks=offset + at)
        skip.append((first, first + timedelta(weeks=length - 1)))
        at += length
    kept = [d for d in days if not any(a <= d <= b for a, b in skip)]
    level = draw(st.sampled_from((60.0, 900.0, 1e9)))
    seed = draw(st.integers(0, 2**32 - 1))
    y = np.random.default_rng(seed).poisson(level, len(kept)).astype(float)
    history = pl.DataFrame({"ds": kept, "y": y}, schema={"ds": pl.Date, "y": pl.Float64})
    return history, len(kept), f"{weeks} weeks from {start}, gaps {sorted(gaps)}, level {level:g}"


@settings(CI, max_examples=8)
@given(
    drawn=sundays_with_gaps(),
    subdiv=st.sampled_from(["SZ", "UR", "TI", None]),
    horizon=st.integers(60, 120),
    every_holiday=st.booleans(),
)
def test_sundays_only_lines_with_gaps_and_swiss_holidays(
    drawn: tuple[pl.DataFrame, int, str], subdiv: str | None, horizon: int, every_holiday: bool
) -> None:
    history, sundays, description = drawn
    note(description)
    closed = (1, 2, 3, 4, 5, 6, "holidays") if every_holiday else "infer"
    options: dict[str, object] = {
        "horizon": horizon,
        "holidays": "CH",
        "subdiv": subdiv,
        "closed": closed,
        "models": "snaive",
    }
    if sundays < 21:  # the documented minimum: three weeks of open days with data
        with pytest.raises(InsufficientHistoryError):
            forecast(history, **options)  # type: ignore[arg-type]
        return
    fc, messages = _run(forecast, history, **options)
    assert fc is not None
    last = history["ds"].max()
    assert isinstance(last, date)
    case = Case(history, {None: (7,)}, {None: tuple(range(1, 8))}, {None: last}, description)
    check_forecast(fc, case, horizon=horizon, level=(80, 95))
    _short_flag_matches_warning(fc, messages)
    days = fc["ds"].to_list()
    hol = _holiday_dates("CH", subdiv, last, days[-1])
    expected = expected_days(last, (7,), horizon + len(hol))
    assert [d for d in days if d not in hol] == [
        d for d in expected if d <= days[-1] and d not in hol
    ]
    if every_holiday:
        assert not set(days) & hol
    else:  # holidays were worked (or never seen on a Sunday): every Sunday is forecast
        assert days == expected_days(last, (7,), horizon)
    scores, _ = _run(backtest, history, windows=2, **options)
    assert scores is not None
    metrics = scores.select("mase", "smape", "rmse", "coverage_80", "coverage_95").row(0)
    assert all(math.isfinite(m) and m >= 0 for m in metrics)


@settings(CI, max_examples=25)
@given(case=cases(max_series=1), keep=st.integers(0, 20))
def test_under_21_days_is_insufficient_history(case: Case, keep: int) -> None:
    # 20 rows or fewer span at most 20 days: fewer than 21 open days with data, whatever
    # the calendar inferred
    short = case.history.head(keep)
    with pytest.raises(InsufficientHistoryError):
        forecast(short, horizon=7, models="snaive")
    with pytest.raises(InsufficientHistoryError):
        backtest(short, horizon=7, windows=2, models="snaive")


INVALID = st.sampled_from(
    [
        {"horizon": 0},
        {"horizon": -3},
        {"horizon": 2.5},
        {"horizon": True},
        {"horizon": "7"},
        {"horizon": None},
        {"level": 0},
        {"level": 100},
        {"level": 150},
        {"level": -80},
        {"level": ()},
        {"level": (80, 80)},
        {"level": "80"},
        {"level": None},
        {"models": "prophet"},
        {"models": []},
        {"models": ("uc", "bogus")},
        {"models": None},
        {"windows": 0},
        {"windows": 1.5},
        {"step": 0},
        {"step": -7},
        {"closed": "weekends"},
        {"closed": (8,)},
        {"closed": (0, 6)},
        {"closed": (True,)},
        {"closed": ("Not A Holiday",)},
        {"closed": (6.0,)},
        {"annual": -1},
        {"annual": "yes"},
        {"holidays": "XX"},
        {"holidays": "GB", "subdiv": "Atlantis"},
        {"n_jobs": 0},
        {"n_jobs": -2},
    ]
)


@settings(CI, max_examples=40)
@given(bad=INVALID)
def test_an_invalid_option_is_a_parameter_error(bad: dict[str, object]) -> None:
    days = pl.date_range(date(2025, 1, 6), date(2025, 4, 27), eager=True)
    history = pl.DataFrame({"ds": days, "y": [float(50 + i % 7) for i in range(len(days))]})
    options: dict[str, object] = {"horizon": 7, "models": "snaive", **bad}
    with pytest.raises(ParameterError):
        forecast(history, **options)  # type: ignore[arg-type]
    if "n_jobs" in bad:  # forecast's option only
        return
    options.setdefault("windows", 2)
    with pytest.raises(ParameterError):
        backtest(history, **options)  # type: ignore[arg-type]


# -------------------------------------------------------- the full default, a few examples


@pytest.mark.slow  # the default selection fits every candidate on every window (seconds)
@settings(CI, max_examples=4)
@given(case=cases(max_series=2, max_days=900), horizon=st.integers(1, 60), level=LEVELS)
def test_the_default_forecast_keeps_its_guarantees(case: Case, horizon: int, level: object) -> None:
    note(case.description)
    fc, messages = _run(
        forecast, case.history, case=case, horizon=horizon, level=level, holidays=None
    )
    if fc is None:
        return
    check_forecast(fc, case, horizon=horizon, level=level)
    check_calendar(fc, case)
    _short_flag_matches_warning(fc, messages)
    again, _ = _run(forecast, case.history, horizon=horizon, level=level, holidays=None)
    assert again is not None and again.equals(fc)
