"""The warehouse route's fixture: one generated sample shared by the dbt and Airflow tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from insights.data.sample import write_sample

# Smaller than the default sample (50,000 customers) to keep CI cheap; same generator, every
# month, city, channel and time-zone edge of the default one.
SAMPLE_CUSTOMERS = 10_000


@pytest.fixture(scope="session")
def warehouse_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A generated raw data folder (transactions/, customers.parquet, contacts.parquet)."""
    data = tmp_path_factory.mktemp("warehouse_sample")
    write_sample(data, customers=SAMPLE_CUSTOMERS)
    yield data
    shutil.rmtree(data, ignore_errors=True)
