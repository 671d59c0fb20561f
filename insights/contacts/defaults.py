"""The contact and customer growth reports' ``as_of``, from the data when not given.

Each report's ``as_of`` defaults to ``None``; :func:`report_as_of` turns it into the last day
of the latest complete week (Monday to Sunday) that its data cover (the contact report: both
the contacts and the accounts; the growth report: the accounts), so the same notebook runs
unchanged on any mart folder and forecasts whole weeks. The report runner resolves the default
with the same function, so a rendered report records the date actually used.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from insights._common import parse_day
from insights.errors import ParameterError
from insights.reduce.marts import read_manifest, read_mart

__all__ = ["latest_complete_week", "report_as_of"]

#: What a report's ``as_of`` must be covered by (the contact rate needs both).
_Source = Literal["contacts", "accounts"]


def latest_complete_week(last_day: date | str, /) -> date:
    """Return the Sunday ending the latest Monday-to-Sunday week that ends by ``last_day``.

    ``last_day`` itself when it is a Sunday; otherwise the Sunday before it (a week the data
    only begins, or a last day extracted mid-day, is left out).

    Parameters
    ----------
    last_day
        The last day the data hold (a date or ``"YYYY-MM-DD"``).

    Returns
    -------
    date
        A Sunday.

    Examples
    --------
    >>> latest_complete_week("2025-09-30")  # a Tuesday
    datetime.date(2025, 9, 28)
    >>> latest_complete_week("2025-09-28")  # a Sunday
    datetime.date(2025, 9, 28)

    """
    day = parse_day(last_day, name="last_day")
    return day - timedelta(days=(day.weekday() + 1) % 7)


def report_as_of(
    mart_dir: str | Path,
    /,
    *,
    as_of: date | str | None = None,
    sources: tuple[_Source, ...] = ("contacts", "accounts"),
) -> str:
    """Return a report's last day of history: ``as_of``, else the data's latest complete week.

    Parameters
    ----------
    mart_dir
        A mart folder written by ``insights reduce`` (its manifest records the contacts' last
        day; the ``accounts_daily`` mart holds the accounts').
    as_of
        A date (or ``"YYYY-MM-DD"``) returned as given (the report runner checks it against
        the data); ``None`` for :func:`latest_complete_week` of the earliest last day of the
        ``sources``.
    sources
        The data the report needs up to ``as_of``: ``("contacts", "accounts")`` for the
        contact report (the rate needs both), ``("accounts",)`` for the customer growth report.

    Returns
    -------
    str
        ``"YYYY-MM-DD"``.

    Raises
    ------
    ParameterError
        Not a mart folder, no sources named, or the marts hold no contacts or no accounts.

    Examples
    --------
    >>> import tempfile
    >>> report_as_of(tempfile.mkdtemp(), as_of="2025-08-31")
    '2025-08-31'
    >>> report_as_of(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: ... is not a mart folder: it has no manifest.json. ...

    """
    if as_of is not None:
        return parse_day(as_of).isoformat()
    if not sources or not set(sources) <= {"contacts", "accounts"}:
        raise ParameterError(
            f"sources={sources!r}: name one or both of 'contacts' and 'accounts' (the data "
            "whose last day bounds the report)"
        )
    folder = Path(mart_dir)
    manifest = read_manifest(folder)  # refuses a folder that is not a mart folder
    last_days: list[date] = []
    if "contacts" in sources:
        contacts = manifest.get("sources", {}).get("contacts", {}).get("last_day")
        if not contacts:
            raise ParameterError(
                f"the marts in {folder}/ hold no contacts, so there is no date to forecast "
                "from; reduce a data folder with contacts.parquet (`insights reduce DATA_DIR "
                "--out MART_DIR`)"
            )
        last_days.append(date.fromisoformat(contacts))
    if "accounts" in sources:
        accounts = read_mart(folder, "accounts_daily").get_column("day").max()
        if not isinstance(accounts, date):
            raise ParameterError(
                f"the marts in {folder}/ hold no accounts, so there is no date to forecast "
                "from; reduce a data folder with customers.parquet (`insights reduce DATA_DIR "
                "--out MART_DIR`)"
            )
        last_days.append(accounts)
    return latest_complete_week(min(last_days)).isoformat()
