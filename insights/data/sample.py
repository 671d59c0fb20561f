"""A deterministic, vectorised generator of realistic sample data for a UK card bank.

It produces the three tables of ``data_contracts/`` — transactions, customers and support
contacts — and a *truth* dictionary describing the stories planted in them, so that the
reports built on top can be tested end to end::

    sample_data(...)      -> SampleData(transactions, customers, contacts, truth)   pure
    sample_frames(...)    -> {"transactions": ..., "customers": ..., "contacts": ...} pure
    write_sample(out_dir) -> truth                                                 writes files

What makes it look like a bank's data rather than noise:

* ten UK cities of different sizes; customers live (and mostly spend) in one of them;
* chains (one ``merchant_group_id``, many locations), independent places (one location) and
  online merchants (``merchant_city`` null); favourite places, hence repeat customers;
* weekly, yearly, payday (last working day of the month) and bank-holiday patterns, a near
  empty Christmas Day in shops, local (Europe/London) hours of day stored in UTC;
* a growing customer base with account closures, subscriptions, refunds and holiday spending
  abroad in EUR/USD;
* support contacts following the open-account base, with weekly and yearly seasonality,
  channel opening hours, catch-up after bank holidays and incident days.

Planted stories (all recorded in the truth dictionary): trending independent places and five
kinds of decoy in the three largest cities, a one-day spike at a cinema chain, rival coffee
and bakery chains whose favourite differs by region, and contact incidents.

Same arguments, same frames: everything random comes from one
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import holidays
import numpy as np
import numpy.typing as npt
import polars as pl

from insights.data.contracts import load_contract
from insights.errors import ParameterError

__all__ = [
    "CATEGORIES",
    "CITIES",
    "CONTACT_TAGS",
    "TZ",
    "SampleData",
    "sample_data",
    "sample_frames",
    "write_sample",
]

_Array = npt.NDArray[Any]

#: Local time zone of the bank: timestamps are generated in it, then stored in UTC.
TZ = "Europe/London"

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
#: (``data_contracts/transactions.yaml`` is the one place they are written down).
CATEGORIES: tuple[str, ...] = (
    load_contract("transactions").column("merchant_category").allowed_values or ()
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

# --- behaviour parameters -----------------------------------------------------------------
_TX_PER_DAY = 0.12  # mean one-off card payments per customer per open day
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
# Probability that a payment in a category is made online.
_P_ONLINE = {
    "eating_out": 0.12,
    "groceries": 0.1,
    "transport": 0.15,
    "entertainment": 0.3,
    "shopping": 0.45,
    "bills": 1.0,
    "holidays": 1.0,
    "personal_care": 0.1,
    "general": 0.3,
    "family": 0.2,
    "charity": 0.6,
    "gifts": 0.5,
    "finances": 1.0,
    "expenses": 1.0,
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
_CONTACT_HOURS = {  # local opening hours: phone 08:00-20:00, chat 07:00-23:00, email any time
    "phone": _hours((8, 19, 1.0), (9, 12, 1.6)),
    "chat": _hours((7, 22, 1.0), (9, 12, 1.3), (19, 21, 0.5)),
    "email": _hours((0, 23, 0.3), (8, 12, 1.5), (13, 17, 0.8)),
}


class _Brand(NamedTuple):
    name: str
    category: str
    typical_pence: float
    london_locations: int  # locations in London; other cities get proportionally fewer
    popularity: float  # per-location weight relative to an independent place


_CHAINS: tuple[_Brand, ...] = (
    _Brand("Greenleaf Supermarkets", "groceries", 2600, 12, 3.0),
    _Brand("Hartwell's Foodhall", "groceries", 3400, 6, 2.5),
    _Brand("Corner Basket", "groceries", 900, 15, 1.5),
    _Brand("Meridian Coffee", "eating_out", 380, 10, 1.6),  # rival A
    _Brand("Copper Crumb Bakery", "eating_out", 320, 10, 1.6),  # rival B
    _Brand("Kettle & Co", "eating_out", 360, 6, 1.0),
    _Brand("Burger Barn", "eating_out", 850, 6, 1.5),
    _Brand("Starlight Cinemas", "entertainment", 1150, 3, 2.0),
    _Brand("MetroLink Transit", "transport", 290, 8, 3.0),
    _Brand("Rapid Rail", "transport", 2400, 3, 2.0),
    _Brand("FuelPoint", "transport", 5500, 4, 1.5),
    _Brand("Wellspring Pharmacy", "personal_care", 850, 6, 1.5),
    _Brand("Marlow & Finch", "shopping", 3800, 2, 2.0),
    _Brand("Pennywise Variety", "general", 1200, 5, 1.2),
    _Brand("Little Acorns Toys", "family", 1800, 2, 1.2),
)
_RIVAL_A, _RIVAL_B = "Meridian Coffee", "Copper Crumb Bakery"
_RIVAL_LEAD = 3.0  # popularity ratio of the local favourite over its rival
_CINEMA, _PLANTED_CHAIN = "Starlight Cinemas", "Kettle & Co"

# Online merchants; ``london_locations`` is unused, ``popularity`` weights the online pool.
_ONLINE_BRANDS: tuple[tuple[_Brand, bool], ...] = (  # (brand, is a subscription)
    (_Brand("Streamly", "entertainment", 1099, 0, 3.0), True),
    (_Brand("Tunebox Music", "entertainment", 1199, 0, 2.0), True),
    (_Brand("Ticketrail", "entertainment", 3500, 0, 1.0), False),
    (_Brand("ParcelPal", "shopping", 2800, 0, 3.0), False),
    (_Brand("Bazaar Online", "shopping", 1900, 0, 2.0), False),
    (_Brand("Northgrid Energy", "bills", 9500, 0, 2.0), True),
    (_Brand("Clearwater Utilities", "bills", 4200, 0, 2.0), True),
    (_Brand("SkyLine Mobile", "bills", 2200, 0, 2.0), True),
    (_Brand("Borough Council Tax", "bills", 15000, 0, 1.5), True),
    (_Brand("Wanderly Travel", "holidays", 42000, 0, 1.0), False),
    (_Brand("Bluewing Airways", "holidays", 18000, 0, 1.5), False),
    (_Brand("Harbour Stays", "holidays", 25000, 0, 1.0), False),
    (_Brand("Kindly Giving", "charity", 1000, 0, 1.0), True),
    (_Brand("Giftwrapped Online", "gifts", 2500, 0, 1.0), False),
    (_Brand("Evergreen Insurance", "finances", 3500, 0, 1.0), True),
    (_Brand("Ledgerly", "expenses", 4500, 0, 1.0), False),
    (_Brand("GoCab Rides", "transport", 1400, 0, 1.0), False),
    (_Brand("Tiny Steps Club", "family", 2500, 0, 1.0), False),
    (_Brand("QuickMart Delivery", "groceries", 4200, 0, 1.0), False),
    (_Brand("FoodDash", "eating_out", 2300, 0, 1.0), False),
    (_Brand("Pixel Apps", "general", 499, 0, 1.0), False),
    (_Brand("Glow Box", "personal_care", 1800, 0, 1.0), False),
)

# Independent places: category share, typical amount, name parts.
_INDEPENDENTS: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...]]] = {
    "eating_out": (
        0.38,
        1300,
        (
            "The Copper",
            "The Golden",
            "Little",
            "Old Town",
            "Blue Door",
            "Wild Fig",
            "Saffron",
            "Rosemary",
            "Juniper",
            "Olive",
            "Lantern",
            "Harbour",
            "Red Brick",
            "Hidden",
        ),
        (
            "Kitchen",
            "Café",
            "Bistro",
            "Tap",
            "Table",
            "Spoon",
            "Oven",
            "Noodle Bar",
            "Taverna",
            "Grill",
            "Deli",
            "Tea Rooms",
        ),
    ),
    "shopping": (
        0.14,
        2800,
        ("Thread", "Elm", "Marble", "Northgate", "Willow", "Foxglove", "Cobble"),
        ("Boutique", "Outfitters", "Books", "Records", "Home Store", "Vintage"),
    ),
    "personal_care": (
        0.1,
        2600,
        ("Sharp", "Velvet", "Serenity", "Studio", "Bloom", "Fade"),
        ("Barbers", "Hair Studio", "Nails", "Spa", "Beauty Rooms"),
    ),
    "general": (
        0.1,
        900,
        ("High Street", "Corner", "Park Road", "Station", "Market"),
        ("Newsagent", "Hardware", "Post Office", "Mini Mart", "Stores"),
    ),
    "groceries": (
        0.08,
        1100,
        ("Green", "Valley", "Field", "Village", "Harvest"),
        ("Grocer", "Butchers", "Greengrocer", "Farm Shop", "Fishmonger"),
    ),
    "entertainment": (
        0.06,
        1500,
        ("The Globe", "Palace", "Electric", "Paradise", "Comet"),
        ("Theatre", "Bowling", "Comedy Club", "Music Hall", "Climbing Wall"),
    ),
    "family": (0.05, 1600, ("Acorn", "Bright Star", "Puddle"), ("Nursery", "Play Barn", "Kids")),
    "gifts": (0.05, 1900, ("Paper", "Magpie", "Treasure"), ("Gifts", "Cards & Co", "Florist")),
    "charity": (0.04, 700, ("Hospice", "Animal Rescue", "Children's"), ("Charity Shop", "Shop")),
}
_INDEPENDENTS_PER_CUSTOMER = 1 / 20
_MIN_INDEPENDENTS = 300


@dataclass(frozen=True)
class _Story:
    """How a planted independent (or chain location) is visited, month by month."""

    kind: str
    regulars: int  # customers visiting 2+ times every month the place trades
    regular_visits: tuple[int, int]  # visits per month, inclusive range
    singles: int  # one-visit customers in each baseline month
    story_singles: int  # one-visit customers in the story month
    new_regulars: int = 0  # extra regulars in the story month only (2-5 visits)
    new_regular_visits: tuple[int, int] = (2, 5)
    baseline: bool = True  # False: opens in the story month
    one_day: bool = False  # story-month singles all come on one day (an event)
    typical_pence: float = 1400.0
    names: tuple[str, ...] = field(default_factory=tuple)


_STORIES: tuple[_Story, ...] = (
    _Story(
        "trending",
        10,
        (2, 4),
        15,
        15,
        new_regulars=20,
        names=(
            "Saffron & Salt",
            "Bramble Bakehouse",
            "Ember Pizza Co",
            "Fig & Fennel",
            "The Dumpling Room",
            "The Little Larder",
        ),
    ),
    _Story(
        "trending",
        10,
        (2, 4),
        14,
        14,
        new_regulars=21,
        names=(
            "Nori Noodle House",
            "The Sourdough Club",
            "Casa Limón",
            "Smoke & Oak",
            "The Green Pantry",
            "Honeycomb Café",
        ),
    ),
    _Story(
        "event_surge",
        3,
        (2, 3),
        12,
        75,
        one_day=True,
        names=("Quayside Food Market", "The Riverside Arena Bar", "Moonlight Street Food"),
    ),
    _Story(
        "popular_flat",
        25,
        (2, 4),
        35,
        35,
        names=("The Crown & Anchor", "Mario's Trattoria", "The Old Bell"),
    ),
    _Story(
        "tiny",
        1,
        (2, 2),
        1,
        4,
        new_regulars=3,
        new_regular_visits=(2, 2),
        names=("Pip's Pantry", "The Tiny Teapot", "Wren's Nest Café"),
    ),
    _Story("chain", 10, (2, 4), 15, 15, new_regulars=25, typical_pence=380),
    _Story(
        "new_place",
        0,
        (2, 4),
        0,
        25,
        new_regulars=20,
        new_regular_visits=(2, 4),
        baseline=False,
        names=("Nova Ramen", "Kiln Coffee Lab", "Sourdough Social"),
    ),
)
_STORY_CITIES = 3  # stories are planted in the three largest cities

_SPIKE_MULTIPLIER = 3.5
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


@dataclass(frozen=True)
class SampleData:
    """Generated tables and the truth about what was planted in them.

    Attributes
    ----------
    transactions, customers, contacts
        Frames satisfying ``data_contracts/*.yaml``.
    truth
        The planted stories, JSON-serialisable (see :func:`write_sample`).

    """

    transactions: pl.DataFrame
    customers: pl.DataFrame
    contacts: pl.DataFrame
    truth: dict[str, Any]

    def frames(self) -> dict[str, pl.DataFrame]:
        """Return the three tables keyed by name."""
        return {
            "transactions": self.transactions,
            "customers": self.customers,
            "contacts": self.contacts,
        }


# --- small helpers ------------------------------------------------------------------------


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


# --- calendar -----------------------------------------------------------------------------


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


# --- merchants ----------------------------------------------------------------------------


@dataclass
class _Merchants:
    name: list[str] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    category: list[int] = field(default_factory=list)
    city: list[int] = field(default_factory=list)  # _ONLINE for online merchants
    typical: list[float] = field(default_factory=list)
    popularity: list[float] = field(default_factory=list)  # 0 = planted only
    n_groups: int = 0

    def add(
        self,
        names: list[str],
        groups: list[int],
        category: str | list[int],
        cities: list[int],
        typical: list[float],
        *,
        popularity: list[float],
    ) -> _Array:
        first = len(self.name)
        self.name += names
        self.group += groups
        self.category += [_CAT[category]] * len(names) if isinstance(category, str) else category
        self.city += cities
        self.typical += typical
        self.popularity += popularity
        self.n_groups = max(self.n_groups, max(groups) + 1)
        return np.arange(first, len(self.name))

    def frame(self) -> pl.DataFrame:
        n = len(self.name)
        city = np.asarray(self.city)
        group_ids = _ids("g_", self.n_groups, 5)
        return pl.DataFrame(
            {
                "merchant_id": _ids("m_", n, 5),
                "merchant_name": pl.Series(self.name, dtype=pl.String),
                "merchant_group_id": group_ids.gather(pl.Series(self.group)),
                "merchant_category": pl.Series(CATEGORIES).gather(pl.Series(self.category)),
                "merchant_city": pl.Series([*_CITY_NAMES, None]).gather(pl.Series(city)),
                "is_online": pl.Series(city == _ONLINE),
            }
        )


def _build_merchants(rng: np.random.Generator, customers: int) -> tuple[_Merchants, dict[str, int]]:
    """Chains in every city, online merchants and independents; returns brand → group."""
    m = _Merchants()
    brand_group: dict[str, int] = {}
    total = max(_MIN_INDEPENDENTS, round(customers * _INDEPENDENTS_PER_CUSTOMER))
    # Chains grow with the bank: more locations, and each busier, so that their share of
    # spending does not shrink as the number of independents grows.
    more = max(1, round(math.sqrt(customers / 10_000)))
    busier = total / _MIN_INDEPENDENTS / more
    for brand in _CHAINS:
        group = m.n_groups
        brand_group[brand.name] = group
        for city, (city_name, share) in enumerate(CITIES):
            n = max(1, round(more * brand.london_locations * share / CITIES[0][1]))
            popularity = busier * brand.popularity * rng.lognormal(0.0, 0.25, n)
            if brand.name in (_RIVAL_A, _RIVAL_B):
                leads = (brand.name == _RIVAL_A) == (city_name in _SOUTH)
                popularity = popularity * (_RIVAL_LEAD if leads else 1.0)
            m.add(
                [brand.name] * n,
                [group] * n,
                brand.category,
                [city] * n,
                [brand.typical_pence] * n,
                popularity=popularity.tolist(),
            )
    for brand, _ in _ONLINE_BRANDS:
        brand_group[brand.name] = m.n_groups
        m.add(
            [brand.name],
            [m.n_groups],
            brand.category,
            [_ONLINE],
            [brand.typical_pence],
            popularity=[brand.popularity * 25.0],
        )
    # Independents: at least one of each kind per city, so every in-store pool is non-empty.
    kinds = list(_INDEPENDENTS)
    shares = np.array([_INDEPENDENTS[k][0] for k in kinds])
    counts = np.maximum(1, np.round(np.outer(_CITY_P, shares) * total)).astype(np.int64)
    where = np.repeat(np.arange(_N_CITIES), counts.sum(axis=1))
    kind = np.concatenate([np.repeat(np.arange(len(kinds)), row) for row in counts])
    names = np.empty(kind.size, dtype=object)
    typical = np.empty(kind.size)
    for k, category in enumerate(kinds):
        _, pence, prefixes, suffixes = _INDEPENDENTS[category]
        pool = np.array([f"{p} {s}" for p in prefixes for s in suffixes], dtype=object)
        rows = kind == k
        names[rows] = pool[rng.integers(0, pool.size, rows.sum())]
        typical[rows] = pence * rng.lognormal(0.0, 0.3, rows.sum())
    first = m.n_groups
    m.add(
        [str(x) for x in names],
        list(range(first, first + kind.size)),
        [_CAT[kinds[k]] for k in kind],
        where.tolist(),
        typical.tolist(),
        popularity=rng.lognormal(0.0, 0.8, kind.size).tolist(),
    )
    return m, brand_group


@dataclass(frozen=True)
class _Pools:
    """Organic merchants sorted by pool (category × location) for vectorised weighted draws."""

    key: _Array  # pool key + cumulative share within the pool, ascending
    merchant: _Array

    @classmethod
    def build(cls, m: _Merchants) -> _Pools:
        pop = np.asarray(m.popularity)
        organic = np.flatnonzero(pop > 0)
        pool = np.asarray(m.category)[organic] * (_N_CITIES + 1) + np.asarray(m.city)[organic]
        order = np.argsort(pool, kind="stable")
        organic, pool, w = organic[order], pool[order], pop[organic][order]
        starts = np.r_[0, np.flatnonzero(np.diff(pool)) + 1]
        cum = np.cumsum(w)
        totals = np.add.reduceat(w, starts)
        before = np.repeat(cum[starts] - w[starts], np.diff(np.r_[starts, pool.size]))
        share = (cum - before) / np.repeat(totals, np.diff(np.r_[starts, pool.size]))
        share[np.r_[starts[1:] - 1, pool.size - 1]] = 1.0
        return cls(key=pool + share, merchant=organic)

    def has(self, pool: _Array) -> _Array:
        return np.isin(pool, np.floor(self.key - 1e-9).astype(np.int64))

    def draw(self, rng: np.random.Generator, category: _Array, location: _Array) -> _Array:
        pool = category * (_N_CITIES + 1) + location
        if not self.has(np.unique(pool)).all():
            msg = "internal error: a merchant pool is empty; please report this"
            raise RuntimeError(msg)
        target = pool + rng.random(pool.size) * (1 - 1e-12)
        return np.asarray(self.merchant[np.searchsorted(self.key, target, side="right")])


def _draw_places(
    rng: np.random.Generator,
    pools: _Pools,
    weights: dict[str, float],
    city: _Array,
    *,
    travel: float,
) -> _Array:
    """Draw a category, then online or in ``city`` (or another city), then a merchant."""
    cats = np.array([_CAT[c] for c in weights])
    p = np.array(list(weights.values()))
    category = cats[rng.choice(cats.size, size=city.size, p=p / p.sum())]
    p_online = np.array([_P_ONLINE[c] for c in CATEGORIES])[category]
    travelling = rng.random(city.size) < travel
    where = np.where(travelling, rng.choice(_N_CITIES, size=city.size, p=_CITY_P), city)
    location = np.where(rng.random(city.size) < p_online, _ONLINE, where)
    return pools.draw(rng, category, location)


# --- customers ----------------------------------------------------------------------------


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


# --- transactions -------------------------------------------------------------------------


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


def _plant_stories(
    rng: np.random.Generator,
    cust: _Customers,
    m: _Merchants,
    cal: _Calendar,
    *,
    brand_group: dict[str, int],
    story_month: date,
    rows: _Rows,
) -> dict[str, list[dict[str, Any]]]:
    """Add the trending places and the decoys; return their truth entries by kind."""
    months = [_month_start(story_month, -k) for k in range(_BASELINE_MONTHS, -1, -1)]
    first, after = cal.index(months[0]), cal.index(_month_start(story_month, 1))
    lo, hi = cust.first_day, cust.last_day(cal.n_days)
    planted: dict[str, list[dict[str, Any]]] = {}
    chain_group = brand_group[_PLANTED_CHAIN]
    used_names: dict[str, int] = {}
    for city in range(_STORY_CITIES):
        eligible = np.flatnonzero(
            (cust.city == city) & cust.home_known & (lo <= first) & (hi >= after - 1)
        )
        for story in _STORIES:
            needed = story.regulars + story.new_regulars + max(story.singles, story.story_singles)
            if eligible.size < needed:
                msg = (
                    f"too few customers to plant the {story.kind!r} story in "
                    f"{_CITY_NAMES[city]}: {eligible.size} eligible, {needed} needed; "
                    f"use customers >= {_MIN_CUSTOMERS}"
                )
                raise ParameterError(msg)
            if story.kind == "chain":
                name, group = _PLANTED_CHAIN, chain_group
            else:
                i = used_names.get(story.names[0], 0)
                used_names[story.names[0]] = i + 1
                name, group = story.names[i % len(story.names)], m.n_groups
            merchant = int(
                m.add(
                    [name], [group], "eating_out", [city], [story.typical_pence], popularity=[0.0]
                )[0]
            )
            people = rng.permutation(eligible)
            regulars = people[: story.regulars]
            newcomers = people[story.regulars : story.regulars + story.new_regulars]
            others = people[story.regulars + story.new_regulars :]
            for month in months if story.baseline else months[-1:]:
                in_story = month == story_month
                m_lo = cal.index(month)
                m_len = cal.index(_month_start(month, 1)) - m_lo
                visitors = [regulars]
                visits = [
                    rng.integers(
                        story.regular_visits[0], story.regular_visits[1] + 1, regulars.size
                    )
                ]
                if in_story:
                    visitors.append(newcomers)
                    lo_v, hi_v = story.new_regular_visits
                    visits.append(rng.integers(lo_v, hi_v + 1, newcomers.size))
                singles = story.story_singles if in_story else story.singles
                singles = int(rng.poisson(singles)) if singles > 8 else singles
                single = rng.choice(others, size=min(singles, others.size), replace=False)
                visitors.append(single)
                visits.append(np.ones(single.size, dtype=np.int64))
                who = np.repeat(np.concatenate(visitors), np.concatenate(visits))
                day = m_lo + rng.integers(0, m_len, who.size)
                sec = _draw_hours(rng, _HOURS["eating_out"], who.size)
                if in_story and story.one_day:
                    event = m_lo + 14 + (5 - cal.weekday[m_lo + 14]) % 7  # a Saturday
                    is_single = np.repeat(
                        np.r_[np.zeros(sum(v.size for v in visitors[:-1])), np.ones(single.size)],
                        np.concatenate(visits),
                    ).astype(bool)
                    day[is_single] = event
                    sec[is_single] = _draw_hours(rng, _HOURS["entertainment"], is_single.sum())
                merchants = np.full(who.size, merchant)
                rows.add(who, merchants, day, sec, _amounts(rng, m, merchants))
            planted.setdefault(story.kind, []).append(
                {
                    "month": story_month.strftime("%Y-%m"),
                    "city": _CITY_NAMES[city],
                    "merchant_index": merchant,
                    "merchant_name": name,
                }
            )
    return planted


def _plant_spike(
    rng: np.random.Generator,
    cust: _Customers,
    m: _Merchants,
    cal: _Calendar,
    *,
    group: int,
    spike: date,
    rows: _Rows,
) -> None:
    """Top the cinema chain's spike day up to ``_SPIKE_MULTIPLIER`` × its median day."""
    stacked = rows.stack()
    at_group = np.asarray(m.group)[stacked["merchant"]] == group
    spend = np.bincount(
        stacked["day"][at_group], weights=stacked["amount"][at_group], minlength=cal.n_days
    )
    d = cal.index(spike)
    # A normal day: the larger of the median day and the median of the same weekday in the
    # four weeks either side.
    around = np.r_[np.arange(d - 28, d, 7), np.arange(d + 7, d + 29, 7)]
    around = around[(around >= 0) & (around < cal.n_days)]
    normal = max(float(np.median(spend)), float(np.median(spend[around])))
    missing = _SPIKE_MULTIPLIER * normal - spend[d]
    eligible = np.flatnonzero((cust.first_day <= d) & (cust.last_day(cal.n_days) >= d))
    typical = float(np.median(np.asarray(m.typical)[np.asarray(m.group) == group]))
    extra = min(math.ceil(2 * max(missing, 0.0) / typical) + 10, eligible.size)
    who = rng.choice(eligible, size=extra, replace=False)
    locations = np.flatnonzero(np.asarray(m.group) == group)
    city_of = np.asarray(m.city)[locations]
    # Each customer goes to one of the chain's cinemas in their city.
    first_in_city = locations[np.searchsorted(city_of, np.arange(_N_CITIES))]
    merchant = first_in_city[cust.city[who]]
    amount = _amounts(rng, m, merchant)
    # Keep just enough of them to reach the target spend.
    keep = int(np.searchsorted(np.cumsum(amount), missing)) + 1 if missing > 0 else 0
    who, merchant, amount = who[:keep], merchant[:keep], amount[:keep]
    sec = _draw_hours(rng, _HOURS["entertainment"], keep)
    rows.add(who, merchant, np.full(keep, d), sec, amount)


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


# --- contacts -----------------------------------------------------------------------------


def _contacts(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, customer_ids: pl.Series
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    n_days = cal.n_days
    lo, hi = cust.first_day, cust.last_day(n_days)
    has = lo <= hi
    delta = np.bincount(lo[has], minlength=n_days + 1) - np.bincount(
        hi[has] + 1, minlength=n_days + 1
    )
    active = np.cumsum(delta)[:n_days]
    after_holiday = np.r_[False, cal.bank_holiday[:-1]] & ~cal.bank_holiday & (cal.weekday < 5)
    lam = (
        active
        * _CONTACT_RATE
        / 1000
        * np.asarray(_CONTACT_WEEKDAY)[cal.weekday]
        * np.asarray(_CONTACT_MONTH)[cal.month - 1]
        * np.where(cal.bank_holiday, _CONTACT_BANK_HOLIDAY, 1.0)
        * np.where(cal.christmas, _CONTACT_CHRISTMAS / _CONTACT_BANK_HOLIDAY, 1.0)
        * np.where(after_holiday, _CONTACT_CATCH_UP, 1.0)
    )
    day = np.repeat(np.arange(n_days), rng.poisson(lam))
    tag = np.where(
        rng.random(day.size) < sum(_CONTACT_TAG_P),
        rng.choice(
            len(CONTACT_TAGS), size=day.size, p=np.asarray(_CONTACT_TAG_P) / sum(_CONTACT_TAG_P)
        ),
        -1,
    )
    incidents = []
    for position, incident_tag, multiplier in _INCIDENTS:
        d = int(position * n_days)
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
    # Who: uniform among accounts open that day (rejection on closed accounts).
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
    day, tag, who = day[keep], tag[keep], who[keep]
    # Customers closing their account often get in touch in the days before.
    closing = np.flatnonzero((cust.close_day < n_days) & has & (rng.random(lo.size) < 0.4))
    closing_day = cust.close_day[closing] - rng.integers(1, 4, closing.size)
    ok = closing_day >= lo[closing]
    day = np.r_[day, closing_day[ok]]
    who = np.r_[who, closing[ok]]
    tag = np.r_[tag, np.full(ok.sum(), CONTACT_TAGS.index("account_closure"))]

    # Channel: phone shut on Sundays and bank holidays, chat and phone shut on Christmas Day.
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


# --- public API ---------------------------------------------------------------------------


def _check(customers: int, start: date, end: date, seed: int) -> None:
    problems = []
    if not isinstance(customers, int) or customers < _MIN_CUSTOMERS:
        problems.append(f"customers={customers!r}: need an int >= {_MIN_CUSTOMERS}")
    if (
        not (isinstance(start, date) and isinstance(end, date))
        or isinstance(start, datetime)
        or isinstance(end, datetime)
    ):
        problems.append(f"start={start!r}, end={end!r}: need datetime.date values")
    elif _month_start(_story_month(end), -_BASELINE_MONTHS) < start:
        problems.append(
            f"start={start}, end={end}: the range must hold {_BASELINE_MONTHS + 1} full "
            "calendar months (the story month and its history)"
        )
    if not isinstance(seed, int) or seed < 0:
        problems.append(f"seed={seed!r}: need a non-negative int")
    if problems:
        msg = "cannot generate sample data: " + "; ".join(problems) + "."
        raise ParameterError(msg)


def sample_data(
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
    progress: bool = False,
) -> SampleData:
    """Generate transactions, customers and contacts with planted stories, in memory.

    Parameters
    ----------
    customers
        Number of customer accounts (at least 2,000 so the planted stories fit).
    start, end
        First and last local (Europe/London) calendar day of the data, inclusive. The range
        must hold seven full months: the *story month* (the last full month) and six before.
    seed
        Seed of the single ``numpy.random.default_rng`` behind every draw.
    progress
        Print short progress lines to stderr.

    Returns
    -------
    SampleData
        ``transactions`` (``transaction_id``, ``customer_id``, ``created_at``,
        ``amount_minor``, ``currency``, ``merchant_id``, ``merchant_name``,
        ``merchant_group_id``, ``merchant_category``, ``merchant_city``, ``is_online``),
        ``customers`` (``customer_id``, ``opened_at``, ``closed_at``, ``home_city``),
        ``contacts`` (``contact_id``, ``customer_id``, ``created_at``, ``channel``, ``tag``,
        ``handle_time_seconds``) and ``truth``, the dictionary written to ``truth.json``.

    Examples
    --------
    >>> from datetime import date
    >>> data = sample_data(customers=2_000, start=date(2025, 1, 1), end=date(2025, 8, 31))
    >>> data.truth["generator"]["story_month"], data.truth["spike"]["date"]
    ('2025-08', '2025-07-22')
    >>> data.customers.height
    2000

    """
    _check(customers, start, end, seed)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    cal = _Calendar.build(start, end)
    story_month = _story_month(end)
    story_end = _month_start(story_month, 1) - timedelta(days=1)
    spike = _spike_date(start, story_end)

    m, brand_group = _build_merchants(rng, customers)
    pools = _Pools.build(m)
    cust = _build_customers(rng, customers, cal)
    _say(progress, started, f"{customers:,} customers, {len(m.name):,} merchants")
    rows = _organic(rng, cust, m, pools, cal)
    _say(progress, started, f"{sum(a.size for a in rows.day):,} organic transactions")
    planted = _plant_stories(
        rng, cust, m, cal, brand_group=brand_group, story_month=story_month, rows=rows
    )
    cinema = brand_group[_CINEMA]
    _plant_spike(rng, cust, m, cal, group=cinema, spike=spike, rows=rows)

    merchants = m.frame()
    customer_ids = _ids("c_", customers, 6)
    transactions = _transactions_frame(rows.stack(), merchants, customer_ids, start)
    _say(progress, started, f"{transactions.height:,} transactions built")

    base = (datetime.combine(start, datetime.min.time()) - _EPOCH) // timedelta(microseconds=1)
    closed = cust.close_day < cal.n_days
    customers_frame = pl.DataFrame(
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
    contacts, incidents = _contacts(rng, cust, cal, customer_ids)
    _say(progress, started, f"{contacts.height:,} contacts built")

    ids = merchants["merchant_id"]
    groups = merchants["merchant_group_id"]

    def entry(item: dict[str, Any]) -> dict[str, Any]:
        i = item["merchant_index"]
        return {
            "month": item["month"],
            "city": item["city"],
            "merchant_id": ids[i],
            "merchant_name": item["merchant_name"],
            "merchant_group_id": groups[i],
        }

    group_id = _ids("g_", m.n_groups, 5)
    rival_a, rival_b = group_id[brand_group[_RIVAL_A]], group_id[brand_group[_RIVAL_B]]
    truth: dict[str, Any] = {
        "generator": {
            "seed": seed,
            "customers": customers,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "tz": TZ,
            "story_month": story_month.strftime("%Y-%m"),
        },
        "rows": {
            "transactions": transactions.height,
            "customers": customers_frame.height,
            "contacts": contacts.height,
        },
        "cities": list(_CITY_NAMES),
        "trending": [entry(x) for x in planted["trending"]],
        "decoys": {
            kind: [entry(x) for x in planted[kind]]
            for kind in ("event_surge", "popular_flat", "tiny", "chain", "new_place")
        },
        "spike": {
            "date": spike.isoformat(),
            "category": "entertainment",
            "merchant_group_id": group_id[cinema],
            "merchant_name": _CINEMA,
            "multiplier": _SPIKE_MULTIPLIER,
            "baseline": (
                "the larger of the group's median local day over the range and the median of "
                "the same weekday in the four weeks either side"
            ),
        },
        "rivals": {
            "merchant_group_ids": [rival_a, rival_b],
            "names": {rival_a: _RIVAL_A, rival_b: _RIVAL_B},
            "favourite_by_city": {
                city: rival_a if city in _SOUTH else rival_b for city in _CITY_NAMES
            },
            "measure": "distinct customers",
        },
        "contacts": {
            "incidents": incidents,
            "weekday_multipliers": list(_CONTACT_WEEKDAY),
            "month_multipliers": list(_CONTACT_MONTH),
            "closed": {"phone": "Sundays and GB bank holidays", "chat": "Christmas Day"},
            "base_rate_per_1000": _CONTACT_RATE,
            "bank_holiday_multiplier": _CONTACT_BANK_HOLIDAY,
            "christmas_multiplier": _CONTACT_CHRISTMAS,
            "catch_up_multiplier": _CONTACT_CATCH_UP,
        },
    }
    return SampleData(transactions, customers_frame, contacts, truth)


def sample_frames(
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
) -> dict[str, pl.DataFrame]:
    """Generate the three sample tables in memory; see :func:`sample_data`.

    Returns
    -------
    dict[str, pl.DataFrame]
        ``transactions``, ``customers`` and ``contacts``.

    """
    return sample_data(customers=customers, start=start, end=end, seed=seed).frames()


def write_sample(
    out_dir: str | Path,
    /,
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
    progress: bool = False,
) -> dict[str, Any]:
    """Generate sample data and write it to ``out_dir``.

    Writes ``transactions/year_month=YYYY-MM/part-0.parquet`` (hive-partitioned by the UTC
    month of ``created_at``; stale ``part-*.parquet`` files there are removed first),
    ``customers.parquet``, ``contacts.parquet`` and ``truth.json``.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing).
    customers, start, end, seed, progress
        As in :func:`sample_data`.

    Returns
    -------
    dict[str, Any]
        The truth dictionary also written to ``truth.json``: keys ``generator``, ``rows``,
        ``cities``, ``trending``, ``decoys``, ``spike``, ``rivals``, ``contacts``.

    """
    started = time.perf_counter()
    data = sample_data(customers=customers, start=start, end=end, seed=seed, progress=progress)
    out = Path(out_dir)
    tx_dir = out / "transactions"
    tx_dir.mkdir(parents=True, exist_ok=True)
    for stale in tx_dir.glob("year_month=*/part-*.parquet"):
        stale.unlink()
    parts = data.transactions.with_columns(
        pl.col("created_at").dt.strftime("%Y-%m").alias("year_month")
    ).partition_by("year_month", as_dict=True, include_key=False, maintain_order=True)
    for (month,), part in sorted(parts.items(), key=lambda kv: str(kv[0][0])):
        folder = tx_dir / f"year_month={month}"
        folder.mkdir(exist_ok=True)
        part.write_parquet(folder / "part-0.parquet")
    data.customers.write_parquet(out / "customers.parquet")
    data.contacts.write_parquet(out / "contacts.parquet")
    (out / "truth.json").write_text(json.dumps(data.truth, indent=2) + "\n", encoding="utf-8")
    _say(progress, started, f"written to {out}")
    return data.truth
