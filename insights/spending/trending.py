r"""Trending places: local, independent merchants whose regulars are growing faster than expected.

The question behind the "Trending Spending" list is *which places are people going back to
more than before?*. We therefore measure **repeat customers** (distinct customers with two or
more payments at the place in the local calendar month) and compare them with what the place's
own history and its surroundings predict.

Method
------
For merchant location :math:`i` in city :math:`c` and category :math:`k`, target month
:math:`t` and the :math:`B` = ``baseline_months`` months before it:

1. **Baseline.** :math:`b_i = \frac{1}{B}\sum_{s=t-B}^{t-1} r_{i,s}`, the mean repeat customers
   per month (a month without payments counts as 0). Only places first seen at least
   :math:`B` months before :math:`t` have a baseline, and growth can only be measured against
   a baseline of at least ``min_baseline`` (default 3) repeat customers a month: 0.3 → 12 is
   not a 40-fold rise but a place that has only just found regulars. Places too new or with
   too small a baseline are listed by :func:`new_merchants` instead, never ranked by growth.
2. **Expected this month.** The place's baseline moved by its city × category cell, so that a
   city-wide or seasonal rise is not "trending":

   .. math::
      m_i = \frac{R_{ck,t} - r_{i,t} + \kappa}{\bar R_{ck} - b_i + \kappa},\qquad
      E_i = b_i\, m_i,

   where :math:`R_{ck,t}` and :math:`\bar R_{ck}` are the cell's repeat customers this month and
   its baseline mean, over all established in-person places of the cell (chains included), the
   place itself left out, and :math:`\kappa = 1` keeps tiny cells near :math:`m = 1`.
3. **Shrinkage (empirical-Bayes gamma–Poisson).** :math:`r_{i,t} \sim
   \text{Poisson}(\lambda_i E_i)` with :math:`\lambda_i \sim \text{Gamma}(\alpha, \beta)` fitted
   centred on 1 (a place does what its history and area predict), its spread fitted by the
   method of moments on every measurable in-person place active in the month (all cities,
   chains included): :math:`\hat\mu = \sum r / \sum E`, :math:`\hat\sigma^2 =
   \overline{(r/E - \hat\mu)^2} - \hat\mu\,\overline{1/E}` (floored at :math:`0.01`),
   :math:`\alpha = \beta = 1/\hat\sigma^2` (with fewer than 5 places, :math:`\alpha = \beta
   = 1`). The posterior rate ratio is :math:`\lambda_i \mid r \sim \text{Gamma}(\alpha +
   r_{i,t},\ \beta + E_i)` and we rank by its lower ``prior_quantile`` (10 %) quantile
   :math:`q_i`. Centred on "no growth", the posterior lower quantile rises with the evidence:
   with equal baselines more regulars rank higher, and with equal growth ratios (above 1) the
   place with more regulars behind the ratio ranks higher.
4. **Repeat-rate penalty (beta–binomial).** A one-off event brings many single visits. With
   :math:`n_i` distinct customers this month and the pooled repeat rate :math:`\bar p =
   \sum r/\sum n` over the same places, the shrunk repeat rate is :math:`\rho_i = (r_{i,t} + n_0
   \bar p) / (n_i + n_0)` (a Beta(:math:`n_0\bar p`, :math:`n_0(1-\bar p)`) prior,
   :math:`n_0` = ``repeat_prior_strength``) and

   .. math:: \text{score}_i = q_i \cdot \min\left(1, \rho_i / \bar p\right).

5. **Eligibility.** Online places (no city) are never listed. A *chain* — a
   ``merchant_group_id`` with locations in at least ``chain_min_cities`` cities or with at least
   ``chain_min_locations`` locations — is excluded. Places with fewer than ``min_customers``
   distinct customers or fewer than ``min_customers`` repeat customers this month never appear
   (privacy: both counts are published), and only places whose score exceeds ``min_score``
   (default 1: growth above expectation with 90 % posterior confidence) are trending.
   ``growth`` is the raw ratio :math:`r_{i,t}/E_i` reported for reading; :math:`E_i > 0` for
   every ranked place, so it is never null.

:func:`trending_funnel` counts the places at each step (why a city's list is short or empty),
and :func:`trending_note` turns those counts into the sentence a report prints.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import narwhals as nw
import numpy as np
import polars as pl
from scipy import stats

from insights._common import DEFAULT_TZ, parse_month
from insights.errors import ParameterError
from insights.reduce.aggregates import merchant_monthly, to_polars

__all__ = [
    "chain_groups",
    "monthly_input",
    "new_merchants",
    "new_places_note",
    "trending_funnel",
    "trending_merchants",
    "trending_note",
]

_CELL_PSEUDO_COUNT = 1.0
_MIN_PRIOR_VARIANCE = 0.01
_MIN_PRIOR_FIT = 5
_MONTHLY_COLUMNS = (
    "merchant_id",
    "merchant_name",
    "merchant_group_id",
    "merchant_category",
    "merchant_city",
    "is_online",
    "month",
    "customers",
    "repeat_customers",
)
_TX_COLUMNS = ("created_at", "customer_id", "amount_minor", "merchant_id")


# --- input handling -----------------------------------------------------------------------


def monthly_input(tx_or_monthly: Any, /, *, tz: str = DEFAULT_TZ) -> pl.DataFrame:
    """Return the :func:`insights.merchant_monthly` table as a polars DataFrame.

    Accepts either raw transactions (recognised by ``created_at``), which are reduced with
    :func:`insights.merchant_monthly`, or that table itself (recognised by
    ``month`` and ``repeat_customers``), from any engine narwhals understands.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> monthly = pl.DataFrame({"month": [date(2025, 9, 1)], "repeat_customers": [3]})
    >>> monthly_input(monthly).shape
    (1, 2)

    """
    columns = _columns(tx_or_monthly)
    if {"month", "repeat_customers"} <= set(columns):
        return to_polars(tx_or_monthly)
    if set(_TX_COLUMNS) <= set(columns):
        return to_polars(merchant_monthly(tx_or_monthly, tz=tz))
    msg = (
        "Expected raw transactions (with columns "
        f"{', '.join(_TX_COLUMNS)}) or the output of merchant_monthly (with month and "
        f"repeat_customers); got columns {columns}."
    )
    raise ParameterError(msg)


def _columns(frame: Any) -> list[str]:
    if isinstance(frame, pl.LazyFrame):
        return frame.collect_schema().names()
    if isinstance(frame, pl.DataFrame):
        return frame.columns
    try:
        return list(nw.from_native(frame).columns)
    except TypeError as exc:
        msg = f"Expected a frame of transactions or monthly aggregates, got {type(frame).__name__}."
        raise ParameterError(msg) from exc


def _check_month(monthly: pl.DataFrame, month: str) -> date:
    target = parse_month(month)
    available = monthly.get_column("month").unique().sort()
    if target not in available.to_list():
        months = available.dt.strftime("%Y-%m").to_list()
        shown = f"{months[0]} to {months[-1]}" if months else "no months at all"
        msg = (
            f"No payments in month {month!r}; the data covers {shown}. "
            "Pass a month inside that range."
        )
        raise ParameterError(msg)
    return target


def _check_city(monthly: pl.DataFrame, city: str | None) -> None:
    if city is None:
        return
    cities = monthly.get_column("merchant_city").drop_nulls().unique().sort().to_list()
    if city not in cities:
        msg = f"Unknown city {city!r}; the data has {cities}."
        raise ParameterError(msg)


def _check_counts(min_customers: int, top_n: int, baseline_months: int) -> None:
    if min_customers < 1:
        msg = (
            f"min_customers must be at least 1 (default 10, the privacy threshold), "
            f"got {min_customers}."
        )
        raise ParameterError(msg)
    if top_n < 1:
        msg = f"top_n must be at least 1, got {top_n}."
        raise ParameterError(msg)
    if baseline_months < 1:
        msg = f"baseline_months must be at least 1, got {baseline_months}."
        raise ParameterError(msg)


# --- expression helpers -------------------------------------------------------------------


def _months_before(target: date, months: int) -> date:
    index = target.year * 12 + target.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _in_person() -> pl.Expr:
    return pl.col("merchant_city").is_not_null() & ~pl.col("is_online")


def chain_groups(
    monthly: pl.DataFrame,
    /,
    *,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
) -> pl.DataFrame:
    """Merchant groups that are chains: locations in several cities or many locations.

    Parameters
    ----------
    monthly
        :func:`insights.merchant_monthly` output (any months).
    chain_min_cities
        A group with locations in at least this many distinct cities is a chain.
    chain_min_locations
        A group with at least this many locations (merchant ids) is a chain.

    Returns
    -------
    pl.DataFrame
        ``merchant_group_id``, ``cities``, ``locations`` for chain groups only.

    Examples
    --------
    >>> import polars as pl
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_group_id": ["g1", "g1", "g2"],
    ...         "merchant_id": ["m1", "m2", "m3"],
    ...         "merchant_city": ["Leeds", "York", "Leeds"],
    ...     }
    ... )
    >>> chain_groups(monthly)["merchant_group_id"].to_list()
    ['g1']

    """
    return (
        monthly.group_by("merchant_group_id")
        .agg(
            pl.col("merchant_city").drop_nulls().n_unique().cast(pl.Int64).alias("cities"),
            pl.col("merchant_id").n_unique().cast(pl.Int64).alias("locations"),
        )
        .filter(
            (pl.col("cities") >= chain_min_cities) | (pl.col("locations") >= chain_min_locations)
        )
        .sort("merchant_group_id")
    )


def _history(monthly: pl.DataFrame, target: date, baseline_months: int) -> pl.DataFrame:
    """Per merchant: first month seen and baseline mean of repeat customers."""
    start = _months_before(target, baseline_months)
    window = pl.col("month").is_between(start, target, closed="left")
    return monthly.group_by("merchant_id").agg(
        pl.col("month").min().alias("first_month"),
        (pl.col("repeat_customers").filter(window).sum() / baseline_months).alias(
            "baseline_repeat"
        ),
    )


def _candidates(
    monthly: pl.DataFrame,
    target: date,
    *,
    baseline_months: int,
    chain_min_cities: int,
    chain_min_locations: int,
) -> pl.DataFrame:
    """In-person, non-chain places active in ``target`` with their history columns."""
    start = _months_before(target, baseline_months)
    chains = chain_groups(
        monthly, chain_min_cities=chain_min_cities, chain_min_locations=chain_min_locations
    )
    return (
        monthly.filter(pl.col("month") == target, _in_person())
        .join(_history(monthly, target, baseline_months), on="merchant_id", how="left")
        .with_columns(
            (pl.col("first_month") <= start).alias("established"),
            pl.col("merchant_group_id").is_in(chains["merchant_group_id"].implode()).alias("chain"),
        )
    )


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
_STAGES = (
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


def _assessed(
    tx_or_monthly: Any,
    *,
    month: str,
    city: str | None,
    min_customers: int,
    baseline_months: int,
    min_baseline: float,
    chain_min_cities: int,
    chain_min_locations: int,
    tz: str,
    prior_quantile: float,
    repeat_prior_strength: float,
    min_score: float,
) -> pl.DataFrame:
    """Every in-person place active in ``month`` (in ``city``) with its score and ``stage``."""
    if not 0 < prior_quantile < 1:
        msg = f"prior_quantile must be strictly between 0 and 1, got {prior_quantile}."
        raise ParameterError(msg)
    if not min_baseline > 0:
        msg = (
            f"min_baseline must be above 0 (default 3 repeat customers a month): growth "
            f"against a baseline of 0 cannot be measured; got {min_baseline}."
        )
        raise ParameterError(msg)
    monthly = monthly_input(tx_or_monthly, tz=tz)
    target = _check_month(monthly, month)
    _check_city(monthly, city)
    # Data shorter than the baseline is not an error: every place is then too new to rank.
    candidates = _candidates(
        monthly,
        target,
        baseline_months=baseline_months,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
    )
    scored = _scored(
        candidates.filter(pl.col("established")),
        min_baseline=min_baseline,
        prior_quantile=prior_quantile,
        repeat_prior_strength=repeat_prior_strength,
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
        .with_columns(_stage(min_customers, min_score))
        .filter(pl.lit(value=True) if city is None else pl.col("merchant_city") == city)
    )


# --- public functions ---------------------------------------------------------------------


def trending_merchants(
    tx_or_monthly: Any,
    /,
    *,
    month: str,
    city: str | None = None,
    top_n: int = 10,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
    tz: str = DEFAULT_TZ,
    prior_quantile: float = 0.1,
    repeat_prior_strength: float = 20.0,
    min_score: float = 1.0,
) -> pl.DataFrame:
    """Rank independent in-person places whose repeat customers grew beyond expectation.

    See the module docstring for the method and its formula. An empty result is normal (a
    quiet month, a small city): :func:`trending_note` says why.

    Parameters
    ----------
    tx_or_monthly
        Raw transactions (``data_contracts/transactions.yaml``) or the output of
        :func:`insights.merchant_monthly`, as a polars, DuckDB or Spark frame.
    month
        Target month, ``"YYYY-MM"``; must hold payments.
    city
        Rank within this city only; ``None`` ranks all cities together.
    top_n
        Number of places returned (at most).
    min_customers
        Privacy threshold: places with fewer distinct customers, or fewer repeat customers,
        this month never appear.
    baseline_months
        Number of months before ``month`` forming the baseline; places with less history are
        left to :func:`new_merchants`.
    min_baseline
        Smallest baseline (mean repeat customers a month) growth is measured against; places
        below it are left to :func:`new_merchants`.
    chain_min_cities, chain_min_locations
        A merchant group with locations in at least this many cities, or with at least this
        many locations, is a chain and is excluded.
    tz
        Time zone of the calendar month (used only when raw transactions are given).
    prior_quantile
        Quantile of the posterior rate ratio used as the score (lower = more cautious).
    repeat_prior_strength
        Pseudo-customers of the beta prior of the repeat rate (0 turns the penalty's shrinkage off).
    min_score
        Only places whose score exceeds this are trending.

    Returns
    -------
    pl.DataFrame
        Sorted by ``rank``: ``rank``, ``month``, ``merchant_id``, ``merchant_name``,
        ``merchant_category``, ``merchant_city``, ``customers``, ``repeat_customers``,
        ``baseline_repeat``, ``cell_movement``, ``expected_repeat`` (> 0), ``growth`` (never
        null), ``repeat_rate``, ``score``.

    Raises
    ------
    ParameterError
        Malformed or absent month, unknown city, or a threshold below 1. Data starting less
        than ``baseline_months`` months before ``month`` is not an error: every place is then
        new (:func:`new_merchants`) and the list is empty.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> months = [date(2025, m, 1) for m in (6, 7, 8, 9)]
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_id": ["m1"] * 4 + ["m2"] * 4,
    ...         "merchant_name": ["Kettle"] * 4 + ["Plough"] * 4,
    ...         "merchant_group_id": ["g1"] * 4 + ["g2"] * 4,
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...         "month": months * 2,
    ...         "customers": [100, 100, 100, 300, 100, 100, 100, 100],
    ...         "repeat_customers": [40, 40, 40, 150, 40, 40, 40, 40],
    ...     }
    ... )
    >>> trending_merchants(monthly, month="2025-09", city="Leeds").select(
    ...     "rank", "merchant_name", "repeat_customers", "baseline_repeat"
    ... )
    shape: (1, 4)
    ┌──────┬───────────────┬──────────────────┬─────────────────┐
    │ rank ┆ merchant_name ┆ repeat_customers ┆ baseline_repeat │
    │ ---  ┆ ---           ┆ ---              ┆ ---             │
    │ i64  ┆ str           ┆ i64              ┆ f64             │
    ╞══════╪═══════════════╪══════════════════╪═════════════════╡
    │ 1    ┆ Kettle        ┆ 150              ┆ 40.0            │
    └──────┴───────────────┴──────────────────┴─────────────────┘

    """
    _check_counts(min_customers, top_n, baseline_months)
    assessed = _assessed(
        tx_or_monthly,
        month=month,
        city=city,
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
        tz=tz,
        prior_quantile=prior_quantile,
        repeat_prior_strength=repeat_prior_strength,
        min_score=min_score,
    )
    ranked = (
        assessed.filter(pl.col("stage") == "listed")
        .sort(["score", "merchant_id"], descending=[True, False])
        .head(top_n)
        .with_row_index("rank", offset=1)
    )
    return ranked.select(
        pl.col("rank").cast(pl.Int64),
        "month",
        "merchant_id",
        "merchant_name",
        "merchant_category",
        "merchant_city",
        pl.col("customers").cast(pl.Int64),
        pl.col("repeat_customers").cast(pl.Int64),
        pl.col("baseline_repeat").cast(pl.Float64),
        pl.col("cell_movement").cast(pl.Float64),
        pl.col("expected_repeat").cast(pl.Float64),
        pl.col("growth").cast(pl.Float64),
        pl.col("repeat_rate").cast(pl.Float64),
        pl.col("score").cast(pl.Float64),
    )


def new_merchants(
    tx_or_monthly: Any,
    /,
    *,
    month: str,
    city: str | None = None,
    top_n: int = 10,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
    tz: str = DEFAULT_TZ,
) -> pl.DataFrame:
    """Independent in-person places too new, or too small before, to rank by growth.

    A place is *new* when it was first seen less than ``baseline_months`` months before
    ``month`` (including first seen in ``month``), and *newly busy* when it is older but
    averaged fewer than ``min_baseline`` repeat customers a month over the baseline, so that
    growth cannot be measured against it. Both are ranked by repeat customers this month.
    Chains, online places and places with fewer than ``min_customers`` distinct customers or
    repeat customers are left out, as in :func:`trending_merchants`.

    Parameters
    ----------
    tx_or_monthly
        Raw transactions or :func:`insights.merchant_monthly` output.
    month
        Target month, ``"YYYY-MM"``.
    city
        Only this city; ``None`` for all cities.
    top_n, min_customers, baseline_months, min_baseline, chain_min_cities, chain_min_locations, tz
        As in :func:`trending_merchants`.

    Returns
    -------
    pl.DataFrame
        ``rank``, ``month``, ``merchant_id``, ``merchant_name``, ``merchant_category``,
        ``merchant_city``, ``first_month``, ``status`` (``"new"`` or ``"newly busy"``),
        ``customers``, ``repeat_customers``, ranked by repeat customers, then customers.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_id": ["m1", "m1", "m2"],
    ...         "merchant_name": ["Kettle", "Kettle", "New Deli"],
    ...         "merchant_group_id": ["g1", "g1", "g2"],
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...         "month": [date(2025, 5, 1), date(2025, 9, 1), date(2025, 9, 1)],
    ...         "customers": [30, 30, 25],
    ...         "repeat_customers": [10, 10, 12],
    ...     }
    ... )
    >>> new_merchants(monthly, month="2025-09").select("merchant_name", "status").rows()
    [('New Deli', 'new'), ('Kettle', 'newly busy')]

    (Kettle is older, but had no regulars in June to August: no baseline to grow from.)

    """
    _check_counts(min_customers, top_n, baseline_months)
    assessed = _assessed(
        tx_or_monthly,
        month=month,
        city=city,
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
        tz=tz,
        prior_quantile=0.1,
        repeat_prior_strength=20.0,
        min_score=1.0,
    )
    ranked = (
        assessed.filter(pl.col("stage").is_in(["new", "small_baseline"]))  # >= k repeat
        .sort(["repeat_customers", "customers", "merchant_id"], descending=[True, True, False])
        .head(top_n)
        .with_row_index("rank", offset=1)
    )
    return ranked.select(
        pl.col("rank").cast(pl.Int64),
        "month",
        "merchant_id",
        "merchant_name",
        "merchant_category",
        "merchant_city",
        "first_month",
        pl.when(pl.col("stage") == "new")
        .then(pl.lit("new"))
        .otherwise(pl.lit("newly busy"))
        .alias("status"),
        pl.col("customers").cast(pl.Int64),
        pl.col("repeat_customers").cast(pl.Int64),
    )


def trending_funnel(
    tx_or_monthly: Any,
    /,
    *,
    month: str,
    city: str | None = None,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
    tz: str = DEFAULT_TZ,
    prior_quantile: float = 0.1,
    repeat_prior_strength: float = 20.0,
    min_score: float = 1.0,
) -> pl.DataFrame:
    """Count the in-person places of a month at each step of :func:`trending_merchants`.

    Every place active in ``month`` (in ``city``) is counted once, at the first rule that
    keeps it off the list, in this order: chain, under ``min_customers`` customers, under
    ``min_customers`` repeat customers, too new for a baseline, too small a baseline (these two
    are exactly the places :func:`new_merchants` lists), no clear growth, listed. These are
    counts of *places*, not people.

    Parameters
    ----------
    tx_or_monthly
        Raw transactions or :func:`insights.merchant_monthly` output.
    month, city, min_customers, baseline_months, min_baseline, chain_min_cities
        As in :func:`trending_merchants`.
    chain_min_locations, tz, prior_quantile, repeat_prior_strength, min_score
        As in :func:`trending_merchants`.

    Returns
    -------
    pl.DataFrame
        One row per step, in order: ``stage``, ``reason`` (readable), ``places`` (Int64).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> months = [date(2025, m, 1) for m in (6, 7, 8, 9)]
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_id": ["m1"] * 4 + ["m2"],
    ...         "merchant_name": ["Kettle"] * 4 + ["Deli"],
    ...         "merchant_group_id": ["g1"] * 4 + ["g2"],
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...         "month": months + [months[-1]],
    ...         "customers": [100, 100, 100, 300, 5],
    ...         "repeat_customers": [40, 40, 40, 150, 2],
    ...     }
    ... )
    >>> trending_funnel(monthly, month="2025-09").filter(pl.col("places") > 0).rows()
    [('few_customers', 'under 10 customers', 1), ('listed', 'listed', 1)]

    """
    _check_counts(min_customers, 1, baseline_months)
    assessed = _assessed(
        tx_or_monthly,
        month=month,
        city=city,
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
        tz=tz,
        prior_quantile=prior_quantile,
        repeat_prior_strength=repeat_prior_strength,
        min_score=min_score,
    )
    counts = assessed.group_by("stage").agg(pl.len().cast(pl.Int64).alias("places"))
    steps = pl.DataFrame(
        {
            "stage": [stage for stage, _ in _STAGES],
            "reason": [
                reason.format(k=min_customers, b=baseline_months, mb=min_baseline)
                for _, reason in _STAGES
            ],
        }
    )
    return steps.join(counts, on="stage", how="left", maintain_order="left").with_columns(
        pl.col("places").fill_null(0)
    )


def _places(count: int) -> str:
    return f"{count:,} place" + ("" if count == 1 else "s")


def trending_note(funnel: pl.DataFrame, /, *, month: str, city: str | None = None) -> str:
    """One sentence saying how many places passed the trending bar, and why the others did not.

    Parameters
    ----------
    funnel
        :func:`trending_funnel` output.
    month
        ``"YYYY-MM"``, named in the sentence.
    city
        City named in the sentence; ``None`` for all cities.

    Returns
    -------
    str
        E.g. "No place in Leeds passed the bar in September 2025: 48 places checked; 31 chain
        locations, 12 under 10 customers, 5 no clear growth beyond expectation."

    Examples
    --------
    >>> import polars as pl
    >>> funnel = pl.DataFrame(
    ...     {
    ...         "stage": ["chain", "few_customers", "listed"],
    ...         "reason": ["chain locations", "under 10 customers", "listed"],
    ...         "places": [31, 17, 0],
    ...     }
    ... )
    >>> trending_note(funnel, month="2025-09", city="Chicago")
    'No place in Chicago passed the bar in September 2025: 48 places checked; 31 chain locations, 17 under 10 customers.'

    """  # noqa: E501
    when = f"{parse_month(month):%B %Y}"
    where = f" in {city}" if city else ""
    total = int(funnel["places"].sum())
    listed = int(funnel.filter(pl.col("stage") == "listed")["places"].sum())
    if total == 0:
        return f"No in-person place{where} had payments in {when}, so nothing can trend."
    reasons = [
        f"{places:,} {reason}"
        for reason, places, stage in funnel.select("reason", "places", "stage").rows()
        if places > 0 and stage != "listed"
    ]
    why = f"; {', '.join(reasons)}" if reasons else ""
    if listed == 0:
        lead = f"No place{where} passed the bar in {when}"
    else:
        verb = "passes" if listed == 1 else "pass"
        lead = f"{_places(listed)}{where} {verb} the bar in {when}"
    return f"{lead}: {_places(total)} checked{why}."


def new_places_note(
    funnel: pl.DataFrame, /, *, month: str, city: str | None = None, min_customers: int = 10
) -> str:
    """One sentence on the places too new, or too small before, to rank by growth.

    Parameters
    ----------
    funnel
        :func:`trending_funnel` output (its ``new`` and ``small_baseline`` steps are the
        places :func:`new_merchants` lists).
    month
        ``"YYYY-MM"``, named in the sentence.
    city
        City named in the sentence; ``None`` for all cities.
    min_customers
        The threshold the funnel was built with, named in the sentence.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> funnel = pl.DataFrame(
    ...     {"stage": ["new", "small_baseline"], "reason": ["", ""], "places": [0, 0]}
    ... )
    >>> new_places_note(funnel, month="2025-09", city="Leeds")
    'No new or newly busy place in Leeds had 10 or more repeat customers in September 2025.'

    """
    when = f"{parse_month(month):%B %Y}"
    where = f" in {city}" if city else ""
    counts = dict(funnel.select("stage", "places").rows())
    new, busy = int(counts.get("new", 0)), int(counts.get("small_baseline", 0))
    if new + busy == 0:
        return (
            f"No new or newly busy place{where} had {min_customers} or more repeat customers "
            f"in {when}."
        )
    parts = [f"{_places(new)} too new to have a baseline"] if new else []
    parts += [f"{_places(busy)} with too few regulars before to measure growth"] if busy else []
    listed = "it is" if new + busy == 1 else "they are"
    text = " and ".join(parts)
    return (
        f"{text[:1].upper()}{text[1:]}{where} had {min_customers} or more repeat "
        f"customers in {when}; {listed} listed here by repeat customers, not ranked by growth."
    )
