"""Sample transactions: everyday payments, subscriptions and refunds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from insights.data.sample.base import (
    _CAT,
    _CURRENCIES,
    _DAY_US,
    _EPOCH,
    _HOURS,
    _ONLINE,
    CATEGORIES,
    _Array,
    _Calendar,
    _draw_hours,
    _ids,
    _local_to_utc,
    _window_draw,
)
from insights.data.sample.customers import _Customers
from insights.data.sample.merchants import _ONLINE_BRANDS, _draw_places, _Merchants, _Pools

# Internal to insights.data.sample: names are private to the package.
__all__: list[str] = []

_FAVOURITES = 6  # favourite places per customer
_FAVOURITE_P = (0.4, 0.22, 0.14, 0.11, 0.08, 0.05)  # how often each favourite is chosen
_P_FAVOURITE = 0.6  # share of one-off payments made at a favourite place
_P_TRAVEL = 0.06  # share of in-store payments made in another city
_REFUND_RATE = 0.02
_SUBSCRIPTIONS_MEAN = 1.0


# Category mix of one-off payments, and of favourite places.
_CAT_P = {
    "eating_out": 0.26,
    "groceries": 0.22,
    "transport": 0.14,
    "shopping": 0.12,
    "entertainment": 0.05,
    "personal_care": 0.04,
    "general": 0.05,
    "bills": 0.02,
    "holidays": 0.012,
    "family": 0.025,
    "charity": 0.008,
    "gifts": 0.02,
    "finances": 0.005,
    "expenses": 0.008,
}
_FAV_CAT_P = {
    "eating_out": 0.42,
    "groceries": 0.28,
    "transport": 0.08,
    "personal_care": 0.06,
    "shopping": 0.1,
    "entertainment": 0.06,
}


# Log-normal spread of amounts around a merchant's typical amount.
_AMOUNT_SIGMA = {"groceries": 0.55, "holidays": 0.6, "shopping": 0.6, "eating_out": 0.4}
_WEEKDAY = {  # Monday first
    "eating_out": (0.8, 0.85, 0.9, 1.0, 1.4, 1.5, 1.05),
    "groceries": (0.85, 0.85, 0.9, 0.95, 1.1, 1.35, 1.25),
    "transport": (1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.7),
    "entertainment": (0.7, 0.75, 0.8, 0.9, 1.3, 1.5, 1.1),
    "shopping": (0.85, 0.85, 0.9, 0.95, 1.05, 1.4, 1.1),
    "default": (0.95, 0.95, 0.95, 1.0, 1.05, 1.1, 0.9),
    "online": (1.05, 1.05, 1.0, 1.0, 0.95, 0.95, 1.05),
}
_MONTH = {  # January first
    "default": (0.86, 0.92, 0.97, 1.0, 1.0, 1.0, 1.04, 1.04, 0.98, 1.0, 1.08, 1.3),
    "gifts": (0.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.5, 3.0),
    "shopping": (0.95, 0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 1.25, 1.6),
    "holidays": (1.4, 1.1, 1.0, 1.0, 1.0, 1.1, 1.3, 1.3, 0.9, 0.9, 0.8, 0.7),
    "entertainment": (0.85, 0.9, 0.95, 1.0, 1.0, 1.0, 1.1, 1.1, 0.95, 1.0, 1.05, 1.3),
}


def _day_weights(cal: _Calendar, category: str, *, online: bool) -> _Array:
    """Relative daily intensity of one category's payments in-store or online."""
    weekday = _WEEKDAY["online"] if online else _WEEKDAY.get(category, _WEEKDAY["default"])
    month = _MONTH.get(category, _MONTH["default"])
    w = np.asarray(weekday)[cal.weekday] * np.asarray(month)[cal.month - 1]
    after_payday = np.zeros(cal.n_days, dtype=bool)
    before_payday = np.zeros(cal.n_days, dtype=bool)
    for shift in range(4):
        after_payday[shift:] |= cal.payday[: cal.n_days - shift]
    for shift in range(2, 7):
        before_payday[: cal.n_days - shift] |= cal.payday[shift:]
    boost = 1.3 if category in {"eating_out", "shopping", "entertainment", "gifts"} else 1.1
    w = w * np.where(after_payday, boost, 1.0) * np.where(before_payday, 0.9, 1.0)
    run_up = (cal.month == 12) & (cal.day_of_month >= 17) & (cal.day_of_month <= 24)
    if category in {"groceries", "shopping", "gifts"}:
        w = w * np.where(run_up, 1.35, 1.0)
    if online:
        return np.asarray(w * np.where(cal.christmas, 0.4, 1.0))
    holiday = {"eating_out": 1.15, "transport": 0.7, "groceries": 0.9}.get(category, 1.0)
    w = w * np.where(cal.bank_holiday, holiday, 1.0)
    w = w * np.where(cal.christmas, 0.02, 1.0) * np.where(cal.new_year, 0.6, 1.0)
    if category == "shopping":
        w = w * np.where(cal.boxing_day, 2.0, 1.0)
    return np.asarray(w)


@dataclass
class _Rows:
    """Transactions under construction, as parallel numpy arrays."""

    customer: list[_Array] = field(default_factory=list)
    merchant: list[_Array] = field(default_factory=list)
    day: list[_Array] = field(default_factory=list)
    sec: list[_Array] = field(default_factory=list)
    amount: list[_Array] = field(default_factory=list)
    currency: list[_Array] = field(default_factory=list)

    def add(
        self,
        customer: _Array,
        merchant: _Array,
        day: _Array,
        sec: _Array,
        amount: _Array,
        *,
        currency: _Array | None = None,
    ) -> None:
        self.customer.append(np.asarray(customer, dtype=np.int64))
        self.merchant.append(np.asarray(merchant, dtype=np.int64))
        self.day.append(np.asarray(day, dtype=np.int64))
        self.sec.append(np.asarray(sec, dtype=np.int64))
        self.amount.append(np.asarray(amount, dtype=np.int64))
        cur = np.zeros(len(customer), dtype=np.int64) if currency is None else currency
        self.currency.append(np.asarray(cur, dtype=np.int64))

    def stack(self) -> dict[str, _Array]:
        return {
            "customer": np.concatenate(self.customer),
            "merchant": np.concatenate(self.merchant),
            "day": np.concatenate(self.day),
            "sec": np.concatenate(self.sec),
            "amount": np.concatenate(self.amount),
            "currency": np.concatenate(self.currency),
        }


def _amounts(rng: np.random.Generator, m: _Merchants, merchant: _Array) -> _Array:
    category = np.asarray(m.category)[merchant]
    sigma = np.array([_AMOUNT_SIGMA.get(c, 0.45) for c in CATEGORIES])[category]
    pence = np.asarray(m.typical)[merchant] * np.exp(rng.normal(0.0, 1.0, merchant.size) * sigma)
    return np.asarray(np.maximum(np.round(pence), 1), dtype=np.int64)


def _currencies(rng: np.random.Generator, m: _Merchants, merchant: _Array) -> _Array:
    holiday = np.asarray(m.category)[merchant] == _CAT["holidays"]
    abroad = rng.choice(3, size=merchant.size, p=[0.65, 0.25, 0.10])
    return np.where(holiday, abroad, 0)


def _times(
    rng: np.random.Generator,
    m: _Merchants,
    merchant: _Array,
    cal: _Calendar,
    *,
    lo: _Array,
    hi: _Array,
) -> tuple[_Array, _Array]:
    """Local day and second of payments at ``merchant`` within each customer's window."""
    category = np.asarray(m.category)[merchant]
    online = np.asarray(m.city)[merchant] == _ONLINE
    day = np.empty(merchant.size, dtype=np.int64)
    sec = np.empty(merchant.size, dtype=np.int64)
    for c, name in enumerate(CATEGORIES):
        for is_online in (False, True):
            rows = np.flatnonzero((category == c) & (online == is_online))
            if rows.size == 0:
                continue
            cum = np.r_[0.0, np.cumsum(_day_weights(cal, name, online=is_online))]
            day[rows] = _window_draw(rng, cum, lo[rows], hi[rows])
            profile = _HOURS["online"] if is_online else _HOURS.get(name, _HOURS["default"])
            sec[rows] = _draw_hours(rng, profile, rows.size)
    return day, sec


def _organic(
    rng: np.random.Generator, cust: _Customers, m: _Merchants, pools: _Pools, cal: _Calendar
) -> _Rows:
    rows = _Rows()
    n = cust.open_day.size
    lo, hi = cust.first_day, cust.last_day(cal.n_days)
    active = np.maximum(hi - lo + 1, 0)
    favourites = _draw_places(
        rng, pools, _FAV_CAT_P, np.repeat(cust.city, _FAVOURITES), travel=0.0
    ).reshape(n, _FAVOURITES)
    count = rng.poisson(cust.rate * active)
    who = np.repeat(np.arange(n), count)
    fav = rng.random(who.size) < _P_FAVOURITE
    merchant = np.empty(who.size, dtype=np.int64)
    slot = rng.choice(_FAVOURITES, size=who.size, p=_FAVOURITE_P)
    merchant[fav] = favourites[who[fav], slot[fav]]
    merchant[~fav] = _draw_places(rng, pools, _CAT_P, cust.city[who[~fav]], travel=_P_TRAVEL)
    day, sec = _times(rng, m, merchant, cal, lo=lo[who], hi=hi[who])
    rows.add(
        who, merchant, day, sec, _amounts(rng, m, merchant), currency=_currencies(rng, m, merchant)
    )

    # Subscriptions: a fixed amount on a fixed day of each month.
    subs = np.array([i for i, (b, is_sub) in enumerate(_ONLINE_BRANDS) if is_sub])
    sub_pop = np.array([_ONLINE_BRANDS[i][0].popularity for i in subs])
    online_ids = np.flatnonzero(np.asarray(m.city) == _ONLINE)  # in _ONLINE_BRANDS order
    n_subs = np.minimum(rng.poisson(_SUBSCRIPTIONS_MEAN, n), 5)
    sub_who = np.repeat(np.arange(n), n_subs)
    sub_merchant = online_ids[subs[rng.choice(subs.size, sub_who.size, p=sub_pop / sub_pop.sum())]]
    sub_amount = _amounts(rng, m, sub_merchant)
    sub_dom = rng.integers(0, 28, sub_who.size)
    sub_sec = _draw_hours(rng, _HOURS["subscription"], sub_who.size)
    charge = sub_dom[:, None] + cal.month_starts[None, :]
    ok = (charge >= lo[sub_who][:, None]) & (charge <= hi[sub_who][:, None])
    s, k = np.nonzero(ok)
    rows.add(sub_who[s], sub_merchant[s], charge[s, k], sub_sec[s], sub_amount[s])

    # Refunds: some one-off payments come back, at the same merchant, a few days later.
    refunded = np.flatnonzero(rng.random(who.size) < _REFUND_RATE)
    refund_day = day[refunded] + rng.integers(1, 15, refunded.size)
    keep = refund_day <= hi[who[refunded]]
    refunded, refund_day = refunded[keep], refund_day[keep]
    original = rows.amount[0][refunded]
    partial = rng.random(refunded.size) < 0.3
    back = np.where(partial, np.round(original * rng.uniform(0.2, 0.9, refunded.size)), original)
    rows.add(
        who[refunded],
        merchant[refunded],
        refund_day,
        rng.integers(9 * 3600, 18 * 3600, refunded.size),
        -np.maximum(back, 1),
        currency=rows.currency[0][refunded],
    )
    return rows


def _transactions_frame(
    stacked: dict[str, _Array], merchants: pl.DataFrame, customer_ids: pl.Series, start: date
) -> pl.DataFrame:
    base = (datetime.combine(start, datetime.min.time()) - _EPOCH) // timedelta(microseconds=1)
    local = base + stacked["day"] * _DAY_US + stacked["sec"] * 1_000_000
    order = np.lexsort((stacked["merchant"], stacked["customer"], local))
    frame = pl.DataFrame(
        {
            "customer_id": customer_ids.gather(pl.Series(stacked["customer"][order])),
            "created_at": _local_to_utc(local[order]),
            "amount_minor": pl.Series(stacked["amount"][order], dtype=pl.Int64),
            "currency": pl.Series(_CURRENCIES).gather(pl.Series(stacked["currency"][order])),
        }
    )
    place = merchants.select(pl.all().gather(pl.Series(stacked["merchant"][order])))
    return pl.concat(
        [_ids("tx_", frame.height, 10).alias("transaction_id").to_frame(), frame, place],
        how="horizontal",
    )
