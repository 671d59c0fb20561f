"""Which published columns count people: declared once, here, by the code that produces them.

The privacy gate and every publishing path (:func:`~insights.publish.tables.publish_table`,
:func:`~insights.publish.charts.publish_chart`, :func:`~insights.publish.display.show`) read
this registry; notebooks declare nothing. A column is one of:

* a **people count** (:data:`PEOPLE_COUNTS`): a value of 1 to ``k - 1`` may not be published.
  Each names the columns of the same row that would give it back (``reveals``: a rate next to
  its denominator, a share next to its total, a growth next to its expectation); those are
  suppressed with it;
* **not people** (:data:`NOT_PEOPLE`): a column whose name looks like a count of people but
  which is not one (a forecast, a count of agents);
* anything else. A column that *looks like* a people count (:func:`looks_like_people`) and is
  in neither list fails the gate until it is declared here.

Two marker columns describe rows: ``suppressed`` names the cells blanked in a row, and
``pooled`` (true or false) marks a row whose count is withheld because it was pooled with its
neighbours (:func:`insights.pool_small_intervals`): its share is an even split of a block
holding at least ``k`` people, so it reveals nothing of the row's own count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "NOT_PEOPLE",
    "PEOPLE_COUNTS",
    "PEOPLE_METRICS",
    "PEOPLE_WORDS",
    "POOLED",
    "SUPPRESSED",
    "PeopleCount",
    "looks_like_people",
    "revealing_columns",
]

#: Marker column added to a published table: the names of the cells suppressed in each row.
SUPPRESSED = "suppressed"
#: Marker column of pooled rows (true: the count is withheld, the shares are a block's average).
POOLED = "pooled"


@dataclass(frozen=True)
class PeopleCount:
    """A column counting people, who produces it, and what in its row would reveal it."""

    column: str
    counts: str
    producers: tuple[str, ...]
    reveals: tuple[str, ...] = ()


PEOPLE_COUNTS: dict[str, PeopleCount] = {
    p.column: p
    for p in (
        PeopleCount(
            "customers",
            "distinct customers",
            (
                "merchant_monthly",
                "trending_merchants",
                "new_merchants",
                "category_index",
                "year_on_year",
                "spending_spikes",
                "regional_favourites",
                "monthly_headlines",
                "contact_rates",
            ),
            reveals=("contacts", "rate", "y", "repeat_rate", "share", "repeat_customers"),
        ),
        PeopleCount(
            "repeat_customers",
            "customers with two or more payments in the month",
            ("merchant_monthly", "trending_merchants", "new_merchants"),
            reveals=("repeat_rate", "growth"),
        ),
        PeopleCount(
            "baseline_repeat",
            "mean repeat customers per baseline month",
            ("trending_merchants",),
            reveals=("expected_repeat", "growth"),
        ),
        PeopleCount(
            "contacts",
            "contacts with support (each made by one customer)",
            ("contact_rates", "channel_profiles", "daily_contacts", "handle_times"),
            reveals=("rate", "share", "y"),
        ),
        PeopleCount(
            "active_customers",
            "accounts open on the day",
            ("contact_rates", "active_customers"),
            reveals=("rate",),
        ),
        PeopleCount(
            "open_accounts",
            "customer accounts open on the day",
            ("daily_accounts",),
        ),
        PeopleCount("signups", "customers who opened an account that day", ("daily_accounts",)),
        PeopleCount("closures", "customers who closed their account that day", ("daily_accounts",)),
        PeopleCount(
            "customers_last_year",
            "distinct customers in the same month last year",
            ("year_on_year",),
            reveals=("customers_growth_pct",),
        ),
    )
}

#: Long tables whose rows are metrics: in a row whose ``metric`` is listed, every number
#: counts (or reveals) people (``monthly_headlines``: this month, last month, last year).
PEOPLE_METRICS: dict[str, frozenset[str]] = {"metric": frozenset({"customers"})}

#: Columns whose names look like people counts but are not: the reason is the declaration.
NOT_PEOPLE: dict[str, str] = {
    "forecast_contacts": "a forecast of contacts, not a count of people",
    "agents": "agents needed (staff), not customers",
    "agents_with_shrinkage": "agents scheduled (staff), not customers",
    "peak_agents": "agents scheduled (staff), not customers",
    "agent_hours": "staff hours",
    "customer_share": "a share of customers between rivals, published only with both counts",
}

_REVEALS = frozenset(r for p in PEOPLE_COUNTS.values() for r in p.reveals)
#: Words that name people (or their contacts): a column named with one, or a number written
#: next to one in prose (alt text), counts people.
PEOPLE_WORDS = (
    r"customers?|people|persons?|users?|accounts?|members?|visitors?|holders?|"
    r"cardholders?|payers?|contacts?|callers?|regulars?|households?|clients?"
)
_PEOPLE_WORDS = re.compile(rf"(^|_)({PEOPLE_WORDS}|repeat)(_|$)", flags=re.IGNORECASE)


def looks_like_people(column: str, /) -> bool:
    """Whether a column's name suggests it counts people (and it is not declared otherwise).

    Examples
    --------
    >>> looks_like_people("new_customers"), looks_like_people("spend_minor")
    (True, False)
    >>> looks_like_people("agents"), looks_like_people("forecast_contacts")
    (False, False)

    """
    if column in NOT_PEOPLE or column in {SUPPRESSED, POOLED} or column in _REVEALS:
        return False
    return bool(_PEOPLE_WORDS.search(column))


def revealing_columns(columns: list[str], /) -> dict[str, list[str]]:
    """For each people count in ``columns``, the columns of the same row that reveal it.

    Examples
    --------
    >>> revealing_columns(["ds", "contacts", "customers", "active_customers", "rate"])
    {'contacts': ['rate'], 'customers': ['contacts', 'rate'], 'active_customers': ['rate']}

    """
    present = set(columns)
    return {
        c: [r for r in PEOPLE_COUNTS[c].reveals if r in present]
        for c in columns
        if c in PEOPLE_COUNTS
    }
