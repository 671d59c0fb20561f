import math
from fractions import Fraction

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.erlang import agents_needed, agents_per_interval, erlang_c, service_level
from insights.errors import ParameterError


def _erlang_c_textbook(traffic: int, agents: int) -> float:
    """The textbook formula with exact fractions: A^N/N! · N/(N−A) over the full sum."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * Fraction(agents, agents - traffic)
    bottom = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return float(top / bottom)


@pytest.mark.parametrize(("traffic", "agents"), [(1, 2), (10, 12), (10, 14), (48, 55), (90, 100)])
def test_erlang_c_matches_the_textbook_formula(traffic: int, agents: int) -> None:
    assert erlang_c(float(traffic), agents) == pytest.approx(_erlang_c_textbook(traffic, agents))


def test_erlang_c_published_table_values() -> None:
    # the standard worked example (Call Centre Helper, "Erlang C formula – made simple"):
    # 100 calls per 30 minutes, 180 s AHT = 10 Erlangs; P(wait) with 14 agents is 17.4%
    assert erlang_c(10.0, 14) == pytest.approx(0.1741, abs=5e-5)
    assert erlang_c(10.0, 13) == pytest.approx(0.2853, abs=5e-5)


def test_erlang_c_is_one_when_agents_cannot_keep_up() -> None:
    assert erlang_c(10.0, 10) == 1.0
    assert erlang_c(10.0, 3) == 1.0


def test_erlang_c_is_stable_for_large_centres() -> None:
    value = erlang_c(2000.0, 2100)  # A^N/N! alone would overflow a float
    assert 0.001 < value < 0.05  # finite and small, no overflow


def test_service_level_worked_example() -> None:
    assert service_level(10.0, 14, aht_seconds=180, answer_seconds=20) == pytest.approx(
        0.8884, abs=5e-5
    )
    assert service_level(10.0, 13, aht_seconds=180, answer_seconds=20) == pytest.approx(
        0.7956, abs=5e-5
    )


def test_agents_needed_worked_example() -> None:
    # 14 agents on the phones; 30% shrinkage → ⌈14 / 0.7⌉ = 20 scheduled
    kw = {"aht_seconds": 180, "answer_seconds": 20, "max_occupancy": 1.0}
    assert agents_needed(100, shrinkage=0, **kw) == 14
    assert agents_needed(100, shrinkage=0.3, **kw) == 20


def test_agents_needed_48_erlangs() -> None:
    # 360 calls in 30 minutes with 240 s AHT = 48 Erlangs. Computed (and checked against the
    # exact formula above): 54 agents answer 81.7% within 20 s, 53 only 75.2%, 55 give 86.7%.
    assert service_level(48.0, 54, aht_seconds=240, answer_seconds=20) == pytest.approx(
        0.8172, abs=5e-4
    )
    assert (
        agents_needed(360, aht_seconds=240, answer_seconds=20, shrinkage=0, max_occupancy=1) == 54
    )


def test_occupancy_cap_adds_agents() -> None:
    capped = agents_needed(360, aht_seconds=240, answer_seconds=20, shrinkage=0, max_occupancy=0.85)
    assert capped == math.ceil(48 / 0.85)


def test_chat_concurrency_divides_handle_time() -> None:
    chat = agents_needed(200, aht_seconds=600, concurrency=2, shrinkage=0, max_occupancy=1)
    phone = agents_needed(200, aht_seconds=300, shrinkage=0, max_occupancy=1)
    assert chat == phone


def test_staffing_frame() -> None:
    intraday = pl.DataFrame({"interval": ["09:00", "09:30", "03:00"], "mean": [100.0, 360.0, 0.0]})
    out = agents_per_interval(intraday, aht_seconds=180, answer_seconds=20, max_occupancy=1.0)
    expected = intraday.with_columns(
        traffic_erlangs=pl.Series([10.0, 36.0, 0.0]),
        agents=pl.Series([14, 41, 0]),
        agents_with_shrinkage=pl.Series([20, 59, 0]),
    )
    assert_frame_equal(out.select(expected.columns), expected)
    assert out["service_level"][0] == pytest.approx(0.8884, abs=5e-5)
    assert out["occupancy"][0] == pytest.approx(10 / 14)
    assert (out["service_level"] >= 0.8).all()


def test_staffing_upper_bound_column() -> None:
    intraday = pl.DataFrame({"mean": [100.0], "hi_80": [130.0]})
    low = agents_per_interval(intraday, aht_seconds=180)["agents"].item()
    high = agents_per_interval(intraday, aht_seconds=180, column="hi_80")["agents"].item()
    assert high > low


@pytest.mark.parametrize(
    "kwargs",
    [{"shrinkage": 1.0}, {"service_level": 1.2}, {"aht_seconds": 0}, {"max_occupancy": 0}],
)
def test_bad_parameters(kwargs: dict[str, float]) -> None:
    options = {"aht_seconds": 180.0} | kwargs
    with pytest.raises(ParameterError):
        agents_needed(100, **options)  # type: ignore[arg-type]


def test_negative_calls_rejected() -> None:
    with pytest.raises(ParameterError, match="calls"):
        agents_needed(-1, aht_seconds=180)
