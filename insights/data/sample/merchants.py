"""Sample merchants: chains in every city, online brands and independent places."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import polars as pl

from insights.data.sample.base import (
    _CAT,
    _CITY_NAMES,
    _CITY_P,
    _N_CITIES,
    _ONLINE,
    _SOUTH,
    CATEGORIES,
    CITIES,
    _Array,
    _ids,
)

__all__: list[str] = []


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
# An independent's name is drawn from a small pool; the second and later places nationwide
# with the same name trade as "<name>, <street>" (then "<name>, 2 <street>"...), as real
# independents do: shared names would make them one brand (see insights.chain_groups).
_STREETS = (
    "Church Lane",
    "Mill Road",
    "King Street",
    "Queen Street",
    "Bridge Street",
    "North Road",
    "Victoria Road",
    "Castle Street",
    "Chapel Street",
    "New Road",
    "School Lane",
    "The Green",
    "Albert Road",
    "Green Lane",
    "Manor Road",
    "Water Lane",
    "West Street",
    "George Street",
    "York Road",
    "Mill Lane",
    "Orchard Way",
    "Cross Street",
    "Princes Street",
    "Union Street",
)
_INDEPENDENTS_PER_CUSTOMER = 1 / 20
_MIN_INDEPENDENTS = 300


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
        _distinct_names([str(x) for x in names]),
        list(range(first, first + kind.size)),
        [_CAT[kinds[k]] for k in kind],
        where.tolist(),
        typical.tolist(),
        popularity=rng.lognormal(0.0, 0.8, kind.size).tolist(),
    )
    return m, brand_group


def _distinct_names(names: list[str]) -> list[str]:
    """Give every repeat of a pool name a street, so that no two independents share one."""
    seen: dict[str, int] = {}
    distinct = []
    for name in names:
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k == 0:
            distinct.append(name)
            continue
        lap, street = divmod(k - 1, len(_STREETS))
        distinct.append(f"{name}, {f'{lap + 1} ' if lap else ''}{_STREETS[street]}")
    return distinct


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
