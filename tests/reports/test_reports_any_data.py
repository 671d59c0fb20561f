"""The trending report on data nobody tuned on: every city publishes, every section speaks.

Real papermill renders through the runner, on small seeded data (cheap: a few seconds of
cells each, the rest is the kernel's start):

- every city of a small sample in one month, and every city again in a second month with the
  notebook's cells run in this process (every library call, table, chart export and the
  privacy gate over what they wrote; the kernel, page and publishing steps, which do not
  depend on the city, are left to the renders: 10 renders saved);
- a US data set (``tests/card_data.py``): USD, ``America/Chicago``, national brands whose
  locations are separate merchant groups, a thin city of 6 card holders, a month in which
  nothing trends and a brand that bursts after months of silence.

Each report must publish, say in words why an empty section is empty, and show no artefact
of the data it was tuned on (pounds, "the UK") or of arithmetic on nothing (NaN, inf, a
jump of thousands of percent).
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
import polars as pl
import pytest
from card_data import GAP_BRAND, THIN_CITY, TZ, us_card_data, write_card_data

from insights.data.sample import write_sample
from insights.reduce.pipeline import write_marts
from insights.reports import RunResult, run_report
from insights.reports.privacy import check_privacy

pytestmark = pytest.mark.slow

CATALOGUE = Path(__file__).resolve().parents[2] / "notebooks" / "catalogue.toml"
SAMPLE_CITIES = [
    "London",
    "Manchester",
    "Birmingham",
    "Leeds",
    "Glasgow",
    "Bristol",
    "Edinburgh",
    "Liverpool",
    "Cardiff",
    "Newcastle",
]
SECTIONS = ("Trending places", "New this month", "Category growth", "Spending spikes")


def _for_reports(raw: Path, out: Path, *, tz: str = "Europe/London") -> Path:
    """The mart folder the trending report reads, reduced from ``raw``."""
    write_marts(raw, out, tz=tz)
    return out


def _render(params: dict[str, str], data: Path, out: Path) -> RunResult:
    return run_report(
        "trending_spending", params, data=data, out=out, catalogue=CATALOGUE, index=False
    )


def _text(folder: Path) -> str:
    """The report as a reader sees it: HTML without tags, styles or embedded images."""
    page = (folder / "report.html").read_text(encoding="utf-8")
    page = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(re.sub(r"\s+", " ", page))


def _no_artefacts(text: str) -> None:
    for artefact in ("NaN", " inf ", "the UK", "Traceback"):
        assert artefact not in text, artefact
    # A spike is measured against a real baseline: never thousands of percent on nothing.
    spike = re.findall(r"\+([\d,]+)% on its average day so far", text)
    assert all(int(j.replace(",", "")) < 1000 for j in spike), spike


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("small_sample")
    write_sample(data, customers=2000, start=date(2024, 6, 1))
    return _for_reports(data, tmp_path_factory.mktemp("small_sample_marts"))


@pytest.fixture(scope="module")
def us_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_card_data(us_card_data(), tmp_path_factory.mktemp("us"))


@pytest.fixture(scope="module")
def us_data(us_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _for_reports(us_raw, tmp_path_factory.mktemp("us_marts"), tz=TZ)


def _run_cells(params: dict[str, object], out: Path) -> dict[str, Any]:
    """Run the notebook's code cells here, in order, with ``params`` after its parameters cell."""
    notebook = nbformat.read(CATALOGUE.parent / "trending_spending.ipynb", as_version=4)
    scope: dict[str, Any] = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "trending_spending.ipynb", "exec"), scope)
            if "parameters" in cell.metadata.get("tags", []):
                scope.update(params, output_dir=str(out))
    return scope


@pytest.mark.parametrize("city", SAMPLE_CITIES)
def test_every_city_of_the_sample_publishes_every_section(
    small_sample: Path, tmp_path: Path, city: str
) -> None:
    result = _render({"month": "2025-09", "city": city}, small_sample, tmp_path)
    assert result.status == "published"
    text = _text(result.path)
    for section in SECTIONS:
        assert section in text
    assert re.search(rf"(No place|\d+ places?) in {city} pass", text)
    _no_artefacts(text)


@pytest.mark.parametrize("city", SAMPLE_CITIES)
def test_every_city_in_a_second_month_runs_every_cell_and_passes_the_gate(
    small_sample: Path, tmp_path: Path, city: str
) -> None:
    params = {"month": "2025-06", "city": city, "data_path": str(small_sample)}
    scope = _run_cells(params, tmp_path)
    assert re.search(rf"(No place|\d+ places?) in {city} pass", scope["trending_note"])
    assert (tmp_path / "new_places.csv").is_file()
    assert check_privacy(tmp_path, customer_ids=frozenset()) == []
    written = " ".join(f.read_text(encoding="utf-8") for f in sorted(tmp_path.glob("*.csv")))
    _no_artefacts(f"{scope['trending_note']} {scope['favourites_note']} {written}")


def test_a_us_city_of_national_brands_where_nothing_trends(us_data: Path, tmp_path: Path) -> None:
    # No parameter given: month, city and time zone come from the data, not from the sample
    # (whose 2025-09, London and Europe/London would each be refused here).
    result = _render({}, us_data, tmp_path)
    assert result.slug == "2024-07_chicago-il"
    assert result.manifest["parameters"]["tz"] == TZ
    assert result.notes == (
        f"tz={TZ} (the time zone the marts were reduced in)",
        "month=2024-07 (the latest complete month of the data; pass -p month=... for another)",
        "city=Chicago, IL (the city with the most customers in 2024-07; pass -p city=... for "
        "another)",
    )
    text = _text(result.path)
    assert "Amounts are in USD." in text
    # Each location of a national brand is its own merchant group: the brands are chains by
    # name, and only the independents are weighed.
    assert (
        "No place in Chicago, IL passed the bar in July 2024: 12 places checked; "
        "5 chain locations, 1 too few regulars before"
    ) in text
    assert "£" not in text
    # Two national brands compared by name, though each location is its own merchant group.
    assert "the brands in the most cities, compared in 2 cities in July 2024" in text
    assert "1 city left out because a brand had fewer than 10 customers there" in text
    # The fireworks brand, silent from February to June, bursts in July: no "spike" against
    # the empty months.
    spikes = pl.read_parquet(result.path / "spike_days.parquet")
    assert GAP_BRAND not in spikes.get_column("brand").to_list()
    assert "No brand spent at least double" in text
    _no_artefacts(text)


def test_a_thin_city_says_why_every_section_is_empty(us_raw: Path, tmp_path: Path) -> None:
    # Given the raw folder, the runner checks and reduces it to marts itself, and says so.
    params = {"month": "2024-07", "city": THIN_CITY, "tz": TZ}
    result = _render(params, us_raw, tmp_path)
    assert result.notes[0].startswith(f"{us_raw} is raw data (transactions: ")
    assert (
        f"reduced to marts in {tmp_path.parent / (tmp_path.name + '.private')}" in (result.notes[0])
    )
    assert result.manifest["data"]["path"] == us_raw.name
    text = _text(result.path)
    assert f"Fewer than 10 customers paid in {THIN_CITY} in July 2024" in text
    assert f"No place in {THIN_CITY} passed the bar in July 2024: 5 places checked; 5 chain" in (
        text
    )
    assert f"No new or newly busy place in {THIN_CITY}" in text
    assert f"No category in {THIN_CITY} had 10 or more customers" in text
    headlines = pl.read_parquet(result.path / "headlines.parquet")
    assert headlines.get_column("this_month").null_count() == 3
    _no_artefacts(text)
