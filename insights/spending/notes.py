"""One sentence per report section saying what it shows, or why it shows nothing.

An empty or suppressed section is a normal result, and a reader should never have to guess
why a table is blank. Each function here builds that sentence from the section's own result
table (and the parameters it was built with), so the words always match the data. Counts in
these sentences are of places, categories, brands or cities, never of people.
(The trending sections' sentences come from :func:`insights.spending.trending.trending_note`
and :func:`insights.spending.new_places.new_places_note`, built on the full ranking funnel.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from insights._common import Month, parse_month
from insights.spending._shared import in_city, month_name, plural

__all__ = [
    "category_index_note",
    "favourites_note",
    "headlines_note",
    "spikes_note",
    "year_on_year_note",
]


def _shift(month: Month, months: int) -> str:
    first = parse_month(month)
    index = first.year * 12 + first.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _a_year_before(month: Month) -> str:
    return month_name(_shift(month, -12))


def _before_data(month: Month, since: date | str | None) -> bool:
    """Whether ``month`` lies before the data's first month ``since``."""
    if since is None:
        return False
    first = since if isinstance(since, date) else parse_month(str(since)[:7])
    return parse_month(month) < first.replace(day=1)


def _data_start(since: date | str) -> str:
    first = since if isinstance(since, date) else parse_month(str(since)[:7])
    return month_name(f"{first:%Y-%m}")


def headlines_note(
    headlines: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    min_customers: int = 10,
    since: date | str | None = None,
) -> str:
    """Say which headline figures are blank and why.

    Parameters
    ----------
    headlines
        :func:`insights.monthly_headlines` output.
    month, city, min_customers
        As given to :func:`insights.monthly_headlines`.
    since
        The data's first month (``"YYYY-MM"`` or a date, e.g. :func:`insights.data_since`):
        a comparison month before it is blank because the data start later, not because too
        few customers paid.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> h = pl.DataFrame(
    ...     {"metric": ["customers"], "this_month": [120], "last_month": [110], "last_year": [None]},
    ...     schema_overrides={"last_year": pl.Int64},
    ... )
    >>> headlines_note(h, month="2025-09", city="Leeds")
    'Customers, payments and spend in Leeds in September 2025. No comparison with September 2024: fewer than 10 customers paid in Leeds then.'

    """  # noqa: E501
    where = in_city(city)
    this = headlines.get_column("this_month").drop_nulls()
    if this.is_empty():
        return (
            f"Fewer than {min_customers} customers paid{where} in {month_name(month)}, so no "
            "headline figure can be published."
        )
    lines = [f"Customers, payments and spend{where} in {month_name(month)}."]
    for column, shift in (("last_month", -1), ("last_year", -12)):
        if headlines.get_column(column).drop_nulls().is_empty():
            then = month_name(_shift(month, shift))
            why = (
                f"the data start in {_data_start(since)}"
                if since is not None and _before_data(_shift(month, shift), since)
                else f"fewer than {min_customers} customers paid{where} then"
            )
            lines.append(f"No comparison with {then}: {why}.")
    return " ".join(lines)


def year_on_year_note(
    year_on_year: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    min_customers: int = 10,
    what: str = "category",
    since: date | str | None = None,
) -> str:
    """Say how many categories are compared with last year, or why none is.

    Parameters
    ----------
    year_on_year
        :func:`insights.year_on_year` output.
    month, city, min_customers
        As given to :func:`insights.year_on_year`.
    since
        The data's first month: if it is after the month a year before, the sentence says the
        data do not reach back that far.
    what
        The noun for one row (``"category"``, ``"brand"``).

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> year_on_year_note(pl.DataFrame({"spend_growth_pct": []}), month="2025-09", city="Leeds")
    'No category in Leeds had 10 or more customers both in September 2025 and in September 2024, so none can be compared with last year.'

    """  # noqa: E501
    where, before = in_city(city), _a_year_before(month)
    if year_on_year.is_empty() and since is not None and _before_data(_shift(month, -12), since):
        return (
            f"No {what}{where} can be compared with last year: the data start in "
            f"{_data_start(since)}, after {before}."
        )
    if year_on_year.is_empty():
        return (
            f"No {what}{where} had {min_customers} or more customers both in {month_name(month)} "
            f"and in {before}, so none can be compared with last year."
        )
    nouns = plural(2, what)[2:]
    grew = int((year_on_year.get_column("spend_growth_pct") > 0).sum())
    return (
        f"{grew:,} of {year_on_year.height:,} {nouns}{where} spent more in {month_name(month)} "
        f"than in {before}; {nouns} with fewer than {min_customers} customers in either month are "
        "left out."
    )


def category_index_note(
    index: pl.DataFrame, /, *, month: Month, city: str | None = None, min_customers: int = 10
) -> str:
    """Say what the category index shows, or why it is empty or has gaps.

    Parameters
    ----------
    index
        :func:`insights.category_index` output (built with ``month``).
    month, city, min_customers
        As given to :func:`insights.category_index`.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> category_index_note(pl.DataFrame({"index": []}), month="2025-09", city="Leeds")
    'No category index for Leeds: the data does not reach back to September 2024, the month the index is measured against.'

    """  # noqa: E501
    where, before = in_city(city), _a_year_before(month)
    if index.is_empty():
        place = f" for {city}" if city else ""
        return (
            f"No category index{place}: the data does not reach back to {before}, the month "
            "the index is measured against."
        )
    shown = index.group_by("merchant_category").agg(pl.col("index").is_not_null().any())
    drawn = int(shown.get_column("index").sum())
    hidden = shown.height - drawn
    if drawn == 0:
        return (
            f"No category{where} had {min_customers} or more customers on enough days to "
            "publish an index."
        )
    gaps = (
        f" {plural(hidden, 'category')} with fewer than {min_customers} customers on every "
        "day left out."
        if hidden
        else ""
    )
    return (
        f"{plural(drawn, 'category')}{where}, indexed to {before} = 100; gaps are days with "
        f"fewer than {min_customers} customers.{gaps}"
    )


def spikes_note(
    spikes: pl.DataFrame, /, *, month: Month, what: str = "brand", min_customers: int = 10
) -> str:
    """Say how many spike days were found this year so far, or that none was.

    Parameters
    ----------
    spikes
        :func:`insights.spending_spikes` output (built with ``month``).
    month
        The report month; the spikes cover its year up to its end.
    what
        The noun for one series (``"brand"``, ``"category"``).
    min_customers
        As given to :func:`insights.spending_spikes`.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> spikes_note(pl.DataFrame({"day": []}), month="2025-09")
    'No brand spent at least double both its previous week and its average day so far in 2025, counting only brands with 10 or more customers a day and payments on most days.'

    """  # noqa: E501
    year = parse_month(month).year
    if spikes.is_empty():
        return (
            f"No {what} spent at least double both its previous week and its average day so "
            f"far in {year}, counting only {what}s with {min_customers} or more customers a day "
            "and payments on most days."
        )
    first = spikes.row(0, named=True)
    key = next(c for c in ("brand", "merchant_group_id", "merchant_category") if c in first)
    return (
        f"{plural(spikes.height, 'spike day')} so far in {year}; the biggest: {first[key]} on "
        f"{first['day']:%-d %B}, +{first['jump_pct']:,.0f}% on its average day so far."
    )


def favourites_note(
    favourites: pl.DataFrame,
    /,
    *,
    month: Month,
    brands: Sequence[str] = (),
    min_customers: int = 10,
) -> str:
    """Say which rivals are compared and in how many cities, or why there is no comparison.

    Parameters
    ----------
    favourites
        :func:`insights.regional_favourites` output.
    month
        The period's month, named in the sentence.
    brands
        The rivals asked for (empty: they were picked automatically).
    min_customers
        As given to :func:`insights.regional_favourites`.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame(
    ...     {"merchant_city": ["Leeds", "Leeds", "York", "York"], "brand": ["A", "B"] * 2,
    ...      "suppressed": [False, False, True, True]}
    ... )
    >>> favourites_note(f, month="2025-09")
    'A and B, the brands in the most cities, compared in 1 city in September 2025; 1 city left out because a brand had fewer than 10 customers there.'

    """  # noqa: E501
    when = month_name(month)
    if favourites.is_empty():
        if brands:
            return f"{' and '.join(brands)} had no in-person customers in any city in {when}."
        return (
            f"No two brands had locations in two or more cities in {when}, so there are no "
            "rivals to compare."
        )
    names = favourites.get_column("brand").unique(maintain_order=True).to_list()
    rivals = ", ".join(names[:-1]) + f" and {names[-1]}"
    how = "" if brands else ", the brands in the most cities,"
    per_city = favourites.group_by("merchant_city").agg(pl.col("suppressed").any())
    hidden = int(per_city.get_column("suppressed").sum())
    shown = per_city.height - hidden
    left_out = (
        f"; {plural(hidden, 'city')} left out because a brand had fewer than {min_customers} "
        "customers there"
        if hidden
        else ""
    )
    if shown == 0:
        return (
            f"{rivals}{how} cannot be compared in any city in {when}: in every city one of "
            f"them had fewer than {min_customers} customers."
        )
    return f"{rivals}{how} compared in {plural(shown, 'city')} in {when}{left_out}."
