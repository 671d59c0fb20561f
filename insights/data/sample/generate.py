"""Generate the sample tables in order, and write them to the data-folder layout."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from insights.data import layout
from insights.data.sample.base import (
    _BASELINE_MONTHS,
    _CITY_NAMES,
    _MIN_CUSTOMERS,
    TZ,
    _Calendar,
    _ids,
    _month_start,
    _say,
    _spike_date,
    _story_month,
)
from insights.data.sample.contacts import (
    _contact_truth,
    _contacts,
)
from insights.data.sample.customers import _build_customers, _customers_frame
from insights.data.sample.merchants import _CINEMA, _build_merchants, _Pools
from insights.data.sample.stories import _plant_spike, _plant_stories, _story_truth
from insights.data.sample.transactions import _organic, _transactions_frame
from insights.errors import ParameterError

__all__ = ["SampleData", "sample_data", "sample_frames", "write_sample"]


@dataclass(frozen=True)
class SampleData:
    """Generated tables and the truth about what was planted in them.

    Attributes
    ----------
    transactions, customers, contacts
        Frames satisfying ``data_contracts/*.yaml``.
    truth
        The planted stories, JSON-serialisable (see :func:`write_sample`).

    """

    transactions: pl.DataFrame
    customers: pl.DataFrame
    contacts: pl.DataFrame
    truth: dict[str, Any]

    def frames(self) -> dict[str, pl.DataFrame]:
        """Return the three tables keyed by name."""
        return {
            "transactions": self.transactions,
            "customers": self.customers,
            "contacts": self.contacts,
        }


def _check(customers: int, start: date, end: date, seed: int) -> None:
    problems = []
    if not isinstance(customers, int) or customers < _MIN_CUSTOMERS:
        problems.append(f"customers={customers!r}: need an int >= {_MIN_CUSTOMERS}")
    if (
        not (isinstance(start, date) and isinstance(end, date))
        or isinstance(start, datetime)
        or isinstance(end, datetime)
    ):
        problems.append(f"start={start!r}, end={end!r}: need datetime.date values")
    elif _month_start(_story_month(end), -_BASELINE_MONTHS) < start:
        problems.append(
            f"start={start}, end={end}: the range must hold {_BASELINE_MONTHS + 1} full "
            "calendar months (the story month and its history)"
        )
    if not isinstance(seed, int) or seed < 0:
        problems.append(f"seed={seed!r}: need a non-negative int")
    if problems:
        msg = "cannot generate sample data: " + "; ".join(problems) + "."
        raise ParameterError(msg)


def sample_data(
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
    progress: bool = False,
) -> SampleData:
    """Generate transactions, customers and contacts with planted stories, in memory.

    Parameters
    ----------
    customers
        Number of customer accounts (at least 2,000 so the planted stories fit).
    start, end
        First and last local (Europe/London) calendar day of the data, inclusive. The range
        must hold seven full months: the *story month* (the last full month) and six before.
    seed
        Seed of the single ``numpy.random.default_rng`` behind every draw.
    progress
        Print short progress lines to stderr.

    Returns
    -------
    SampleData
        ``transactions`` (``transaction_id``, ``customer_id``, ``created_at``,
        ``amount_minor``, ``currency``, ``merchant_id``, ``merchant_name``,
        ``merchant_group_id``, ``merchant_category``, ``merchant_city``, ``is_online``),
        ``customers`` (``customer_id``, ``opened_at``, ``closed_at``, ``home_city``),
        ``contacts`` (``contact_id``, ``customer_id``, ``created_at``, ``channel``, ``tag``,
        ``handle_time_seconds``) and ``truth``, the dictionary written to ``truth.json``.

    Examples
    --------
    >>> from datetime import date
    >>> data = sample_data(customers=2_000, start=date(2025, 1, 1), end=date(2025, 8, 31))
    >>> data.truth["generator"]["story_month"], data.truth["spike"]["date"]
    ('2025-08', '2025-07-22')
    >>> data.customers.height
    2000

    """
    _check(customers, start, end, seed)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)  # every draw below comes from it, in this order
    cal = _Calendar.build(start, end)
    story_month = _story_month(end)
    spike = _spike_date(start, _month_start(story_month, 1) - timedelta(days=1))

    m, brand_group = _build_merchants(rng, customers)
    pools = _Pools.build(m)
    cust = _build_customers(rng, customers, cal)
    _say(progress, started, f"{customers:,} customers, {len(m.name):,} merchants")
    rows = _organic(rng, cust, m, pools, cal)
    _say(progress, started, f"{sum(a.size for a in rows.day):,} organic transactions")
    planted = _plant_stories(
        rng, cust, m, cal, brand_group=brand_group, story_month=story_month, rows=rows
    )
    _plant_spike(rng, cust, m, cal, group=brand_group[_CINEMA], spike=spike, rows=rows)

    merchants = m.frame()
    customer_ids = _ids("c_", customers, 6)
    transactions = _transactions_frame(rows.stack(), merchants, customer_ids, start)
    _say(progress, started, f"{transactions.height:,} transactions built")
    customers_frame = _customers_frame(cust, cal, customer_ids)
    contacts, incidents = _contacts(rng, cust, cal, customer_ids)
    _say(progress, started, f"{contacts.height:,} contacts built")

    truth: dict[str, Any] = {
        "generator": {
            "seed": seed,
            "customers": customers,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "tz": TZ,
            "story_month": story_month.strftime("%Y-%m"),
        },
        "rows": {
            "transactions": transactions.height,
            "customers": customers_frame.height,
            "contacts": contacts.height,
        },
        "cities": list(_CITY_NAMES),
        **_story_truth(planted, merchants, m, brand_group=brand_group, spike=spike),
        "contacts": _contact_truth(incidents),
    }
    return SampleData(transactions, customers_frame, contacts, truth)


def sample_frames(
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
) -> dict[str, pl.DataFrame]:
    """Generate the three sample tables in memory; see :func:`sample_data`.

    Returns
    -------
    dict[str, pl.DataFrame]
        ``transactions``, ``customers`` and ``contacts``.

    """
    return sample_data(customers=customers, start=start, end=end, seed=seed).frames()


def write_sample(
    out_dir: str | Path,
    /,
    *,
    customers: int = 50_000,
    start: date = date(2023, 10, 1),
    end: date = date(2025, 9, 30),
    seed: int = 42,
    progress: bool = False,
) -> dict[str, Any]:
    """Generate sample data and write it to ``out_dir``.

    Writes ``transactions/year_month=YYYY-MM/part-0.parquet`` (hive-partitioned by the UTC
    month of ``created_at``; stale ``part-*.parquet`` files there are removed first),
    ``customers.parquet``, ``contacts.parquet`` and ``truth.json``.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing).
    customers, start, end, seed, progress
        As in :func:`sample_data`.

    Returns
    -------
    dict[str, Any]
        The truth dictionary also written to ``truth.json``: keys ``generator``, ``rows``,
        ``cities``, ``trending``, ``decoys``, ``spike``, ``rivals``, ``contacts``.

    """
    started = time.perf_counter()
    data = sample_data(customers=customers, start=start, end=end, seed=seed, progress=progress)
    out = Path(out_dir)
    tx_dir = layout.transactions_dir(out)
    tx_dir.mkdir(parents=True, exist_ok=True)
    for stale in tx_dir.glob(f"{layout.PARTITION_KEY}=*/part-*.parquet"):
        stale.unlink()
    parts = data.transactions.with_columns(
        pl.col("created_at").dt.strftime("%Y-%m").alias(layout.PARTITION_KEY)
    ).partition_by(layout.PARTITION_KEY, as_dict=True, include_key=False, maintain_order=True)
    for (month,), part in sorted(parts.items(), key=lambda kv: str(kv[0][0])):
        folder = layout.month_dir(out, str(month))
        folder.mkdir(exist_ok=True)
        part.write_parquet(folder / "part-0.parquet")
    data.customers.write_parquet(layout.customers_path(out))
    data.contacts.write_parquet(layout.contacts_path(out))
    truth = json.dumps(data.truth, indent=2) + "\n"
    (out / layout.TRUTH_FILE).write_text(truth, encoding="utf-8")
    _say(progress, started, f"written to {out}")
    return data.truth
