"""Sample support contacts: following the open-account base, with incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from insights.data.sample.base import (
    _CHANNELS,
    _DAY_US,
    _EPOCH,
    CONTACT_TAGS,
    _Array,
    _Calendar,
    _draw_hours,
    _hours,
    _ids,
    _local_to_utc,
)
from insights.data.sample.customers import _Customers

# Internal to insights.data.sample: names are private to the package.
__all__: list[str] = []

_CONTACT_HOURS = {  # local opening hours: phone 08:00-20:00, chat 07:00-23:00, email any time
    "phone": _hours((8, 19, 1.0), (9, 12, 1.6)),
    "chat": _hours((7, 22, 1.0), (9, 12, 1.3), (19, 21, 0.5)),
    "email": _hours((0, 23, 0.3), (8, 12, 1.5), (13, 17, 0.8)),
}
_CONTACT_RATE = 3.0  # contacts per 1,000 open accounts per day, before seasonality
_CONTACT_WEEKDAY = (1.3, 1.1, 1.0, 1.0, 0.95, 0.6, 0.5)
_CONTACT_MONTH = (1.15, 1.05, 1.0, 0.95, 0.95, 0.9, 0.9, 0.92, 1.0, 1.0, 1.05, 0.95)
_CONTACT_BANK_HOLIDAY = 0.45
_CONTACT_CHRISTMAS = 0.15
_CONTACT_CATCH_UP = 1.3  # the working day after a bank holiday
_CONTACT_TAG_P = (0.25, 0.12, 0.1, 0.15, 0.14, 0.08, 0.03)  # null gets the rest (0.13)
_HANDLE_MEDIAN_S = {"chat": 720.0, "phone": 480.0, "email": 300.0}
_HANDLE_NULL_P = 0.04
_INCIDENTS = (  # (position in the range, tag, multiplier of the day's volume)
    (0.3, "card_declined", 3.0),
    (0.55, "app_login", 2.0),
    (0.8, "fraud", 1.8),
)


def _contacts(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, customer_ids: pl.Series
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Contacts of the open accounts, and the incidents planted in them (random draws in order)."""
    day, tag, incidents = _contact_days(rng, cal, _expected_contacts(cust, cal))
    day, tag, who = _assign_customers(rng, cust, cal, day, tag)
    day, tag, who = _add_closing_contacts(rng, cust, cal, day=day, tag=tag, who=who)
    channel, sec, handle, handle_null = _channels_and_times(rng, cal, day)
    base = (datetime.combine(cal.start, datetime.min.time()) - _EPOCH) // timedelta(microseconds=1)
    local = base + day * _DAY_US + sec * 1_000_000
    order = np.lexsort((who, local))
    frame = pl.DataFrame(
        {
            "customer_id": customer_ids.gather(pl.Series(who[order])),
            "created_at": _local_to_utc(local[order]),
            "channel": pl.Series(_CHANNELS).gather(pl.Series(channel[order])),
            "tag": pl.Series([*CONTACT_TAGS, None]).gather(
                pl.Series(np.where(tag[order] < 0, len(CONTACT_TAGS), tag[order]))
            ),
            "handle_time_seconds": pl.Series(
                np.round(handle[order]).astype(np.int64), dtype=pl.Int64
            ),
        }
    ).with_columns(
        pl.when(pl.Series(handle_null[order]))
        .then(None)
        .otherwise(pl.col("handle_time_seconds"))
        .alias("handle_time_seconds")
    )
    frame = pl.concat(
        [_ids("k_", frame.height, 7).alias("contact_id").to_frame(), frame], how="horizontal"
    )
    return frame, incidents


def _expected_contacts(cust: _Customers, cal: _Calendar) -> _Array:
    """Return expected contacts per day: open accounts × base rate × seasonality, holidays."""
    n_days = cal.n_days
    lo, hi = cust.first_day, cust.last_day(n_days)
    has = lo <= hi
    delta = np.bincount(lo[has], minlength=n_days + 1) - np.bincount(
        hi[has] + 1, minlength=n_days + 1
    )
    active = np.cumsum(delta)[:n_days]
    after_holiday = np.r_[False, cal.bank_holiday[:-1]] & ~cal.bank_holiday & (cal.weekday < 5)
    return np.asarray(
        active
        * _CONTACT_RATE
        / 1000
        * np.asarray(_CONTACT_WEEKDAY)[cal.weekday]
        * np.asarray(_CONTACT_MONTH)[cal.month - 1]
        * np.where(cal.bank_holiday, _CONTACT_BANK_HOLIDAY, 1.0)
        * np.where(cal.christmas, _CONTACT_CHRISTMAS / _CONTACT_BANK_HOLIDAY, 1.0)
        * np.where(after_holiday, _CONTACT_CATCH_UP, 1.0)
    )


def _contact_days(
    rng: np.random.Generator, cal: _Calendar, lam: _Array
) -> tuple[_Array, _Array, list[dict[str, Any]]]:
    """Day and tag index (-1: untagged) of each contact, with the incident days added."""
    day = np.repeat(np.arange(cal.n_days), rng.poisson(lam))
    tag = np.where(
        rng.random(day.size) < sum(_CONTACT_TAG_P),
        rng.choice(
            len(CONTACT_TAGS), size=day.size, p=np.asarray(_CONTACT_TAG_P) / sum(_CONTACT_TAG_P)
        ),
        -1,
    )
    incidents = []
    for position, incident_tag, multiplier in _INCIDENTS:
        d = int(position * cal.n_days)
        while cal.weekday[d] >= 5 or cal.bank_holiday[d] or cal.weekday[d] == 0:
            d += 1
        extra = int(rng.poisson(lam[d] * (multiplier - 1)))
        day = np.r_[day, np.full(extra, d)]
        tag = np.r_[tag, np.full(extra, CONTACT_TAGS.index(incident_tag))]
        incidents.append(
            {
                "date": (cal.start + timedelta(days=d)).isoformat(),
                "tag": incident_tag,
                "multiplier": multiplier,
            }
        )
    return day, tag, incidents


def _assign_customers(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, day: _Array, tag: _Array
) -> tuple[_Array, _Array, _Array]:
    """Who: uniform among accounts open that day (rejection on closed accounts)."""
    lo, hi = cust.first_day, cust.last_day(cal.n_days)
    by_open = np.argsort(lo, kind="stable")
    opened = np.searchsorted(lo[by_open], day, side="right")
    who = np.full(day.size, -1)
    todo = np.flatnonzero(opened > 0)
    for _ in range(60):
        pick = by_open[np.floor(rng.random(todo.size) * opened[todo]).astype(np.int64)]
        ok = hi[pick] >= day[todo]
        who[todo[ok]] = pick[ok]
        todo = todo[~ok]
        if todo.size == 0:
            break
    keep = who >= 0
    return day[keep], tag[keep], who[keep]


def _add_closing_contacts(
    rng: np.random.Generator,
    cust: _Customers,
    cal: _Calendar,
    *,
    day: _Array,
    tag: _Array,
    who: _Array,
) -> tuple[_Array, _Array, _Array]:
    """Add contacts in the days before an account closes (many closing customers get in touch)."""
    lo, hi = cust.first_day, cust.last_day(cal.n_days)
    closing = np.flatnonzero(
        (cust.close_day < cal.n_days) & (lo <= hi) & (rng.random(lo.size) < 0.4)
    )
    closing_day = cust.close_day[closing] - rng.integers(1, 4, closing.size)
    ok = closing_day >= lo[closing]
    day = np.r_[day, closing_day[ok]]
    who = np.r_[who, closing[ok]]
    tag = np.r_[tag, np.full(ok.sum(), CONTACT_TAGS.index("account_closure"))]
    return day, tag, who


def _channels_and_times(
    rng: np.random.Generator, cal: _Calendar, day: _Array
) -> tuple[_Array, _Array, _Array, _Array]:
    """Channel, local second of the day, handle time and missing-handle-time flag per contact.

    Phone is shut on Sundays and bank holidays, chat and phone on Christmas Day.
    """
    phone_shut = (cal.weekday[day] == 6) | cal.bank_holiday[day]
    chat_shut = cal.christmas[day]
    u = rng.random(day.size)
    channel = np.where(u < 0.47, 0, np.where(u < 0.85, 1, 2))  # chat, phone, email
    channel = np.where(
        phone_shut & (channel == 1), np.where(rng.random(day.size) < 0.75, 0, 2), channel
    )
    channel = np.where(chat_shut, 2, channel)
    sec = np.empty(day.size, dtype=np.int64)
    handle = np.empty(day.size)
    for c, name in enumerate(_CHANNELS):
        rows = np.flatnonzero(channel == c)
        sec[rows] = _draw_hours(rng, _CONTACT_HOURS[name], rows.size)
        handle[rows] = _HANDLE_MEDIAN_S[name] * rng.lognormal(0.0, 0.55, rows.size)
    handle_null = rng.random(day.size) < _HANDLE_NULL_P
    return channel, sec, handle, handle_null


def _contact_truth(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the ``contacts`` entry of the truth dictionary."""
    return {
        "incidents": incidents,
        "weekday_multipliers": list(_CONTACT_WEEKDAY),
        "month_multipliers": list(_CONTACT_MONTH),
        "closed": {"phone": "Sundays and GB bank holidays", "chat": "Christmas Day"},
        "base_rate_per_1000": _CONTACT_RATE,
        "bank_holiday_multiplier": _CONTACT_BANK_HOLIDAY,
        "christmas_multiplier": _CONTACT_CHRISTMAS,
        "catch_up_multiplier": _CONTACT_CATCH_UP,
    }
