"""How a trending place is scored and why another place is not listed (private to spending).

The scoring steps 2 to 5 of the method in :mod:`insights.spending.trending`: the cell
movement, the gamma–Poisson prior and posterior, the repeat-rate penalty, and the first rule
that keeps each place off the list (its ``stage``). :func:`assessed` runs them for a month;
:func:`ranked` numbers the places a public function keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from insights._common import Month
from insights.errors import ParameterError
from insights.spending._shared import check_min_customers
from insights.spending.eligibility import (
    _candidates,
    _check_city,
    _check_month,
    monthly_input,
)

__all__ = ["STAGES", "Rules", "assessed", "ranked"]

_CELL_PSEUDO_COUNT = 1.0
_MIN_PRIOR_VARIANCE = 0.01
_MIN_PRIOR_FIT = 5


@dataclass(frozen=True)
class Rules:
    """The thresholds of :func:`insights.trending_merchants` (its docstring explains each)."""

    min_customers: int = 10
    baseline_months: int = 3
    min_baseline: float = 3.0
    chain_min_cities: int = 2
    chain_min_locations: int = 3
    prior_quantile: float = 0.1
    repeat_prior_strength: float = 20.0
    min_score: float = 1.0

    def check(self, *, top_n: int = 1) -> None:
        """Raise :class:`ParameterError` for a threshold no ranking can use."""
        check_min_customers(self.min_customers)
        if top_n < 1:
            msg = f"top_n must be at least 1, got {top_n}."
            raise ParameterError(msg)
        if self.baseline_months < 1:
            msg = f"baseline_months must be at least 1, got {self.baseline_months}."
            raise ParameterError(msg)
        if not 0 < self.prior_quantile < 1:
            msg = f"prior_quantile must be strictly between 0 and 1, got {self.prior_quantile}."
            raise ParameterError(msg)
        if not self.min_baseline > 0:
            msg = (
                f"min_baseline must be above 0 (default 3 repeat customers a month): growth "
                f"against a baseline of 0 cannot be measured; got {self.min_baseline}."
            )
            raise ParameterError(msg)


def _cell_movement() -> pl.Expr:
    """Leave-one-out growth of repeat customers in the place's city × category cell."""
    cell = ["merchant_city", "merchant_category"]
    now = pl.col("repeat_customers").sum().over(cell) - pl.col("repeat_customers")
    base = pl.col("baseline_repeat").sum().over(cell) - pl.col("baseline_repeat")
    return ((now + _CELL_PSEUDO_COUNT) / (base + _CELL_PSEUDO_COUNT)).alias("cell_movement")


def _gamma_prior(
    repeat: np.ndarray[Any, Any], expected: np.ndarray[Any, Any]
) -> tuple[float, float]:
    """Gamma(alpha, beta) prior of the rate ratio actual / expected, centred on 1.

    The centre is "no growth beyond expectation"; the spread is the method-of-moments
    variance of the ratios across places, less the Poisson noise.
    """
    usable = expected > 0
    repeat, expected = repeat[usable], expected[usable]
    if len(repeat) < _MIN_PRIOR_FIT or expected.sum() == 0:
        return 1.0, 1.0
    mean = float(repeat.sum() / expected.sum())
    if mean <= 0:
        return 1.0, 1.0
    ratio = repeat / expected
    variance = float(np.mean((ratio - mean) ** 2) - mean * np.mean(1.0 / expected))
    variance = max(variance, _MIN_PRIOR_VARIANCE)
    return 1.0 / variance, 1.0 / variance


def _scored(
    established: pl.DataFrame,
    *,
    min_baseline: float,
    prior_quantile: float,
    repeat_prior_strength: float,
) -> pl.DataFrame:
    """Add expected repeat customers, growth and score to the measurable established places.

    The cell movement uses every established place; the prior, the pooled repeat rate and the
    scores only places whose baseline reaches ``min_baseline``. Other rows get null scores.
    """
    with_expected = (
        established.with_columns(_cell_movement())
        .with_columns(
            (pl.col("baseline_repeat") * pl.col("cell_movement")).alias("expected_repeat"),
            (pl.col("baseline_repeat") >= min_baseline).alias("measurable"),
        )
        .sort("merchant_id")
    )
    measurable = with_expected.filter(pl.col("measurable"))
    repeat = measurable["repeat_customers"].cast(pl.Float64).to_numpy()
    expected = measurable["expected_repeat"].cast(pl.Float64).to_numpy()
    alpha, beta = _gamma_prior(repeat, expected)
    lower = stats.gamma.ppf(prior_quantile, alpha + repeat, scale=1.0 / (beta + expected))
    customers_total = float(measurable["customers"].cast(pl.Float64).sum())
    repeat_total = float(measurable["repeat_customers"].cast(pl.Float64).sum())
    pooled = repeat_total / customers_total if customers_total > 0 else 0.0
    shrunk_rate = (pl.col("repeat_customers") + repeat_prior_strength * pooled) / (
        pl.col("customers") + repeat_prior_strength
    )
    penalty = (shrunk_rate / pooled).clip(upper_bound=1.0) if pooled > 0 else pl.lit(1.0)
    scores = measurable.select(
        "merchant_id",
        (pl.col("repeat_customers") / pl.col("expected_repeat")).alias("growth"),
        shrunk_rate.alias("repeat_rate"),
        (pl.Series("posterior_lower", lower, dtype=pl.Float64) * penalty).alias("score"),
    )
    return with_expected.join(scores, on="merchant_id", how="left")


# Why a place is not on the trending list, in the order the rules are applied.
STAGES = (
    ("chain", "chain locations"),
    ("few_customers", "under {k} customers"),
    ("few_repeat", "under {k} repeat customers"),
    ("new", "too new for a {b}-month baseline"),
    ("small_baseline", "too few regulars before ({mb:g} a month) to measure growth"),
    ("not_growing", "no clear growth beyond expectation"),
    ("listed", "listed"),
)


def _stage(min_customers: int, min_score: float) -> pl.Expr:
    return (
        pl.when(pl.col("chain"))
        .then(pl.lit("chain"))
        .when(pl.col("customers") < min_customers)
        .then(pl.lit("few_customers"))
        .when(pl.col("repeat_customers") < min_customers)
        .then(pl.lit("few_repeat"))
        .when(~pl.col("established"))
        .then(pl.lit("new"))
        .when(~pl.col("measurable"))
        .then(pl.lit("small_baseline"))
        .when(pl.col("score") <= min_score)
        .then(pl.lit("not_growing"))
        .otherwise(pl.lit("listed"))
        .alias("stage")
    )


def assessed(
    monthly: pl.DataFrame, /, *, month: Month, city: str | None, rules: Rules, top_n: int = 1
) -> pl.DataFrame:
    """Every in-person place active in ``month`` (in ``city``) with its score and ``stage``."""
    rules.check(top_n=top_n)
    monthly = monthly_input(monthly)
    target = _check_month(monthly, month)
    city = _check_city(monthly, city, who="trending_merchants")
    # Data shorter than the baseline is not an error: every place is then too new to rank.
    candidates = _candidates(
        monthly,
        target,
        baseline_months=rules.baseline_months,
        chain_min_cities=rules.chain_min_cities,
        chain_min_locations=rules.chain_min_locations,
    )
    scored = _scored(
        candidates.filter(pl.col("established")),
        min_baseline=rules.min_baseline,
        prior_quantile=rules.prior_quantile,
        repeat_prior_strength=rules.repeat_prior_strength,
    ).select(
        "merchant_id",
        "cell_movement",
        "expected_repeat",
        "measurable",
        "growth",
        "repeat_rate",
        "score",
    )
    return (
        candidates.join(scored, on="merchant_id", how="left")
        .with_columns(pl.col("measurable").fill_null(value=False))
        .with_columns(_stage(rules.min_customers, rules.min_score))
        .filter(pl.lit(value=True) if city is None else pl.col("merchant_city") == city)
    )


def ranked(
    places: pl.DataFrame, /, *, by: list[str], top_n: int, columns: list[Any]
) -> pl.DataFrame:
    """Rank places by ``by`` (descending, ties by id) and keep the first ``top_n``.

    Returns ``rank``, ``month``, the place's id, name, category and city, then ``columns``.
    """
    return (
        places.sort([*by, "merchant_id"], descending=[*(True for _ in by), False])
        .head(top_n)
        .with_row_index("rank", offset=1)
        .select(
            pl.col("rank").cast(pl.Int64),
            "month",
            "merchant_id",
            "merchant_name",
            "merchant_category",
            "merchant_city",
            *columns,
        )
    )
