"""The opening of the trending-spending report: a summary paragraph and key figures.

Written from the report's own result tables, so the words always match the figures below them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from insights._common import Month, parse_month
from insights.publish.display import Findings
from insights.spending.locale import currency_symbol, minor_per_major

__all__ = ["trending_findings"]


def _change(pct: float | None, versus: str) -> str:
    if pct is None:
        return f"no comparison with {versus}"
    if round(pct) == 0:
        return f"level with {versus}"
    return f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}% on {versus}"


def _metric(headlines: pl.DataFrame, name: str) -> dict[str, Any] | None:
    if "metric" not in headlines.columns:
        return None
    rows = headlines.filter(pl.col("metric") == name).to_dicts()
    return rows[0] if rows and rows[0].get("this_month") is not None else None


def _money(minor: float, currency: str) -> str:
    return f"{currency_symbol(currency)}{minor / minor_per_major(currency):,.0f}"


def _words(code: str) -> str:
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def trending_findings(
    headlines: pl.DataFrame,
    trending: pl.DataFrame,
    year_on_year: pl.DataFrame,
    /,
    *,
    month: Month | date,
    city: str,
    currency: str = "GBP",
) -> Findings:
    """Summarise the month: customers and spend, the top trending place, the growing category.

    Parameters
    ----------
    headlines
        :func:`insights.monthly_headlines` output.
    trending
        :func:`insights.trending_merchants` output (ranked).
    year_on_year
        :func:`insights.year_on_year` output.
    month
        The report's month (``"YYYY-MM"``, ``"YYYY-MM-DD"`` or a date).
    city
        The report's city.
    currency
        ISO 4217 code of the data's money.

    Returns
    -------
    Findings
        A paragraph and up to four key figures; any part without data is left out.

    Examples
    --------
    >>> headlines = pl.DataFrame({
    ...     "metric": ["customers", "spend_minor"], "this_month": [11490, 65789818],
    ...     "change_on_month_pct": [-4.8, -11.7], "change_on_year_pct": [42.8, 44.8]})
    >>> trending = pl.DataFrame({"merchant_name": ["Nori Noodle House"],
    ...     "merchant_category": ["eating_out"], "repeat_customers": [31], "growth": [3.44]})
    >>> yoy = pl.DataFrame({"merchant_category": ["gifts", "fuel"],
    ...                     "spend_growth_pct": [54.6, -3.0]})
    >>> f = trending_findings(headlines, trending, yoy, month="2025-09", city="London")
    >>> print(f.summary)
    In September 2025, 11,490 customers paid £657,898 at places in London: customers down 5% on August and up 43% on September 2024. Nori Noodle House (eating out) leads the trending places with 31 repeat customers, 3.4× what its history and area predict. Gifts spending grew most on last year, up 55%.
    >>> f.figures[0], f.figures[2]
    (('Customers', '11,490', 'down 5% on August'), ('Top trending place', 'Nori Noodle House', '3.4× the repeat customers expected'))

    """  # noqa: E501
    first = parse_month(month) if isinstance(month, str) else month.replace(day=1)
    when = f"{first:%B %Y}"
    previous = f"{(first - timedelta(days=1)):%B}"
    last_year = f"{first.replace(year=first.year - 1):%B %Y}"
    sentences: list[str] = []
    figures: list[tuple[str, str, str]] = []
    customers, spend = _metric(headlines, "customers"), _metric(headlines, "spend_minor")
    if customers is not None:
        count = int(customers["this_month"])
        paid = f" paid {_money(float(spend['this_month']), currency)}" if spend else " paid"
        on_month = _change(customers.get("change_on_month_pct"), previous)
        on_year = _change(customers.get("change_on_year_pct"), last_year)
        sentences.append(
            f"In {when}, {count:,} customers{paid} at places in {city}: "
            f"customers {on_month} and {on_year}."
        )
        figures.append(("Customers", f"{count:,}", on_month))
        if spend is not None:
            figures.append(
                (
                    "Spend",
                    _money(float(spend["this_month"]), currency),
                    _change(spend.get("change_on_year_pct"), last_year),
                )
            )
    else:
        sentences.append(f"No card payments at places in {city} in {when} to summarise.")
    if not trending.is_empty() and {"merchant_name", "growth"} <= set(trending.columns):
        top = trending.row(0, named=True)
        category = (
            f" ({_words(str(top['merchant_category'])).lower()})"
            if top.get("merchant_category")
            else ""
        )
        repeat = top.get("repeat_customers")
        with_repeat = f" with {int(repeat):,} repeat customers," if repeat is not None else ""
        sentences.append(
            f"{top['merchant_name']}{category} leads the trending places{with_repeat} "
            f"{float(top['growth']):.1f}× what its history and area predict."
        )
        figures.append(
            (
                "Top trending place",
                str(top["merchant_name"]),
                f"{float(top['growth']):.1f}× the repeat customers expected",
            )
        )
    else:
        sentences.append(f"No independent place in {city} passed the trending bar this month.")
    growth = (
        year_on_year.drop_nulls("spend_growth_pct").sort("spend_growth_pct", descending=True)
        if "spend_growth_pct" in year_on_year.columns
        else year_on_year.clear()
    )
    if not growth.is_empty() and float(growth["spend_growth_pct"][0]) > 0:
        best = growth.row(0, named=True)
        pct = float(best["spend_growth_pct"])
        name = _words(str(best["merchant_category"]))
        sentences.append(f"{name} spending grew most on last year, up {pct:.0f}%.")
        figures.append(("Fastest-growing category", name, f"spend up {pct:.0f}% on last year"))
    return Findings(summary=" ".join(sentences), figures=tuple(figures))
