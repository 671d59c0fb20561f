"""Constants, helpers and the calendar shared by every table of the sample generator."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import holidays
import numpy as np
import numpy.typing as npt
import polars as pl

from insights._common import DEFAULT_TZ
from insights.data.contracts import load_contract

__all__ = ["CATEGORIES", "CITIES", "CONTACT_TAGS", "TZ"]

_Array = npt.NDArray[Any]
#: Local time zone of the bank: timestamps are generated in it, then stored in UTC.
TZ = DEFAULT_TZ
#: Cities and the share of customers living in each (largest first).
CITIES: tuple[tuple[str, float], ...] = (
    ("London", 0.30),
    ("Manchester", 0.11),
    ("Birmingham", 0.10),
    ("Leeds", 0.08),
    ("Glasgow", 0.08),
    ("Bristol", 0.07),
    ("Edinburgh", 0.07),
    ("Liverpool", 0.07),
    ("Cardiff", 0.06),
    ("Newcastle", 0.06),
)
#: Spending categories: the allowed values of ``merchant_category`` in the transactions contract
#: (``data_contracts/transactions.yaml`` is the one place they are written down), except
#: ``other``, the catch-all for data bringing its own taxonomy.
CATEGORIES: tuple[str, ...] = tuple(
    c
    for c in load_contract("transactions").column("merchant_category").allowed_values or ()
    if c != "other"
)
#: Contact tags (a share of contacts is untagged, i.e. null).
CONTACT_TAGS: tuple[str, ...] = (
    "general",
    "card_lost",
    "card_declined",
    "payment_dispute",
    "app_login",
    "fraud",
    "account_closure",
)
_CITY_NAMES = tuple(name for name, _ in CITIES)
_CITY_P = np.array([share for _, share in CITIES]) / sum(share for _, share in CITIES)
_N_CITIES = len(CITIES)
_ONLINE = _N_CITIES  # location code of online merchants
_SOUTH = ("London", "Bristol", "Cardiff")
_CAT = {name: i for i, name in enumerate(CATEGORIES)}
_N_CAT = len(CATEGORIES)
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1)
_CURRENCIES = ("GBP", "EUR", "USD")
_CHANNELS = ("chat", "phone", "email")
_MIN_CUSTOMERS = 2_000
_BASELINE_MONTHS = 6  # months of planted history before the story month


def _hours(*peaks: tuple[int, int, float]) -> _Array:
    """24 hourly weights: a sum of triangular bumps ``(first_hour, last_hour, height)``."""
    weights = np.zeros(24)
    for first, last, height in peaks:
        span = np.arange(first, last + 1)
        mid = (first + last) / 2
        half = max((last - first) / 2, 0.5)
        weights[span] += height * (1.0 - 0.6 * np.abs(span - mid) / half)
    return np.asarray(weights / weights.sum())


_HOURS = {
    "eating_out": _hours((7, 10, 2.0), (11, 14, 3.5), (17, 22, 3.0), (15, 16, 0.8)),
    "groceries": _hours((7, 21, 2.0), (16, 19, 1.2), (11, 13, 0.6)),
    "transport": _hours((6, 9, 3.0), (16, 19, 2.8), (10, 15, 0.8), (20, 23, 0.7)),
    "entertainment": _hours((11, 16, 1.0), (17, 22, 3.0)),
    "default": _hours((9, 18, 2.0), (12, 15, 0.8)),
    "online": _hours((0, 23, 0.5), (7, 23, 1.2), (19, 22, 1.0)),
    "subscription": _hours((1, 6, 1.0)),
}


def _say(progress: bool, started: float, message: str) -> None:
    if progress:
        print(f"[sample {time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr)


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    """``prefix`` + zero-padded 1-based counter, e.g. ``c_000001``."""
    width = max(width, len(str(n)))
    return pl.select(
        pl.concat_str(pl.lit(prefix), (pl.int_range(1, n + 1)).cast(pl.String).str.zfill(width))
    ).to_series()


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _story_month(end: date) -> date:
    """First day of the last full calendar month ending on or before ``end``."""
    return _month_start(end, 0 if (end + timedelta(days=1)).day == 1 else -1)


def _spike_date(start: date, story_end: date) -> date:
    """22 July of the last year whose 22 July falls in the range (else the 22nd, 2 months back)."""
    for year in range(story_end.year, start.year - 1, -1):
        candidate = date(year, 7, 22)
        if start + timedelta(days=35) <= candidate <= story_end:
            return candidate
    return _month_start(story_end, -2) + timedelta(days=21)


def _local_to_utc(local_us: _Array) -> pl.Series:
    """Naive Europe/London microseconds → UTC datetimes (DST gaps move one hour forward)."""
    naive = pl.Series("t", local_us, dtype=pl.Int64).cast(pl.Datetime("us"))
    aware = pl.coalesce(
        pl.col("t").dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null"),
        (pl.col("t") + pl.duration(hours=1)).dt.replace_time_zone(
            TZ, ambiguous="earliest", non_existent="null"
        ),
    )
    return pl.DataFrame([naive]).select(aware.dt.convert_time_zone("UTC")).to_series()


def _draw_hours(rng: np.random.Generator, profile: _Array, n: int) -> _Array:
    """Seconds after local midnight with the hour drawn from ``profile``."""
    hours = rng.choice(24, size=n, p=profile)
    return hours * 3600 + rng.integers(0, 3600, size=n)


def _window_draw(rng: np.random.Generator, cum: _Array, lo: _Array, hi: _Array) -> _Array:
    """Days in ``[lo, hi]`` drawn with probability ∝ the weights whose cumsum is ``cum``."""
    a = cum[lo]
    b = cum[hi + 1]
    target = a + rng.random(lo.size) * (b - a)
    days = np.searchsorted(cum, target, side="right") - 1
    return np.asarray(np.clip(days, lo, hi))


@dataclass(frozen=True)
class _Calendar:
    start: date
    n_days: int
    weekday: _Array  # 0 = Monday
    month: _Array  # 1..12
    day_of_month: _Array
    bank_holiday: _Array
    christmas: _Array
    boxing_day: _Array
    new_year: _Array
    payday: _Array  # last working day of a month
    month_starts: _Array  # day index of each month's first day (may be negative)

    @classmethod
    def build(cls, start: date, end: date) -> _Calendar:
        n_days = (end - start).days + 1
        # Work to the end of the last month, so that its payday is the real one.
        n_ext = (_month_start(end, 1) - start).days
        days = np.datetime64(start, "D") + np.arange(n_ext)
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        ym = days.astype("datetime64[M]").astype(np.int64)
        month = ym % 12 + 1
        dom = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
        gb = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 1))
        bank = np.isin(days, np.array(sorted(gb), dtype="datetime64[D]"))
        idx = np.flatnonzero((weekday < 5) & ~bank)
        payday = np.zeros(n_ext, dtype=bool)
        payday[idx[np.r_[ym[idx][1:] != ym[idx][:-1], True]]] = True
        first_month = np.datetime64(_month_start(start), "M")
        n_months = int(ym[-1] - first_month.astype(np.int64)) + 1
        month_starts = (
            (first_month + np.arange(n_months)).astype("datetime64[D]") - np.datetime64(start, "D")
        ).astype(np.int64)
        weekday, month, dom = weekday[:n_days], month[:n_days], dom[:n_days]
        bank, payday = bank[:n_days], payday[:n_days]
        return cls(
            start=start,
            n_days=n_days,
            weekday=weekday,
            month=month,
            day_of_month=dom,
            bank_holiday=bank,
            christmas=(month == 12) & (dom == 25),
            boxing_day=(month == 12) & (dom == 26),
            new_year=(month == 1) & (dom == 1),
            payday=payday,
            month_starts=month_starts,
        )

    def index(self, day: date) -> int:
        return (day - self.start).days
