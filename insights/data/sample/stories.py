"""The planted stories: trending places and their decoys, and the cinema spike."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from insights.data.sample.base import (
    _BASELINE_MONTHS,
    _CITY_NAMES,
    _HOURS,
    _MIN_CUSTOMERS,
    _N_CITIES,
    _SOUTH,
    _Array,
    _Calendar,
    _draw_hours,
    _ids,
    _month_start,
)
from insights.data.sample.customers import _Customers
from insights.data.sample.merchants import (
    _CINEMA,
    _PLANTED_CHAIN,
    _RIVAL_A,
    _RIVAL_B,
    _Merchants,
)
from insights.data.sample.transactions import _amounts, _Rows
from insights.errors import ParameterError

__all__: list[str] = []


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
            merchant, name = _story_merchant(m, story, city, chain_group, used_names)
            people = rng.permutation(eligible)
            r, n = story.regulars, story.new_regulars
            crowd = _Crowd(people[:r], people[r : r + n], people[r + n :])
            for month in months if story.baseline else months[-1:]:
                _add_month_of_visits(
                    rng,
                    m,
                    cal,
                    story=story,
                    merchant=merchant,
                    crowd=crowd,
                    month=month,
                    in_story=month == story_month,
                    rows=rows,
                )
            planted.setdefault(story.kind, []).append(
                {
                    "month": story_month.strftime("%Y-%m"),
                    "city": _CITY_NAMES[city],
                    "merchant_index": merchant,
                    "merchant_name": name,
                }
            )
    return planted


@dataclass(frozen=True)
class _Crowd:
    """The customers of one planted place: regulars, story-month newcomers, everyone else."""

    regulars: _Array
    newcomers: _Array
    others: _Array


def _story_merchant(
    m: _Merchants, story: _Story, city: int, chain_group: int, used_names: dict[str, int]
) -> tuple[int, str]:
    """Add the planted place (a new independent, or a location of the planted chain)."""
    if story.kind == "chain":
        name, group = _PLANTED_CHAIN, chain_group
    else:
        i = used_names.get(story.names[0], 0)
        used_names[story.names[0]] = i + 1
        name, group = story.names[i % len(story.names)], m.n_groups
    added = m.add([name], [group], "eating_out", [city], [story.typical_pence], popularity=[0.0])
    return int(added[0]), name


def _add_month_of_visits(
    rng: np.random.Generator,
    m: _Merchants,
    cal: _Calendar,
    *,
    story: _Story,
    merchant: int,
    crowd: _Crowd,
    month: date,
    in_story: bool,
    rows: _Rows,
) -> None:
    """Add one month of a planted place's visits: regulars, newcomers and one-visit customers."""
    m_lo = cal.index(month)
    m_len = cal.index(_month_start(month, 1)) - m_lo
    visitors = [crowd.regulars]
    low, high = story.regular_visits
    visits = [rng.integers(low, high + 1, crowd.regulars.size)]
    if in_story:
        visitors.append(crowd.newcomers)
        lo_v, hi_v = story.new_regular_visits
        visits.append(rng.integers(lo_v, hi_v + 1, crowd.newcomers.size))
    singles = story.story_singles if in_story else story.singles
    singles = int(rng.poisson(singles)) if singles > 8 else singles
    single = rng.choice(crowd.others, size=min(singles, crowd.others.size), replace=False)
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


def _story_truth(
    planted: dict[str, list[dict[str, Any]]],
    merchants: pl.DataFrame,
    m: _Merchants,
    *,
    brand_group: dict[str, int],
    spike: date,
) -> dict[str, Any]:
    """Return the ``trending``, ``decoys``, ``spike`` and ``rivals`` entries of the truth."""
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
    return {
        "trending": [entry(x) for x in planted["trending"]],
        "decoys": {
            kind: [entry(x) for x in planted[kind]]
            for kind in ("event_surge", "popular_flat", "tiny", "chain", "new_place")
        },
        "spike": {
            "date": spike.isoformat(),
            "category": "entertainment",
            "merchant_group_id": group_id[brand_group[_CINEMA]],
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
    }
