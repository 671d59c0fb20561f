"""Seeded card data the project did not tune on: a small US data set with awkward corners.

``us_card_data()`` returns transactions satisfying ``data_contracts/transactions.yaml``:

- **US**: amounts in USD cents, local days in ``America/Chicago``, cities named "City, ST".
- **National brands only** in the two larger cities: every brand has a location in each city,
  and every location is its own merchant group (as when franchisees report separately), so
  a brand name stands for several groups.
- **A month where nothing trends**: Chicago's independents keep steady regulars, month after
  month.
- **A thin city**: Springfield, IL has 6 card holders.
- **A brand with a long gap before a burst**: "Liberty Fireworks" sells in January 2024 only,
  then nothing until a burst on 3–4 July 2024.

Nothing here was tuned to make a report look good: the tests assert that every section of the
trending report renders, says why when it is empty, and shows no artefact.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

TZ = "America/Chicago"
START = date(2023, 1, 1)
END = date(2024, 7, 31)
CITIES = {"Chicago, IL": 300, "Peoria, IL": 60, "Springfield, IL": 6}
THIN_CITY = "Springfield, IL"
BRANDS = {  # name: (category, relative popularity)
    "Bean Street Coffee": ("eating_out", 3.0),
    "Shopwell Grocery": ("groceries", 4.0),
    "FuelUp": ("transport", 2.0),
    "Megaplex Cinemas": ("entertainment", 1.0),
    "Corner Pharmacy": ("personal_care", 1.5),
}
INDEPENDENTS = {  # Chicago only: steady regulars, nothing trends
    "Lakeview Diner": "eating_out",
    "Wicker Books": "shopping",
    "Pilsen Taqueria": "eating_out",
    "Loop Barbers": "personal_care",
    "Hyde Park Grocer": "groceries",
    "Logan Records": "shopping",
}
GAP_BRAND = "Liberty Fireworks"
BURST_DAYS = (date(2024, 7, 3), date(2024, 7, 4))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")


def _merchants() -> pl.DataFrame:
    rows = []
    for city in CITIES:
        for brand, (category, weight) in BRANDS.items():
            rows.append((brand, f"g_{_slug(brand)}_{_slug(city)}", category, city, weight))
    for name, category in INDEPENDENTS.items():
        rows.append((name, f"g_{_slug(name)}", category, "Chicago, IL", 1.2))
    return pl.DataFrame(
        rows,
        schema=["merchant_name", "merchant_group_id", "merchant_category", "merchant_city", "w"],
        orient="row",
    ).with_columns(
        pl.concat_str(pl.lit("m_"), pl.col("merchant_group_id").str.slice(2)).alias("merchant_id")
    )


def us_card_data(seed: int = 7) -> pl.DataFrame:
    """Transactions of the small US data set described in the module docstring."""
    rng = np.random.default_rng(seed)
    merchants = _merchants().with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    days = [START + timedelta(days=k) for k in range((END - START).days + 1)]
    frames = []
    customer = 0
    for city, holders in CITIES.items():
        local = merchants.filter(pl.col("merchant_city") == city)
        weights = local["w"].to_numpy()
        rows = local["row"].to_numpy()
        for _ in range(holders):
            customer += 1
            # Each card holder has a few favourite places, visited again and again.
            favourites = rng.choice(local.height, size=3, replace=False, p=weights / weights.sum())
            active = rng.random(len(days)) < 0.35
            visits = np.flatnonzero(active)
            picks = rows[favourites[rng.integers(0, 3, size=len(visits))]]
            frames.append(
                pl.DataFrame(
                    {
                        "customer_id": f"c{customer:05d}",
                        "day": [days[k] for k in visits],
                        "row": picks,
                        "minute": rng.integers(8 * 60, 21 * 60, size=len(visits)),
                        "amount_minor": rng.integers(300, 9000, size=len(visits)),
                    }
                )
            )
    visits = pl.concat(frames).join(merchants, on="row").drop("row", "w")
    gap = _gap_brand(rng, customers=customer)
    tx = pl.concat([visits, gap], how="diagonal_relaxed")
    local_time = pl.col("day").cast(pl.Datetime("us")) + pl.duration(minutes=pl.col("minute"))
    return (
        tx.with_columns(
            local_time.dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .alias("created_at")
        )
        .drop_nulls("created_at")
        .sort("created_at", "customer_id")
        .with_row_index("n")
        .select(
            pl.format("t{}", pl.col("n")).alias("transaction_id"),
            "customer_id",
            "created_at",
            pl.col("amount_minor").cast(pl.Int64),
            pl.lit("USD").alias("currency"),
            "merchant_id",
            "merchant_name",
            "merchant_group_id",
            "merchant_category",
            "merchant_city",
            pl.lit(value=False).alias("is_online"),
        )
    )


def _gap_brand(rng: np.random.Generator, *, customers: int) -> pl.DataFrame:
    """Fireworks in Chicago: January 2024, then silence, then a burst on 3–4 July."""
    january = [date(2024, 1, d) for d in range(1, 32)]
    july = [date(2024, 7, d) for d in range(1, 32)]
    rows = []
    for day in january + july:
        buyers = 60 if day in BURST_DAYS else 12
        for k in rng.choice(customers, size=buyers, replace=False):
            rows.append((f"c{k + 1:05d}", day, int(rng.integers(600, 2000)), 600))
    return pl.DataFrame(
        rows, schema=["customer_id", "day", "amount_minor", "minute"], orient="row"
    ).with_columns(
        pl.lit("m_liberty_fireworks_chicago").alias("merchant_id"),
        pl.lit(GAP_BRAND).alias("merchant_name"),
        pl.lit("g_liberty_fireworks_chicago").alias("merchant_group_id"),
        pl.lit("entertainment").alias("merchant_category"),
        pl.lit("Chicago, IL").alias("merchant_city"),
    )


def write_card_data(tx: pl.DataFrame, out_dir: Path) -> Path:
    """Write ``tx`` as ``out_dir/transactions/year_month=YYYY-MM/part-0.parquet`` (UTC months)."""
    for (month,), part in tx.group_by(
        pl.col("created_at").dt.strftime("%Y-%m"), maintain_order=True
    ):
        folder = out_dir / "transactions" / f"year_month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / "part-0.parquet")
    return out_dir
