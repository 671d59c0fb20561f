"""Sample customers: accounts opening and closing over the range, and where they spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from insights.data.sample.base import (
    _CITY_NAMES,
    _CITY_P,
    _DAY_US,
    _EPOCH,
    _N_CITIES,
    _Array,
    _Calendar,
    _local_to_utc,
)

__all__: list[str] = []


# --- behaviour parameters -----------------------------------------------------------------
_TX_PER_DAY = 0.12  # mean one-off card payments per customer per open day


@dataclass(frozen=True)
class _Customers:
    open_day: _Array  # local day index (relative to start) of opening; may be negative
    close_day: _Array  # local day index of closing; a large number while open
    open_sec: _Array
    close_sec: _Array
    city: _Array  # spending city (home city, or a random one when the home city is unknown)
    home_known: _Array
    rate: _Array  # one-off payments per open day

    @property
    def first_day(self) -> _Array:
        """First day with activity (the day after opening, not before the range)."""
        return np.asarray(np.maximum(self.open_day + 1, 0))

    def last_day(self, n_days: int) -> _Array:
        """Last day with activity (the day before closing, not after the range)."""
        return np.asarray(np.minimum(self.close_day - 1, n_days - 1))


def _build_customers(rng: np.random.Generator, n: int, cal: _Calendar) -> _Customers:
    existing = rng.random(n) < 0.55
    # New accounts arrive at a growing rate (density rising linearly through the range).
    late = np.floor(np.sqrt(rng.random(n)) * (cal.n_days - 45)).astype(np.int64)
    open_day = np.where(existing, -rng.integers(1, 6 * 365, n), late)
    close_day = np.maximum(open_day, 0) + 14 + np.floor(rng.exponential(365 / 0.07, n))
    close_day = np.where(close_day < cal.n_days, close_day, 10**7).astype(np.int64)
    return _Customers(
        open_day=open_day,
        close_day=close_day,
        open_sec=rng.integers(8 * 3600, 22 * 3600, n),
        close_sec=rng.integers(8 * 3600, 20 * 3600, n),
        city=rng.choice(_N_CITIES, size=n, p=_CITY_P),
        home_known=rng.random(n) > 0.04,
        rate=_TX_PER_DAY * rng.lognormal(-0.32, 0.8, n),
    )


def _customers_frame(cust: _Customers, cal: _Calendar, customer_ids: pl.Series) -> pl.DataFrame:
    """Build the customers table: ids, opening and closing instants in UTC, home city."""
    base = (datetime.combine(cal.start, datetime.min.time()) - _EPOCH) // timedelta(microseconds=1)
    closed = cust.close_day < cal.n_days
    return pl.DataFrame(
        {
            "customer_id": customer_ids,
            "opened_at": _local_to_utc(base + cust.open_day * _DAY_US + cust.open_sec * 10**6),
            "closed_at": _local_to_utc(
                base + np.where(closed, cust.close_day, 0) * _DAY_US + cust.close_sec * 10**6
            ),
            "home_city": pl.Series(_CITY_NAMES).gather(pl.Series(cust.city)),
        }
    ).with_columns(
        pl.when(pl.Series(closed)).then(pl.col("closed_at")).alias("closed_at"),
        pl.when(pl.Series(cust.home_known)).then(pl.col("home_city")).alias("home_city"),
    )
