"""Rolling-origin backtests and their scores, shared by forecasting and backtesting.

Internal to :mod:`insights.forecasting`; :mod:`insights.forecasting.backtesting` documents
the windows and the metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from insights._common import level_tag as tag, normal_quantile as z
from insights.errors import InsightsError, InsufficientHistoryError
from insights.forecasting._models import (
    MIN_TRAIN,
    MODELS,
    TIE_TOLERANCE,
    ModelFailedError,
    combine,
    combo_parts,
    fit_predict,
)
from insights.forecasting._series import MIN_TRAIN_OPEN_DAYS, FloatArray, Series

__all__ = [
    "MIN_HISTORY_OPEN_DAYS",
    "PRUNE_AFTER",
    "PRUNE_MARGIN",
    "REFIT_EVERY",
    "STEADY_T",
    "STEADY_UNDER_DAYS",
    "Plan",
    "plan_backtest",
    "prefer_steady",
    "required_open_days",
    "rolling_origin",
    "score",
    "tag",
    "z",
]

#: Backtest windows between two estimations of a model's parameters (see
#: :func:`rolling_origin`): :func:`insights.forecast`'s 4 selection windows share one.
REFIT_EVERY = 4

#: :func:`insights.forecast` drops a candidate from its selection after this many backtest
#: windows when its MASE on them is more than ``1 + PRUNE_MARGIN`` times the best
#: candidate's: it cannot catch up, and its later windows are not run (see
#: :func:`clearly_behind`). Chosen on the benchmark: over 64 origins of the forecast
#: benchmark's ten real series and twelve synthetic ones, the choice never changed with a
#: margin of 30% or more after two windows (it did with 20%, and after one window).
PRUNE_AFTER = 2
PRUNE_MARGIN = 0.5

#: :func:`prefer_steady`: a single model is kept over ``combo`` when the mean over backtest
#: windows of the log ratio of its window MASE to the combination's is more than this many
#: standard errors below zero.
STEADY_T = 2.0

#: :func:`insights.forecast` applies :func:`prefer_steady` to histories shorter than this
#: many calendar days (52 weeks). Chosen on the forecast benchmark (8 origins each): on the
#: two series under a year where the choice flipped it takes ``us/nyc_flights`` from 2.84 to
#: 1.91 MASE and ``au/vic_electricity`` from 0.86 to 0.72 (``us/bank_calls``, where ``uc``
#: wins beyond the tie, is unchanged); on the seven series with 17 months or more, where
#: ``uc`` with its yearly terms wins, it would change little (+0.15% pooled, simulated).
STEADY_UNDER_DAYS = 364

#: The least history :func:`insights.forecast` and :func:`insights.backtest` accept: three
#: weeks of open days (two to fit seasonal naive, one to check it against).
MIN_HISTORY_OPEN_DAYS = 21


def required_open_days(
    horizon: int, windows: int, step: int, *, min_train: int = MIN_TRAIN_OPEN_DAYS
) -> int:
    return min_train + horizon + (windows - 1) * step


@dataclass(frozen=True)
class Plan:
    """How one series is backtested: full (as asked) or cut down to a short history."""

    candidates: tuple[str, ...]
    horizon: int  # open days per backtest window
    windows: int
    step: int
    min_train: int
    short: bool


def plan_backtest(
    series: Series,
    /,
    *,
    horizon: int,
    candidates: Sequence[str],
    windows: int,
    step: int,
    backtest: bool,
    who: str,
) -> Plan:
    """Backtest as asked when the history allows it, else on what the history fits.

    A short history (fewer open days than six weeks of training plus ``windows`` windows)
    is backtested on the candidates with the largest minimum training (:data:`MIN_TRAIN`)
    that leaves a week or more of held-out days, on as many windows (up to ``windows``) of
    up to ``horizon`` open days as fit after that training. Below
    :data:`MIN_HISTORY_OPEN_DAYS` (or the simplest candidate's training plus a week) it
    raises :class:`InsufficientHistoryError`, and so it does when fewer than
    :data:`MIN_HISTORY_OPEN_DAYS` open days have data (``y`` not null), however long the
    calendar they are spread over.
    """
    n_open = int(series.open.sum())
    n_data = int(np.count_nonzero(~np.isnan(series.y)))
    if n_data < MIN_HISTORY_OPEN_DAYS:
        msg = (
            f"{who}: series {series.uid!r} has {n_data} open days with data (y not null) "
            f"among its {n_open} open days of history; at least {MIN_HISTORY_OPEN_DAYS} are "
            "needed (two weeks to fit the simplest model and one to check it against). "
            "Give more history."
        )
        raise InsufficientHistoryError(msg)
    full = Plan(tuple(candidates), horizon, windows, step, MIN_TRAIN_OPEN_DAYS, short=False)
    enough = required_open_days(horizon, windows, step) if backtest else MIN_TRAIN_OPEN_DAYS
    if n_open >= enough:
        return full
    min_fit = min(MIN_TRAIN[m] for m in candidates)
    floor = max(MIN_HISTORY_OPEN_DAYS, min_fit + (7 if backtest else 0))
    if n_open < floor:
        msg = (
            f"{who}: series {series.uid!r} has {n_open} open days of history; at least "
            f"{floor} are needed (two weeks to fit the simplest candidate among "
            f"{list(candidates)} and one to check it against). Give more history."
        )
        raise InsufficientHistoryError(msg)
    if not backtest:
        return replace(full, short=True)
    # the richest tier of candidates that leaves a week or more to backtest on
    for tier in sorted({MIN_TRAIN[m] for m in candidates}, reverse=True):
        if n_open - tier >= 7:
            break
    h = min(horizon, n_open - tier)
    step_bt = min(step, h)
    w = min(windows, 1 + (n_open - tier - h) // step_bt)
    fits = tuple(m for m in candidates if MIN_TRAIN[m] <= tier)
    return Plan(fits, h, w, step_bt, tier, short=True)


def rolling_origin(
    series: Series,
    /,
    *,
    models: Sequence[str],
    horizon: int,
    windows: int,
    step: int,
    strict: bool,
    before: int = 0,
    fixed: bool = False,
    min_train: int = MIN_TRAIN_OPEN_DAYS,
    refit_every: int = REFIT_EVERY,
    prune_after: int = 0,
) -> pl.DataFrame:
    """Backtest predictions: one row per model, window and held-out open day.

    Columns: ``model``, ``window`` (0 = oldest), ``ds``, ``y``, ``mean``, ``sd``, ``scale``
    (in-sample MAE of the weekly seasonal naive forecast on the window's training days).
    A model that fails in a window is dropped from all windows unless ``strict``.

    The last window ends ``before`` windows before the end of the history. Unless ``fixed``,
    the parameters are estimated in the oldest window and every ``refit_every`` windows
    after it, and become the series' anchor; the windows in between reuse the anchor's
    parameters and only rerun the filter (see :func:`fit_predict`): the states (level,
    weekly pattern, regression coefficients) still see every day before each origin, only
    the three variances and the AR coefficient are kept. With ``fixed`` every window
    reuses the anchor. The oldest window trains on at least ``min_train`` open days.

    With ``prune_after`` (> 0, and more than one model), the models :func:`clearly_behind`
    the best after that many windows are not run on the later windows and are left out of
    the result, like failed ones.

    ``combo`` is not fitted: its rows in each window combine its parts' rows of that
    window (:func:`insights.forecasting._models.combine`), the parts being
    ``series.combo`` when an earlier backtest fixed them, else every part that
    ``min_train`` open days fit. The parts run (and are returned only if asked for) and are
    never pruned while the combination is not clearly behind, so its MASE always pools as
    many windows as the other models'. A part that fails is left out of every window; with
    fewer than two parts left, or other parts than ``series.combo``, the combination fails
    (like a model). The parts it combined become ``series.combo``.
    """
    open_idx = np.flatnonzero(series.open)
    needed = required_open_days(horizon, windows + before, step, min_train=min_train)
    if open_idx.size < needed:
        msg = (
            f"series {series.uid!r} has {open_idx.size} open days of history; a backtest of "
            f"{windows} window(s) of {horizon} open days every {step} days needs at least "
            f"{needed} ({min_train} to fit + the windows). Give more history, "
            "or reduce horizon/windows."
        )
        raise InsufficientHistoryError(msg)
    y = series.y
    parts = (series.combo or combo_parts(min_train)) if "combo" in models else ()
    singles = [m for m in models if m != "combo"]
    runs = [*singles, *(m for m in parts if m not in singles)]
    rows: dict[tuple[int, str], pl.DataFrame] = {}  # (window, model) -> held-out rows
    failed: set[str] = set()
    for w in range(windows):
        if w and w == prune_after and len(models) > 1:
            so_far = _with_combo(rows, models, parts, failed, windows=range(w))
            behind = clearly_behind(_held_out(so_far)) if so_far.height else set()
            if "combo" in behind:  # its parts are no longer needed, unless asked for
                behind |= set(parts) - set(singles)
            else:  # a live combination keeps its parts on every window
                behind -= set(parts)
            failed |= behind  # dropped like a failed model
        end = open_idx.size - (windows - 1 - w + before) * step
        test_open = open_idx[end - horizon : end]
        first, last = int(test_open[0]), int(test_open[-1])
        train = series.grid.head(first)
        future = series.grid.slice(first, last - first + 1)
        scale = _snaive_scale(y[:first])
        pos = test_open - first
        for name in runs:
            if name in failed:
                continue
            refit = not fixed and w % refit_every == 0
            try:
                mean, sd = fit_predict(series, name, train, future, fixed=not refit)
            except ModelFailedError:
                if strict and name in singles:
                    raise
                failed.add(name)
                continue
            if refit and name in series.warm:
                series.anchor[name] = series.warm[name]
            rows[w, name] = pl.DataFrame(
                {
                    "model": name,
                    "window": w,
                    "ds": future["ds"].gather(pos),
                    "y": y[test_open],
                    "mean": mean[pos],
                    "sd": sd[pos],
                    "scale": scale,
                }
            )
    if "combo" in models and "combo" not in failed:
        kept = tuple(m for m in parts if m not in failed)
        if len(kept) < 2 or (series.combo and kept != series.combo):
            if strict:
                msg = (
                    f"forecast: model 'combo' failed on series {series.uid!r}: its parts "
                    f"{list(parts)} fitted as {list(kept)}; it needs two or more, the same "
                    "in every window."
                )
                raise ModelFailedError(msg)
            failed.add("combo")
        else:
            series.combo = kept
    out = _with_combo(rows, models, parts, failed, windows=range(windows))
    if out.height == 0:
        msg = f"forecast: every model failed on series {series.uid!r}; see the causes above."
        raise InsightsError(msg)
    return _held_out(out)


def _with_combo(
    rows: dict[tuple[int, str], pl.DataFrame],
    models: Sequence[str],
    parts: Sequence[str],
    failed: set[str],
    /,
    *,
    windows: range,
) -> pl.DataFrame:
    """Return the rows of ``models`` in ``windows`` that did not fail, ``combo``'s combined.

    ``combo``'s rows in a window :func:`combine` its parts' rows of that window (the parts
    that have not failed): no model is fitted for it.
    """
    kept = [m for m in parts if m not in failed]
    frames = []
    for w in windows:
        for name in models:
            if name in failed:
                continue
            if name != "combo":
                if (w, name) in rows:
                    frames.append(rows[w, name])
                continue
            got = [rows[w, m] for m in kept if (w, m) in rows]
            if len(got) < 2 or len(got) < len(kept):
                continue
            mean, sd = combine(
                [f["mean"].to_numpy() for f in got],
                [f["sd"].to_numpy() for f in got],
            )
            frames.append(got[0].with_columns(model=pl.lit("combo"), mean=mean, sd=sd))
    return pl.concat(frames) if frames else pl.DataFrame()


def _held_out(predictions: pl.DataFrame) -> pl.DataFrame:
    return predictions.with_columns(pl.col("y").fill_nan(None)).drop_nulls("y")


def _pooled_mase(predictions: pl.DataFrame) -> pl.DataFrame:
    """``model``, ``mase``: every row of a model pooled."""
    return predictions.group_by("model").agg(
        ((pl.col("y") - pl.col("mean")).abs() / pl.col("scale")).mean().alias("mase")
    )


def clearly_behind(predictions: pl.DataFrame, /, *, margin: float = PRUNE_MARGIN) -> set[str]:
    """Models whose MASE is more than ``1 + margin`` times the best model's.

    ``predictions`` as :func:`rolling_origin` returns them (``model``, ``y``, ``mean``,
    ``scale``); the MASE pools every row of a model.

    Examples
    --------
    >>> preds = pl.DataFrame({
    ...     "model": ["uc", "uc", "ets", "ets", "snaive", "snaive"],
    ...     "y": [10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    ...     "mean": [9.0, 11.0, 8.6, 11.4, 8.4, 11.6],
    ...     "scale": [2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
    ... })
    >>> sorted(clearly_behind(preds, margin=0.5))  # MASE 0.5, 0.7 and 0.8 > 1.5 x 0.5
    ['snaive']

    """
    mase = _pooled_mase(predictions)
    best = mase["mase"].min()
    if not isinstance(best, float) or not np.isfinite(best):
        return set()
    return set(mase.filter(pl.col("mase") > (1 + margin) * best)["model"].to_list())


def prefer_steady(
    predictions: pl.DataFrame, ranking: Sequence[str], /, *, t: float = STEADY_T
) -> list[str]:
    """``ranking`` with ``combo`` moved first unless the model ranked first beats it steadily.

    A model after ``combo`` in :data:`MODELS` (``ets``, ``stl_ets``, ``snaive``: the order
    of trust that also breaks ties) has to beat it steadily: per backtest window, the log
    of the ratio of its MASE to the combination's; the model stays first when the mean of
    these logs is more than ``t`` standard errors below zero (it wins window after window,
    not on one window's luck); with one window it cannot show that. ``uc`` or
    ``uc_yearly`` ranked first stays first when its MASE is more than the tie
    (:data:`TIE_TOLERANCE`, 2%) below the combination's: a tie goes to ``combo``, which
    contains ``uc``. ``predictions`` as :func:`rolling_origin` returns them. Without
    ``combo`` rows (not a candidate, failed or dropped as clearly behind) the ranking is
    kept.

    Examples
    --------
    >>> preds = pl.DataFrame({
    ...     "model": ["snaive"] * 3 + ["combo"] * 3,
    ...     "window": [0, 1, 2] * 2,
    ...     "y": [10.0] * 6,
    ...     "mean": [10.5, 10.5, 14.0, 11.0, 11.0, 11.0],
    ...     "scale": [1.0] * 6,
    ... })
    >>> prefer_steady(preds, ["snaive", "combo"])  # two windows won, one lost badly
    ['combo', 'snaive']
    >>> prefer_steady(preds.filter(pl.col("window") < 2), ["snaive", "combo"])
    ['snaive', 'combo']
    >>> prefer_steady(preds.filter(pl.col("window") == 0), ["snaive", "combo"])
    ['combo', 'snaive']
    >>> def uc_off_by(error):
    ...     is_uc = pl.col("model") == "snaive"
    ...     return preds.with_columns(model=pl.col("model").replace("snaive", "uc"),
    ...                               mean=pl.when(is_uc).then(10 + error).otherwise("mean"))
    >>> prefer_steady(uc_off_by(0.99), ["uc", "combo"])  # a MASE of 0.99 against 1: a tie
    ['combo', 'uc']
    >>> prefer_steady(uc_off_by(0.9), ["uc", "combo"])  # 0.9 against 1: beyond the tie
    ['uc', 'combo']

    """
    ranking = list(ranking)
    has_combo = "combo" in ranking and bool((predictions["model"] == "combo").any())
    if not has_combo or ranking[0] == "combo":
        return ranking
    first = ranking[0]
    if MODELS.index(first) < MODELS.index("combo"):
        pooled = _pooled_mase(predictions)
        mase = dict(zip(pooled["model"], pooled["mase"], strict=True))
        beyond_tie = mase["combo"] > mase[first] * (1 + TIE_TOLERANCE)
        return ranking if beyond_tie else ["combo", *(m for m in ranking if m != "combo")]
    per = (
        predictions.filter(pl.col("model").is_in([first, "combo"]))
        .group_by("window", "model")
        .agg(((pl.col("y") - pl.col("mean")).abs() / pl.col("scale")).mean().alias("mase"))
        .pivot("model", index="window", values="mase")
        .drop_nulls()
    )
    steady = False
    if per.height >= 2 and first in per.columns and "combo" in per.columns:
        tiny = 1e-12  # a window both forecast exactly is a tie, not a NaN
        logs = np.log((per[first].to_numpy() + tiny) / (per["combo"].to_numpy() + tiny))
        spread = float(logs.std(ddof=1))
        mean = float(logs.mean())
        steady = mean < 0 if spread == 0 else mean / (spread / np.sqrt(logs.size)) < -t
    return ranking if steady else ["combo", *(m for m in ranking if m != "combo")]


def _snaive_scale(y: FloatArray) -> float:
    diffs = np.abs(y[7:] - y[:-7])
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if diffs.size and diffs.mean() > 0 else 1.0


def score(predictions: pl.DataFrame, /, *, level: Sequence[float]) -> pl.DataFrame:
    """Accuracy and raw interval coverage per model (and ``unique_id`` when present)."""
    keys = [c for c in ("unique_id", "model") if c in predictions.columns]
    err = pl.col("y") - pl.col("mean")
    denom = pl.col("y").abs() + pl.col("mean").abs()
    exprs = [
        (err.abs() / pl.col("scale")).mean().alias("mase"),
        pl.when(denom > 0).then(200 * err.abs() / denom).otherwise(0.0).mean().alias("smape"),
        (err**2).mean().sqrt().alias("rmse"),
    ]
    for lv in level:
        half = z(lv) * pl.col("sd")
        exprs.append((err.abs() <= half).mean().alias(f"coverage_{tag(lv)}"))
    for lv in level:
        exprs.append((2 * z(lv) * pl.col("sd")).mean().alias(f"width_{tag(lv)}"))
    exprs.append(pl.len().alias("n_days"))
    return predictions.group_by(keys, maintain_order=True).agg(exprs)
