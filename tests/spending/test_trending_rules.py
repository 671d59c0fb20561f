"""Property tests of the trending ranking rule (README, "What trending means").

Over generated cities of places, whatever the background:

- with equal baselines, more regulars this month rank higher;
- with equal growth ratios (above 1), more evidence (a bigger baseline behind the same ratio)
  ranks higher;
- no listed place has a null growth, an expected count of 0, a baseline too small to measure
  growth against, or fewer than ``min_customers`` customers or repeat customers.
"""

from __future__ import annotations

import polars as pl
from conftest import history
from hypothesis import given, settings, strategies as st

from insights.spending.trending import trending_merchants

MONTH = "2025-09"
CATEGORIES = ["eating_out", "shopping", "groceries", "entertainment"]

# (category, baseline regulars a month, regulars this month, one-visit customers)
place = st.tuples(
    st.sampled_from(CATEGORIES),
    st.integers(0, 60),
    st.integers(0, 200),
    st.integers(0, 100),
)
background = st.lists(place, min_size=0, max_size=25)


def _place(
    merchant_id: str, baseline: int, now: int, singles: int, category: str, **kw: object
) -> pl.DataFrame:
    # Repeat rate at most 1/2 (singles >= regulars), so probes with rate 1/2 are never
    # penalised as events.
    singles = max(singles, baseline, now)
    return history(
        merchant_id,
        [baseline, baseline, baseline, now],
        customers=[baseline + singles] * 3 + [now + singles],
        merchant_category=category,
        **kw,
    )


def _city(places: list[tuple[str, int, int, int]]) -> list[pl.DataFrame]:
    return [_place(f"bg{k:02d}", b, r, s, category) for k, (category, b, r, s) in enumerate(places)]


def _rank(ranked: pl.DataFrame, merchant_id: str) -> int:
    return int(ranked.filter(pl.col("merchant_id") == merchant_id)["rank"].item())


@settings(max_examples=60, deadline=None)
@given(
    places=background,
    baseline=st.integers(3, 40),
    fewer=st.integers(10, 150),
    more_by=st.integers(1, 100),
    singles=st.integers(0, 60),
)
def test_equal_baselines_more_regulars_rank_higher(
    places: list[tuple[str, int, int, int]], baseline: int, fewer: int, more_by: int, singles: int
) -> None:
    # Both probes in a cell of their own; "z_more" sorts after "a_fewer", so a tie would
    # put the place with fewer regulars first and fail the test.
    monthly = pl.concat(
        [
            *_city(places),
            _place("z_more", baseline, fewer + more_by, singles, "family"),
            _place("a_fewer", baseline, fewer, singles, "family"),
        ]
    )
    everything = trending_merchants(monthly, month=MONTH, top_n=100, min_score=0.0)
    assert _rank(everything, "z_more") < _rank(everything, "a_fewer")
    listed = trending_merchants(monthly, month=MONTH, top_n=100)["merchant_id"].to_list()
    if "a_fewer" in listed:
        assert listed.index("z_more") < listed.index("a_fewer")


@settings(max_examples=60, deadline=None)
@given(
    places=background,
    small=st.integers(5, 30),
    times=st.integers(2, 5),
    ratio=st.sampled_from([2, 3, 4]),
)
def test_equal_ratios_more_evidence_ranks_higher(
    places: list[tuple[str, int, int, int]], small: int, times: int, ratio: int
) -> None:
    # Each probe alone in its category, so its expected count is its baseline and both grow
    # by exactly `ratio`; the bigger one has `times` more regulars behind the same ratio.
    big = small * times
    monthly = pl.concat(
        [
            *_city(places),
            _place("z_big", big, ratio * big, 2 * ratio * big, "family"),
            _place("a_small", small, ratio * small, 2 * ratio * small, "charity"),
        ]
    )
    everything = trending_merchants(monthly, month=MONTH, top_n=100, min_score=0.0)
    assert (
        everything.filter(pl.col("merchant_id").is_in(["z_big", "a_small"]))["growth"].to_list()
        == [float(ratio)] * 2
    )
    assert _rank(everything, "z_big") < _rank(everything, "a_small")


@settings(max_examples=80, deadline=None)
@given(places=background, min_baseline=st.sampled_from([0.5, 1.0, 3.0, 8.0]))
def test_no_listed_place_has_null_growth_or_an_unmeasurable_baseline(
    places: list[tuple[str, int, int, int]], min_baseline: float
) -> None:
    monthly = pl.concat(_city(places) or [_place("only", 5, 20, 20, "family")])
    for min_score in (0.0, 1.0):
        listed = trending_merchants(
            monthly, month=MONTH, top_n=100, min_baseline=min_baseline, min_score=min_score
        )
        assert listed["growth"].null_count() == 0
        assert (listed["expected_repeat"] > 0).all()
        assert (listed["baseline_repeat"] >= min_baseline).all()
        assert (listed["customers"] >= 10).all()
        assert (listed["repeat_customers"] >= 10).all()
        assert (listed["score"] > min_score).all()
