from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl
import pytest

from insights.errors import InsufficientHistoryError, ParameterError, ShortHistoryWarning
from insights.forecasting import _evaluation as evaluation  # noqa: PLC2701 (pruning internals)
from insights.forecasting._evaluation import (  # noqa: PLC2701
    clearly_behind,
    rolling_origin,
)
from insights.forecasting._models import fit_predict  # noqa: PLC2701
from insights.forecasting._series import Series, series_for  # noqa: PLC2701
from insights.forecasting.backtesting import (
    _calibrated_coverage,  # noqa: PLC2701 (a test of the private coverage helper)
    backtest,
    backtest_predictions,
)
from insights.forecasting.forecaster import forecast
from insights.forecasting.synthetic import synthetic_daily


@pytest.fixture(scope="module")
def history() -> pl.DataFrame:
    """A year and a bit of a phone line closed on Sundays and bank holidays (absent rows)."""
    return synthetic_daily(start=date(2024, 6, 3), days=430, seed=11)


@pytest.fixture(scope="module")
def scores(history: pl.DataFrame) -> pl.DataFrame:
    return backtest(history, horizon=14, windows=10, models=("uc", "ets", "snaive"))


def test_one_row_per_model_with_metrics(scores: pl.DataFrame) -> None:
    assert sorted(scores["model"].to_list()) == ["ets", "snaive", "uc"]
    assert scores.columns == [
        "model",
        "mase",
        "smape",
        "rmse",
        "coverage_80",
        "coverage_95",
        "width_80",
        "width_95",
        "n_days",
        "calibrated_coverage_80",
        "calibrated_coverage_95",
        "mase_vs_snaive",
        "short_history",
    ]
    assert scores["n_days"].to_list() == [140, 140, 140]
    assert not scores["short_history"].any()


def test_default_model_beats_seasonal_naive(scores: pl.DataFrame) -> None:
    by_model = dict(zip(scores["model"], scores["mase"], strict=True))
    assert by_model["uc"] < 0.85 * by_model["snaive"]
    assert scores["model"][0] == "uc"  # sorted by MASE: best first


def test_calibrated_80_intervals_cover_70_to_90_percent(scores: pl.DataFrame) -> None:
    uc = scores.filter(pl.col("model") == "uc")
    assert 0.70 <= uc["calibrated_coverage_80"].item() <= 0.90
    assert 0.88 <= uc["calibrated_coverage_95"].item() <= 0.99


def test_predictions_hold_out_open_days_only(history: pl.DataFrame) -> None:
    preds = backtest_predictions(history, horizon=7, windows=2, models="snaive")
    assert preds.columns == [
        "model",
        "window",
        "ds",
        "y",
        "mean",
        "sd",
        "scale",
        "short_history",
    ]
    assert preds.height == 14
    assert 7 not in preds["ds"].dt.weekday().to_list()
    assert preds["ds"].is_in(history["ds"].implode()).all()
    # seasonal naive repeats last week's value
    last_train = history.filter(pl.col("ds") < preds["ds"].min()).tail(6)
    first_week = preds.filter(pl.col("window") == 0).sort("ds").head(6)
    assert first_week["mean"].to_list() == last_train["y"].to_list()


def test_too_short_for_the_windows_backtests_fewer_with_a_warning_and_a_flag(
    history: pl.DataFrame,
) -> None:
    # 60 open days (closed days are absent rows), fewer than the 42 + 4 × 14 = 98 asked
    # for; seasonal naive fits on 14 open days, which leaves 46: three 14-day windows
    short = history.head(60)
    with pytest.warns(ShortHistoryWarning, match=r"60 open days .* 3 window\(s\) of 14"):
        preds = backtest_predictions(short, horizon=14, windows=4, models="snaive")
    assert preds["window"].unique().sort().to_list() == [0, 1, 2]
    assert preds.height == 42
    assert preds["ds"].max() == short["ds"].max()
    assert preds["short_history"].all()
    # 45 open days: uc needs 42 to fit and would leave 3; ets needs 28 and leaves 17
    with pytest.warns(ShortHistoryWarning, match="too little history for \\['uc'\\]"):
        scores = backtest(history.head(45), horizon=14, windows=4, models=("uc", "ets", "snaive"))
    assert sorted(scores["model"].to_list()) == ["ets", "snaive"]
    assert scores["short_history"].to_list() == [True, True]


def test_forecast_picks_the_model_backtest_ranks_first_on_a_short_history(
    history: pl.DataFrame,
) -> None:
    short = history.head(90)
    models = ("uc", "ets", "snaive")
    with pytest.warns(ShortHistoryWarning):
        scores = backtest(short, horizon=14, windows=4, models=models)
        fc = forecast(short, horizon=14, windows=4, models=models, calibrate=False)
    assert fc["model"][0] == scores["model"][0]


def test_history_under_the_minimum_names_series_and_length_needed(history: pl.DataFrame) -> None:
    tiny = history.head(20).with_columns(unique_id=pl.lit("chat"))
    with pytest.raises(InsufficientHistoryError, match=r"'chat' has 20 open days.*at least 21"):
        backtest(tiny, horizon=14, windows=4)


def _one_day_windows(starts: list[date], errors: list[float]) -> pl.DataFrame:
    """Predictions of one held-out day per window, with an own 80% half-width of 1."""
    z80 = 1.2815515655446004
    return pl.DataFrame(
        {
            "unique_id": None,
            "model": "m",
            "window": list(range(len(starts))),
            "ds": starts,
            "y": [100.0 + e for e in errors],
            "mean": 100.0,
            "sd": 1 / z80,
        },
        schema_overrides={"unique_id": pl.String},
    )


@pytest.mark.parametrize(
    ("first_window", "coverage"),
    [
        (date(2024, 6, 3), 1.0),  # 50 weeks before the last window: still calibrates it
        (date(2024, 5, 6), 0.75),  # 54 weeks before: forgotten by the last window
    ],
)
def test_calibration_takes_the_wider_of_recent_and_past_year(
    first_window: date, coverage: float
) -> None:
    # |error| 5 in the first window, 0.5 in the next four, 2 in the last: the last window is
    # covered only while the first one counts (its 4 recent windows alone give a factor 0.5)
    starts = [first_window, *(date(2025, 4, d) for d in (1, 8, 15, 22)), date(2025, 5, 19)]
    preds = _one_day_windows(starts, [5.0, 0.5, 0.5, 0.5, 0.5, 2.0])
    out = _calibrated_coverage(preds, level=(80,))
    # windows 2 … 5 have two or more earlier windows to calibrate on
    assert out["calibrated_coverage_80"].item() == coverage


@pytest.mark.parametrize("bad", [{"windows": 0}, {"windows": True}, {"step": 0}, {"step": 2.5}])
@pytest.mark.parametrize("function", [backtest, forecast])
def test_bad_windows_or_step_is_a_parameter_error(
    history: pl.DataFrame, function: Callable[..., pl.DataFrame], bad: dict[str, object]
) -> None:
    options: dict[str, object] = {"windows": 2, **bad}
    with pytest.raises(ParameterError, match="must be positive whole numbers"):
        function(history, horizon=7, **options)


def test_backtest_and_forecast_values_are_pinned() -> None:
    """Refactors must not move the numbers.

    Values from the code of the speed work (#13): parameters estimated once per 4 backtest
    windows, ``uc`` fits started from a pre-fit without regressors, one BLAS thread; ``uc``
    with ten annual pairs (seven as a least-squares profile) on 800 days (season work),
    the ``after_closure_2`` regressor (the second open day after a closure),
    ``stl_ets`` keeping its ETS parameters between refits (MASE 0.88291 -> 0.88284),
    holiday effects by name (the days near this line's closed bank holidays get effects
    learnt from noise, mostly shrunk to none), and the ``uc`` pre-fit started near its
    optimum (the same optimum to the optimiser's tolerance: MASE 0.759214 -> 0.759227,
    forecasts within 1e-5), and ``month_start`` flagging the first three open days of a
    month (a regressor without effect on this series: ``uc`` MASE 0.75923 -> 0.76755).
    """
    hist = synthetic_daily(start=date(2024, 1, 1), days=800, seed=3)
    models = ("uc", "ets", "stl_ets", "snaive")
    scores = backtest(hist, horizon=14, windows=3, models=models)
    assert scores.select("model", "mase", "coverage_80", "calibrated_coverage_80").rows() == [
        ("uc", pytest.approx(0.7675452198), pytest.approx(27 / 42), pytest.approx(11 / 14)),
        ("ets", pytest.approx(0.7774209219), pytest.approx(39 / 42), pytest.approx(12 / 14)),
        ("stl_ets", pytest.approx(0.8828393516), pytest.approx(34 / 42), pytest.approx(13 / 14)),
        ("snaive", pytest.approx(0.9224650491), 1.0, pytest.approx(11 / 14)),
    ]
    fc = forecast(hist.head(500), horizon=5, models=models)
    assert fc.head(2).rows() == [
        (
            date(2025, 8, 21),
            "uc",
            pytest.approx(336.9668372),
            pytest.approx(320.3069319),
            pytest.approx(353.6267425),
            pytest.approx(302.0748478),
            pytest.approx(371.8588266),
            False,
        ),
        (
            date(2025, 8, 22),
            "uc",
            pytest.approx(322.1457964),
            pytest.approx(303.5298879),
            pytest.approx(340.7617050),
            pytest.approx(283.1572145),
            pytest.approx(361.1343784),
            False,
        ),
    ]


def test_clearly_behind_is_beyond_the_margin_over_the_best() -> None:
    preds = pl.DataFrame(
        {
            "model": ["uc", "ets", "stl_ets", "snaive"],
            "y": [10.0, 10.0, 10.0, 10.0],
            "mean": [9.0, 8.5, 8.4, 13.0],  # MASE 0.5, 0.75 (1.5x: kept), 0.8, 1.5
            "scale": [2.0, 2.0, 2.0, 2.0],
        }
    )
    assert clearly_behind(preds, margin=0.5) == {"stl_ets", "snaive"}
    assert clearly_behind(preds, margin=2.0) == set()


def _trending_line() -> Series:
    """A steady trend: damped-trend ETS follows it, seasonal naive lags a week behind."""
    days = pl.date_range(date(2024, 1, 1), date(2024, 12, 29), eager=True)
    t = np.arange(len(days), dtype=np.float64)
    noise = np.random.default_rng(3).normal(0, 1, len(days))
    frame = pl.DataFrame({"ds": days, "y": 200 + 2 * t + noise})
    series = series_for(
        frame, None, country=None, subdiv=None, closed="infer", annual=0, future=None
    )
    return series


def test_a_candidate_clearly_behind_is_not_run_on_later_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def counted(series: Series, name: str, *args: pl.DataFrame, fixed: bool) -> object:
        calls.append(name)
        return fit_predict(series, name, *args, fixed=fixed)

    monkeypatch.setattr(evaluation, "fit_predict", counted)
    options = {"models": ["ets", "snaive"], "horizon": 14, "windows": 4, "step": 14}
    full = rolling_origin(_trending_line(), strict=False, **options)  # type: ignore[arg-type]
    assert full.group_by("model").agg(pl.col("window").n_unique()).sort("model").rows() == [
        ("ets", 4),
        ("snaive", 4),
    ]
    calls.clear()
    # a fresh series: warm starts from the first run would move the fits
    pruned = rolling_origin(_trending_line(), strict=False, prune_after=2, **options)  # type: ignore[arg-type]
    assert pruned["model"].unique().to_list() == ["ets"]  # left out, like a failed model
    assert calls == ["ets", "snaive", "ets", "snaive", "ets", "ets"]  # windows 0, 1, 2, 3
    assert pruned.equals(full.filter(pl.col("model") == "ets"))


def test_backtest_scores_every_model_on_every_window() -> None:
    """Only forecast() drops candidates clearly behind; backtest() reports them all."""
    frame = _trending_line().grid.select("ds", "y")
    scores = backtest(frame, horizon=14, windows=4, models=["ets", "snaive"], holidays=None)
    assert scores.select("model", "n_days").sort("model").rows() == [
        ("ets", 56),
        ("snaive", 56),
    ]


def test_a_perfect_seasonal_naive_gives_no_ratio_rather_than_infinity() -> None:
    days = pl.date_range(date(2025, 1, 6), date(2025, 4, 27), eager=True)
    constant = pl.DataFrame({"ds": days, "y": [50.0] * len(days)})
    scores = backtest(
        constant, horizon=7, windows=3, models=["ets", "snaive"], holidays=None, level=80
    )
    assert scores["mase"].to_list() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert scores["mase_vs_snaive"].to_list() == [None, None]
