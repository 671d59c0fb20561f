"""Both flagship notebooks rendered by the real runner from the marts of the default sample.

The sample is reduced to marts and the raw folder is then **deleted**: the reports must render
from the marts alone.

What the reports publish must be the stories planted in the sample (``truth.json``): the
planted places top their city's trending list and no decoy trends, the brand-new place is in
"new this month", the cinema spike is found on its day, each city's favourite rival matches,
and the contact forecast beats seasonal naive with calibrated intervals.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from chromium import Browser

from insights.data.sample import write_sample
from insights.reduce.pipeline import write_marts
from insights.reports import RunResult, run_report
from insights.reports.index import write_index

pytestmark = pytest.mark.slow

CATALOGUE = Path(__file__).resolve().parents[2] / "notebooks" / "catalogue.toml"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    raw = tmp_path_factory.mktemp("sample")
    truth = write_sample(raw)  # the default size, as `make run` renders it
    marts = tmp_path_factory.mktemp("marts")
    write_marts(raw, marts)
    shutil.rmtree(raw)  # no raw transaction, contact or customer is left to read
    yield marts, truth


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


def render(name: str, params: dict[str, str], data: Path, out: Path) -> RunResult:
    return run_report(name, params, data=data, out=out, catalogue=CATALOGUE, index=False)


@pytest.fixture(scope="module")
def london(sample: tuple[Path, dict[str, Any]], reports: Path) -> Path:
    data, truth = sample
    month = truth["generator"]["story_month"]
    rivals = ",".join(truth["rivals"]["names"].values())
    params = {"month": month, "city": "London", "rivals": rivals}
    return render("trending_spending", params, data, reports).path


def table(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(folder / f"{name}.parquet")


def test_planted_places_top_their_city(london: Path, sample: tuple[Path, dict[str, Any]]) -> None:
    _, truth = sample
    planted = {t["merchant_id"] for t in truth["trending"] if t["city"] == "London"}
    trending = table(london, "trending")
    assert set(trending["merchant_id"].head(len(planted))) == planted


def test_no_decoy_trends_and_the_new_place_is_new(
    london: Path, sample: tuple[Path, dict[str, Any]]
) -> None:
    _, truth = sample
    decoys = {
        kind: {d["merchant_id"] for d in items if d["city"] == "London"}
        for kind, items in truth["decoys"].items()
    }
    trending = set(table(london, "trending")["merchant_id"])
    for kind, ids in decoys.items():
        assert not ids & trending, f"{kind} decoy trends"
    assert decoys["new_place"] <= set(table(london, "new_places")["merchant_id"])


def test_the_spike_is_found_on_its_day(london: Path, sample: tuple[Path, dict[str, Any]]) -> None:
    _, truth = sample
    spikes = table(london, "spike_days").filter(
        pl.col("merchant_group_id") == truth["spike"]["merchant_group_id"]
    )
    assert truth["spike"]["date"] in {d.isoformat() for d in spikes["day"]}
    assert spikes["brand"][0] == truth["spike"]["merchant_name"]


def test_regional_favourites_match(london: Path, sample: tuple[Path, dict[str, Any]]) -> None:
    _, truth = sample
    favourites = pl.read_csv(london / "favourites.data.csv")  # the data behind the chart
    found = dict(
        favourites.filter(pl.col("favourite")).select("merchant_city", "merchant_group_id").rows()
    )
    assert found == truth["rivals"]["favourite_by_city"]


def test_report_folder_is_complete_and_private(
    london: Path, sample: tuple[Path, dict[str, Any]]
) -> None:
    marts, _ = sample
    manifest = json.loads((london / "manifest.json").read_text())
    assert manifest["status"] == "success"
    # Rendered from the marts alone, fingerprinted with the hashes the reduce recorded; the
    # data folder is named, never its machine path.
    assert manifest["data"]["path"] == marts.name
    read = {Path(f["path"]).parts[0] for f in manifest["data"]["files"]}
    assert read == {"merchant_monthly", "category_daily", "group_daily", "city_monthly"}
    assert manifest["data"]["date_range"] == ["2023-10-01", "2025-09-30"]
    for chart in ("trending_chart", "category_index", "spikes_chart", "favourites"):
        for suffix in (".svg", ".png", "@2x.png", ".data.csv", ".vl.json", ".alt.txt"):
            assert (london / f"{chart}{suffix}").is_file(), f"{chart}{suffix} missing"
    assert (table(london, "trending")["customers"] >= 10).all()


def test_another_city_renders_its_own_planted_places(
    sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    data, truth = sample
    month = truth["generator"]["story_month"]
    folder = render("trending_spending", {"month": month, "city": "Manchester"}, data, reports)
    planted = {t["merchant_id"] for t in truth["trending"] if t["city"] == "Manchester"}
    assert set(table(folder.path, "trending")["merchant_id"].head(len(planted))) == planted


def test_contact_forecast_beats_seasonal_naive_with_calibrated_intervals(
    sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    data, _ = sample
    folder = render("contact_rate_forecast", {"as_of": "2025-08-31"}, data, reports).path
    scores = table(folder, "backtest")
    best = scores.sort("mase").group_by("unique_id", maintain_order=True).first()
    snaive = scores.filter(pl.col("model") == "snaive").select("unique_id", snaive="mase")
    compared = best.join(snaive, on="unique_id")
    assert (compared["mase"] < compared["snaive"]).all()
    assert compared["calibrated_coverage_80"].is_between(0.6, 0.95).all()
    volume = table(folder, "volume_forecast")
    assert volume.null_count().sum_horizontal().item() == 0
    assert set(volume["unique_id"]) == {"chat", "email", "phone"}
    assert (table(folder, "staffing")["peak_agents"] >= 1).all()


def test_a_later_contact_report_scores_the_archived_forecast(
    sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    data, _ = sample
    # the first render is skipped when the test above already published it
    first = render("contact_rate_forecast", {"as_of": "2025-08-31"}, data, reports).path
    archive = reports / "_forecasts" / "contact_rate_forecast"
    assert [p.name for p in archive.glob("*.parquet")] == [f"{first.name}.parquet"]
    later = render("contact_rate_forecast", {"as_of": "2025-09-28"}, data, reports).path
    assert sorted(p.name for p in archive.glob("*.parquet")) == [
        f"{first.name}.parquet",
        f"{later.name}.parquet",
    ]
    tracking = table(later, "forecast_tracking")
    assert set(tracking["unique_id"]) == {"chat", "email", "phone"}
    assert tracking["horizon_week"].unique().sort().to_list() == [1, 2, 3, 4]
    assert (tracking["forecasts"] == 1).all()
    assert tracking["mase"].is_between(0.1, 3.0).all()
    html = (later / "report.html").read_text(encoding="utf-8")
    assert "Of the 1 earlier forecast (made on 31 August 2025)" in html
    assert "No earlier forecast is archived yet" in (first / "report.html").read_text("utf-8")
    assert "Earlier forecasts" in html  # a key figure of the summary once there is one


def test_the_contact_report_reads_for_an_operations_manager(
    sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    data, _ = sample
    # the render of the tests above is reused (an unchanged report is not rendered again)
    folder = render("contact_rate_forecast", {"as_of": "2025-08-31"}, data, reports).path
    page = (folder / "report.html").read_text(encoding="utf-8")
    heading = "Contact rate forecast: all contacts, 1 to 28 September 2025"
    assert f"<title>{heading}</title>" in page
    assert page.count("<h1") == 1
    # the summary comes first, written by the library from the results
    body = page.split('<article class="notebook">', 1)[1]
    assert body.index('class="findings"') < body.index("Contacts so far")
    assert "From 1 to 28 September 2025 we expect about" in body
    for label in ("Contacts expected", "Busiest day", "Most agents at once"):
        assert label in body
    # every chart's alt text is written from its data
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', body)
    assert len(alts) == 6
    assert all(re.search(r"\d", alt) for alt in alts[:5]), alts
    assert not [a for a in alts if "No description" in a]
    # no code words in what a reader sees
    visible = re.sub(r"<(style|svg)\b.*?</\1>|<[^>]+>", " ", body, flags=re.DOTALL)
    for jargon in ("unique_id", "snaive", "stl_ets", "MASE", "PosixPath", " uc "):
        assert jargon not in visible, jargon
    for chart in ("contact_rate_history", "volume_forecast_chart", "staffing_chart"):
        assert (folder / f"{chart}.alt.txt").read_text().strip() in {html.unescape(a) for a in alts}


def test_customer_growth_report_forecasts_both_series(
    sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    data, _ = sample
    # dated as `make run` dates it: the sample opens no account after 2025-08-16
    params = {"as_of": "2025-07-31", "horizon_days": "28"}
    folder = render("customer_growth", params, data, reports).path
    growth = table(folder, "growth_forecast")
    assert growth.group_by("unique_id").len().sort("unique_id").rows() == [
        ("open_accounts", 28),
        ("signups", 28),
    ]
    assert growth.null_count().sum_horizontal().item() == 0
    assert (reports / "_forecasts" / "customer_growth").is_dir()
    # the backtest scores the open-accounts forecast the report publishes, with its coverage
    published = growth.filter(pl.col("unique_id") == "open_accounts")["model"].unique().to_list()
    scores = table(folder, "backtest").filter(pl.col("unique_id") == "open_accounts")
    assert published == ["flows"]
    assert scores.filter(pl.col("model") == "flows")["calibrated_coverage_80"].item() is not None
    assert scores.height > 1  # beside the candidates it is compared with
    # the tables a reader sees name series and methods in words, not the code's columns
    page = (folder / "report.html").read_text()
    for machine in ("Smape", "Rmse", "Mase vs snaive", "Short history", ">Model<", ">Ets<"):
        assert machine not in page, machine
    for machine in (">Stl ets<", ">Flows<", ">Signups<", ">True<", ">False<", ">Channel<"):
        assert machine not in page, machine
    for words in ("Error vs same day last week", ">Sign-ups<", ">Open accounts<", ">Used<"):
        assert words in page, words
    # open accounts are a running sum: with the day's other flow shown (a zero too), their
    # change gives a blanked sign-up or closure count back; neither the table nor the record may
    daily = pl.read_csv(folder / "accounts_daily.csv", try_parse_dates=True)
    net = pl.col("open_accounts") - pl.col("open_accounts").shift(1)
    recovered = daily.select(
        pl.when(pl.col("signups").is_null()).then(net + pl.col("closures")).alias("signups"),
        pl.when(pl.col("closures").is_null()).then(pl.col("signups") - net).alias("closures"),
    )
    assert daily["closures"].null_count() > 0  # the sample has days of 1 to 9 closures
    assert not any(recovered.select(pl.all().is_between(1, 9).any()).row(0)), "a flow given back"
    record = pl.read_parquet(folder / "forecast_record.parquet")
    signup_days = record.filter((pl.col("kind") == "actual") & (pl.col("unique_id") == "signups"))
    shown = daily.filter(pl.col("closures").is_not_null())
    assert signup_days.join(shown, on="ds", how="anti").is_empty()


def test_default_renders_give_no_small_count_back(
    london: Path, sample: tuple[Path, dict[str, Any]], reports: Path
) -> None:
    # issue #11 leaks 1 and 4 on the default renders (the contact one is already published)
    data, _ = sample
    for column in ("customers", "repeat_customers", "baseline_repeat"):
        assert not table(london, "trending")[column].is_between(1, 9).any()
    folder = render("contact_rate_forecast", {"as_of": "2025-08-31"}, data, reports).path
    history = pl.read_csv(folder / "history.csv", try_parse_dates=True)
    # the rate chart draws weekly averages: each drawn week is the mean of its published days
    # only (4 or more), so no suppressed channel-day can be worked back from it
    published = (
        history.filter(pl.col("customers").is_not_null())
        .group_by("unique_id", pl.col("ds").dt.truncate("1w").alias("week"))
        .agg(pl.col("rate").mean(), pl.len().alias("days"))
        .filter(pl.col("days") >= 4)
    )
    chart = (
        pl.read_csv(folder / "contact_rate_history.data.csv", try_parse_dates=True)
        .filter(pl.col("part") == "History")
        .drop_nulls("y")
        .with_columns(pl.col("week").cast(pl.Date))
    )
    drawn = chart.join(published, on=["unique_id", "week"], how="left")
    assert drawn.height > 0
    assert drawn["rate"].null_count() == 0
    assert (drawn["y"] - drawn["rate"]).abs().max() < 1e-6  # type: ignore[operator]
    # the intraday chart publishes the weekday and weekend lines it draws: shares, no count
    profile = pl.read_csv(folder / "intraday_profile.data.csv")
    assert profile.columns == ["unique_id", "day_type", "time", "hour", "share", "pooled"]
    totals = profile.group_by("unique_id", "day_type").agg(pl.col("share").sum())
    assert ((totals["share"] - 1).abs() < 1e-6).all()
    assert json.loads((folder / "manifest.json").read_text())["privacy"]["violations"] == 0


# --- both reports and the index in a real browser, at phone and desktop width -------------

_AUDIT = r"""
(() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth,
               title: document.title, h1: document.querySelectorAll('h1').length,
               headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
                 .map(h => +h.tagName[1]),
               images: [], text: document.body.innerText};
  for (const img of document.querySelectorAll('img')) {
    const shown = img.getBoundingClientRect().width;
    const src = img.currentSrc || img.src;
    const chart = {alt: img.alt, shown, smallest: null};
    if (src.startsWith('data:image/svg+xml;base64,')) {
      // the SVG as drawn: its text sizes times the scale it is shown at
      const doc = new DOMParser().parseFromString(atob(src.split(',')[1]), 'image/svg+xml');
      const natural = parseFloat(doc.documentElement.getAttribute('width'));
      const sizes = [...doc.querySelectorAll('text')].filter(t => t.textContent.trim())
        .map(t => parseFloat(t.getAttribute('font-size') || t.style.fontSize));
      chart.smallest = Math.min(...sizes) * shown / natural;
    }
    out.images.push(chart);
  }
  for (const svg of document.querySelectorAll('svg')) {  // inline SVG, if any
    const box = svg.getBoundingClientRect(), view = svg.viewBox.baseVal;
    const scale = view && view.width ? box.width / view.width : 1;
    const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const label = svg.getAttribute('aria-label') || (svg.querySelector('title') || {}).textContent
      || (svg.querySelector('desc') || {}).textContent || '';
    const smallest = sizes.length ? Math.min(...sizes) : null;
    out.images.push({alt: label, shown: box.width, smallest});
  }
  return out;
})()
"""
_GENERIC_ALT = {"", "chart", "image", "No description has been provided for this image"}


@pytest.fixture(scope="module")
def contact(sample: tuple[Path, dict[str, Any]], reports: Path) -> Path:
    data, _ = sample
    return render("contact_rate_forecast", {"as_of": "2025-08-31"}, data, reports).path


def _audit(browser: Any, page: Path, width: int) -> dict[str, Any]:
    browser.viewport(width, 900)
    browser.goto(page.as_uri())
    audit: dict[str, Any] = browser.evaluate(_AUDIT)
    return audit


def _check_page(audit: dict[str, Any], width: int) -> None:
    where = f"{audit['title']} at {width} px"
    assert audit["overflow"] <= 0, f"{where}: the page scrolls sideways by {audit['overflow']} px"
    assert audit["h1"] == 1, where
    levels = audit["headings"]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels)), (
        f"{where}: headings skip a level: {levels}"
    )
    alts = [image["alt"].strip() for image in audit["images"]]
    assert not [a for a in alts if a in _GENERIC_ALT or len(a) < 40], f"{where}: {alts}"
    assert len(set(alts)) == len(alts), f"{where}: one alt text for several charts"
    small = [(i["alt"][:60], round(i["smallest"], 1)) for i in audit["images"] if i["smallest"]]
    assert small, f"{where}: no chart text measured"
    assert all(size >= 11 for _, size in small), f"{where}: chart text under 11 px: {small}"
    for artefact in ("it/s]", "█", "%|"):  # a tqdm bar left in the page
        assert artefact not in audit["text"], f"{where}: progress bar in the page"


@pytest.mark.browser
def test_reports_and_index_read_on_a_phone_and_a_desktop(
    london: Path, contact: Path, reports: Path, sample: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, truth = sample
    month = date.fromisoformat(truth["generator"]["story_month"] + "-01")
    index = write_index(reports)
    browser = Browser(tmp_path / "chromium")
    try:
        for width in (390, 1280):
            trending = _audit(browser, london / "report.html", width)
            _check_page(trending, width)
            assert trending["title"] == f"Trending spending: London, {month:%B %Y}"
            assert len(trending["images"]) == 4  # trending, categories, spikes, favourites
            forecast = _audit(browser, contact / "report.html", width)
            _check_page(forecast, width)
            # the forecast's scope and window, e.g. "all contacts, 1 to 28 September 2025"
            assert re.fullmatch(r"Contact rate forecast: .+, .*\d{1,2} .*\d{4}", forecast["title"])
            listed = _audit(browser, index, width)
            assert listed["overflow"] <= 0 and listed["h1"] == 1
            assert f"Trending spending: London, {month:%B %Y}" in listed["text"]
    finally:
        browser.close()
    assert not browser.requests_off_machine()
