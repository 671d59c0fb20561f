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

5. **Eligibility.** Online places (no city) are never listed. A *chain* — a brand (a
   ``merchant_group_id``, or all groups sharing a name: :func:`insights.chain_groups`) with
   locations in at least ``chain_min_cities`` cities or with at least ``chain_min_locations``
   locations — is excluded. Places with fewer than ``min_customers``
   distinct customers or fewer than ``min_customers`` repeat customers this month never appear
   (privacy: both counts are published), and only places whose score exceeds ``min_score``
   (default 1: growth above expectation with 90 % posterior confidence) are trending.
   ``growth`` is the raw ratio :math:`r_{i,t}/E_i` reported for reading; :math:`E_i > 0` for
   every ranked place, so it is never null.

:func:`trending_funnel` counts the places at each step (why a city's list is short or empty),
and :func:`trending_note` turns those counts into the sentence a report prints.

Where the code is: steps 1 and 5's inputs (the monthly table, chains, each place's history)
in :mod:`insights.spending.eligibility`; steps 2 to 5 in ``insights.spending._scoring``; the
places too new to rank in :mod:`insights.spending.new_places`.
"""

from __future__ import annotations

import polars as pl

from insights._common import Month
from insights.spending._scoring import STAGES, Rules, assessed, ranked
from insights.spending._shared import in_city, month_name, plural

__all__ = ["trending_funnel", "trending_merchants", "trending_note"]


def trending_merchants(
    monthly: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    top_n: int = 10,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
    prior_quantile: float = 0.1,
    repeat_prior_strength: float = 20.0,
    min_score: float = 1.0,
) -> pl.DataFrame:
    """Rank independent in-person places whose repeat customers grew beyond expectation.

    See the module docstring for the method and its formula. An empty result is normal (a
    quiet month, a small city): :func:`trending_note` says why.

    Parameters
    ----------
    monthly
        The ``merchant_monthly`` mart (:func:`insights.read_mart`): ``merchant_id``,
        ``merchant_name``, ``merchant_group_id``, ``merchant_category``, ``merchant_city``,
        ``month``, ``customers``, ``repeat_customers``. Raw transactions are reduced first
        (:func:`insights.reduce_marts`).
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
    rules = Rules(
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
        prior_quantile=prior_quantile,
        repeat_prior_strength=repeat_prior_strength,
        min_score=min_score,
    )
    places = assessed(monthly, month=month, city=city, rules=rules, top_n=top_n)
    return ranked(
        places.filter(pl.col("stage") == "listed"),
        by=["score"],
        top_n=top_n,
        columns=[
            pl.col("customers").cast(pl.Int64),
            pl.col("repeat_customers").cast(pl.Int64),
            pl.col("baseline_repeat").cast(pl.Float64),
            pl.col("cell_movement").cast(pl.Float64),
            pl.col("expected_repeat").cast(pl.Float64),
            pl.col("growth").cast(pl.Float64),
            pl.col("repeat_rate").cast(pl.Float64),
            pl.col("score").cast(pl.Float64),
        ],
    )


def trending_funnel(
    monthly: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
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
    monthly
        The ``merchant_monthly`` mart, as in :func:`trending_merchants`.
    month, city, min_customers, baseline_months, min_baseline, chain_min_cities
        As in :func:`trending_merchants`.
    chain_min_locations, prior_quantile, repeat_prior_strength, min_score
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
    rules = Rules(
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
        prior_quantile=prior_quantile,
        repeat_prior_strength=repeat_prior_strength,
        min_score=min_score,
    )
    places = assessed(monthly, month=month, city=city, rules=rules)
    counts = places.group_by("stage").agg(pl.len().cast(pl.Int64).alias("places"))
    steps = pl.DataFrame(
        {
            "stage": [stage for stage, _ in STAGES],
            "reason": [
                reason.format(k=min_customers, b=baseline_months, mb=min_baseline)
                for _, reason in STAGES
            ],
        }
    )
    return steps.join(counts, on="stage", how="left", maintain_order="left").with_columns(
        pl.col("places").fill_null(0)
    )


def trending_note(funnel: pl.DataFrame, /, *, month: Month, city: str | None = None) -> str:
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
    when, where = month_name(month), in_city(city)
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
        lead = f"{plural(listed, 'place')}{where} {verb} the bar in {when}"
    return f"{lead}: {plural(total, 'place')} checked{why}."
