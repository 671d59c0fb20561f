"""How many agents an interval needs: Erlang C queueing with shrinkage and occupancy caps.

Erlang C models an interval as a queue with Poisson arrivals, exponential handle times, ``N``
identical agents and customers who wait rather than hang up. With offered traffic
``A = calls × AHT / interval`` (Erlangs):

* ``erlang_c(A, N)`` is the probability that a customer has to wait. It is computed through the
  Erlang B recursion ``B(0) = 1``, ``B(n) = A·B(n−1) / (n + A·B(n−1))`` and
  ``C = N·B / (N − A·(1 − B))``, which never forms the huge ``A^N / N!`` terms and is stable
  for thousands of agents.
* the service level is ``1 − C · exp(−(N − A) · t / AHT)``: the share of customers answered
  within ``t`` seconds.
* occupancy is ``A / N``.

``agents_needed`` finds the smallest ``N`` meeting the service level target and the occupancy
cap, then grosses it up for shrinkage (breaks, training, absence): scheduled agents
``= ⌈N / (1 − shrinkage)⌉``. For chat, where an agent handles ``concurrency`` conversations at
once, the usual approximation is used: the effective handle time per conversation is
``AHT / concurrency``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import polars as pl

from insights.errors import ParameterError

__all__ = ["agents_needed", "agents_per_interval", "erlang_c", "service_level"]

FloatArray = npt.NDArray[np.float64]


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a customer waits (Erlang C).

    Parameters
    ----------
    traffic_erlangs
        Offered traffic ``A`` = calls × average handle time / interval length.
    agents
        Agents answering, ``N``.

    Returns
    -------
    float
        ``P(wait)``; 1.0 when ``N <= A`` (the queue grows without bound).

    Examples
    --------
    >>> round(erlang_c(10.0, 14), 4)  # 100 calls in 30 min, 180 s AHT, 14 agents
    0.1741
    >>> erlang_c(2.0, 2)
    1.0

    """
    _check_traffic(traffic_erlangs, agents)
    return float(_erlang_c(np.array([traffic_erlangs], dtype=np.float64), agents)[0])


def service_level(
    traffic_erlangs: float, agents: int, /, *, aht_seconds: float, answer_seconds: float
) -> float:
    """Share of customers answered within ``answer_seconds`` (Erlang C).

    Examples
    --------
    >>> round(service_level(10.0, 14, aht_seconds=180, answer_seconds=20), 4)
    0.8884

    """
    _check_traffic(traffic_erlangs, agents)
    if aht_seconds <= 0 or answer_seconds < 0:
        msg = (
            f"service_level: aht_seconds={aht_seconds} must be > 0 and "
            f"answer_seconds={answer_seconds} ≥ 0."
        )
        raise ParameterError(msg)
    a = np.array([traffic_erlangs], dtype=np.float64)
    return float(_service_level(a, agents, aht_seconds, answer_seconds)[0])


def agents_needed(
    calls: float,
    /,
    *,
    interval_seconds: float = 1800,
    aht_seconds: float,
    service_level: float = 0.8,
    answer_seconds: float = 60,
    shrinkage: float = 0.3,
    concurrency: float = 1,
    max_occupancy: float = 0.85,
) -> int:
    """Scheduled agents for ``calls`` arriving in one interval.

    Parameters
    ----------
    calls
        Contacts expected in the interval.
    interval_seconds
        Interval length (1800 = 30 minutes).
    aht_seconds
        Average handle time per contact.
    service_level
        Target share answered within ``answer_seconds`` (0.8 for "80/60").
    answer_seconds
        Target answer time.
    shrinkage
        Share of paid time not available for contacts; ``0`` returns agents on the phones.
    concurrency
        Contacts an agent handles at once (1 for phone, 2–3 for chat).
    max_occupancy
        Cap on ``A / N``; ``1`` for no cap.

    Returns
    -------
    int
        ``⌈N / (1 − shrinkage)⌉`` where ``N`` is the smallest number of agents meeting the
        service level and the occupancy cap (0 when ``calls`` is 0).

    Examples
    --------
    The standard worked example: 100 calls in 30 minutes with a 180 s AHT is 10 Erlangs;
    80% answered within 20 s needs 14 agents (88.9%; 13 give 79.6%), 20 with 30% shrinkage.

    >>> agents_needed(100, aht_seconds=180, answer_seconds=20, shrinkage=0, max_occupancy=1)
    14
    >>> agents_needed(100, aht_seconds=180, answer_seconds=20, shrinkage=0.3)
    20

    """
    agents = _agents(
        np.array([calls], dtype=np.float64),
        interval_seconds=interval_seconds,
        aht_seconds=aht_seconds,
        target=service_level,
        answer_seconds=answer_seconds,
        concurrency=concurrency,
        max_occupancy=max_occupancy,
    )
    _check_shrinkage(shrinkage)
    return math.ceil(float(agents[0]) / (1 - shrinkage) - 1e-9)


def agents_per_interval(
    intraday: pl.DataFrame,
    /,
    *,
    aht_seconds: float,
    column: str = "mean",
    interval_seconds: float = 1800,
    service_level: float = 0.8,
    answer_seconds: float = 60,
    shrinkage: float = 0.3,
    concurrency: float = 1,
    max_occupancy: float = 0.85,
) -> pl.DataFrame:
    """Agents required in each interval of an intraday forecast.

    Parameters
    ----------
    intraday
        One row per interval with expected contacts in ``column`` (e.g. the output of
        :func:`insights.intraday_volume`).
    column
        Column holding the contacts to staff for; ``"hi_80"`` staffs for the upper bound.
    aht_seconds, interval_seconds, service_level, answer_seconds, shrinkage, concurrency, \
max_occupancy
        As for :func:`agents_needed`.

    Returns
    -------
    pl.DataFrame
        ``intraday`` plus ``traffic_erlangs``, ``agents`` (on the phones), ``agents_with_shrinkage``
        (scheduled), ``service_level`` (expected with ``agents``) and ``occupancy``.

    Examples
    --------
    >>> agents_per_interval(pl.DataFrame({"mean": [360.0, 0.0]}), aht_seconds=240,
    ...                     answer_seconds=20, max_occupancy=1)
    shape: (2, 6)
    ┌───────┬─────────────────┬────────┬───────────────────────┬───────────────┬───────────┐
    │ mean  ┆ traffic_erlangs ┆ agents ┆ agents_with_shrinkage ┆ service_level ┆ occupancy │
    │ ---   ┆ ---             ┆ ---    ┆ ---                   ┆ ---           ┆ ---       │
    │ f64   ┆ f64             ┆ i64    ┆ i64                   ┆ f64           ┆ f64       │
    ╞═══════╪═════════════════╪════════╪═══════════════════════╪═══════════════╪═══════════╡
    │ 360.0 ┆ 48.0            ┆ 54     ┆ 78                    ┆ 0.817248      ┆ 0.888889  │
    │ 0.0   ┆ 0.0             ┆ 0      ┆ 0                     ┆ 1.0           ┆ 0.0       │
    └───────┴─────────────────┴────────┴───────────────────────┴───────────────┴───────────┘

    """
    if column not in intraday.columns:
        msg = (
            f"agents_per_interval: column {column!r} not in the frame ({intraday.columns}); "
            "pass column=."
        )
        raise ParameterError(msg)
    _check_shrinkage(shrinkage)
    calls = intraday[column].cast(pl.Float64).fill_null(0.0).to_numpy()
    agents = _agents(
        calls,
        interval_seconds=interval_seconds,
        aht_seconds=aht_seconds,
        target=service_level,
        answer_seconds=answer_seconds,
        concurrency=concurrency,
        max_occupancy=max_occupancy,
    )
    traffic = calls * aht_seconds / concurrency / interval_seconds
    sl = np.ones_like(traffic)
    for n in np.unique(agents[agents > 0]):
        rows = agents == n
        sl[rows] = _service_level(traffic[rows], int(n), aht_seconds / concurrency, answer_seconds)
    occupancy = np.divide(traffic, agents, out=np.zeros_like(traffic), where=agents > 0)
    scheduled = np.ceil(agents / (1 - shrinkage) - 1e-9).astype(np.int64)
    return intraday.with_columns(
        pl.Series("traffic_erlangs", traffic),
        pl.Series("agents", agents.astype(np.int64)),
        pl.Series("agents_with_shrinkage", scheduled),
        pl.Series("service_level", sl),
        pl.Series("occupancy", occupancy),
    )


def _check_traffic(traffic: float, agents: int) -> None:
    if traffic < 0 or agents < 0 or not math.isfinite(traffic):
        msg = f"traffic_erlangs={traffic} and agents={agents} must be finite and ≥ 0."
        raise ParameterError(msg)


def _check_shrinkage(shrinkage: float) -> None:
    if not 0 <= shrinkage < 1:
        msg = f"shrinkage={shrinkage} must be in [0, 1), e.g. 0.3 for 30% of paid time."
        raise ParameterError(msg)


def _erlang_b(traffic: FloatArray, agents: int) -> FloatArray:
    b = np.ones_like(traffic)
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _erlang_c(traffic: FloatArray, agents: int) -> FloatArray:
    b = _erlang_b(traffic, agents)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = agents * b / (agents - traffic * (1 - b))
    return np.where(traffic < agents, np.clip(c, 0.0, 1.0), 1.0)


def _service_level(
    traffic: FloatArray, agents: int, aht_seconds: float, answer_seconds: float
) -> FloatArray:
    c = _erlang_c(traffic, agents)
    sl = 1 - c * np.exp(-(agents - traffic) * answer_seconds / aht_seconds)
    return np.where(traffic < agents, sl, 0.0)


def _agents(
    calls: FloatArray,
    /,
    *,
    interval_seconds: float,
    aht_seconds: float,
    target: float,
    answer_seconds: float,
    concurrency: float,
    max_occupancy: float,
) -> FloatArray:
    """Smallest agents per interval meeting the service level and occupancy cap.

    Vectorised over intervals: walks ``n = 1, 2, …`` once, carrying the Erlang B recursion
    for every interval at the same time.
    """
    if np.any(calls < 0) or not np.all(np.isfinite(calls)):
        msg = "agents_needed: calls must be finite and ≥ 0."
        raise ParameterError(msg)
    if aht_seconds <= 0 or interval_seconds <= 0 or concurrency <= 0 or answer_seconds < 0:
        msg = (
            "agents_needed: aht_seconds, interval_seconds and concurrency must be > 0 and "
            "answer_seconds ≥ 0."
        )
        raise ParameterError(msg)
    if not 0 < target < 1 or not 0 < max_occupancy <= 1:
        msg = (
            f"agents_needed: service_level={target} must be in (0, 1) and "
            f"max_occupancy={max_occupancy} in (0, 1]."
        )
        raise ParameterError(msg)
    aht = aht_seconds / concurrency
    traffic = calls * aht / interval_seconds
    result = np.zeros_like(traffic)
    todo = traffic > 0
    b = np.ones_like(traffic)
    n = 0
    while todo.any():
        n += 1
        b = traffic * b / (n + traffic * b)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.clip(n * b / (n - traffic * (1 - b)), 0.0, 1.0)
            sl = 1 - c * np.exp(-(n - traffic) * answer_seconds / aht)
        ok = todo & (traffic < n) & (sl >= target) & (traffic / n <= max_occupancy)
        result[ok] = n
        todo &= ~ok
    return result
