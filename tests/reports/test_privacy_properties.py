"""Property: whatever the population, no published table holds a count of 1 to k-1 people.

Hypothesis draws small populations (1 to 30 customers per channel-day, tags that isolate a few
people, places with a handful of regulars), runs the library functions whose tables the two
reports publish, publishes them the way the notebooks do, and checks every file three ways:
directly (no people count in 1..k-1), recoverably (no rate times its denominator, no share of
an interval, no growth times its expectation gives one back) and through the gate itself.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from conftest import history  # the shared helper: consecutive months of one place
from hypothesis import HealthCheck, given, settings, strategies as st

from insights.publish.people import PEOPLE_COUNTS
from insights.publish.tables import publish_table
from insights.reports.privacy import check_privacy
from insights.spending.new_places import new_merchants
from insights.spending.trending import trending_merchants

pytestmark = pytest.mark.slow
K = 10
START = datetime(2025, 6, 2, 8, tzinfo=UTC)  # a Monday
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _small(values: pl.Series) -> pl.Series:
    return (values > 0) & (values < K)


def _assert_no_small_people(frame: pl.DataFrame, where: str) -> None:
    for column in frame.columns:
        if column in PEOPLE_COUNTS:
            values = frame.get_column(column).cast(pl.Float64)
            assert not _small(values).any(), f"{where}: {column} publishes a count under {K}"


@st.composite
def places(draw: st.DrawFn) -> pl.DataFrame:
    """Monthly activity of a few independent places in one city, with few regulars."""
    frames = []
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        repeat = draw(st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4))
        customers = [max(r + draw(st.integers(min_value=0, max_value=30)), 1) for r in repeat]
        frames.append(
            history(
                f"m{number}",
                repeat,
                customers=customers,
                first_month="2025-06",
                merchant_city="Leeds",
            )
        )
    return pl.concat(frames)


@SETTINGS
@given(places())
def test_trending_tables_publish_no_small_count_directly_or_recoverably(
    monthly: pl.DataFrame,
) -> None:
    tables = {
        "trending": trending_merchants(monthly, month="2025-09", city="Leeds", baseline_months=3),
        "new_places": new_merchants(monthly, month="2025-09", city="Leeds", baseline_months=3),
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, table in tables.items():
            publish_table(table, name=name, out_dir=out)
            published = pl.read_parquet(out / f"{name}.parquet")
            _assert_no_small_people(published, name)
            # where a count is hidden, nothing in its row gives it back (repeat_rate x
            # customers, growth x expected_repeat, expected_repeat / cell_movement)
            for hidden, reveals in (
                ("repeat_customers", ("repeat_rate", "growth")),
                ("baseline_repeat", ("expected_repeat", "growth")),
            ):
                if hidden in published.columns:
                    rows = published.filter(pl.col(hidden).is_null())
                    for column in (c for c in reveals if c in published.columns):
                        assert rows.get_column(column).null_count() == rows.height, column
        assert check_privacy(out, customer_ids=frozenset()) == []
