"""The contact report's ``as_of``, from the data when not given.

The report's ``as_of`` defaults to ``None``; :func:`report_as_of` turns it into the last day of
the latest complete week (Monday to Sunday) that both the contacts and the accounts cover, so
the same notebook runs unchanged on any mart folder and forecasts whole weeks. The report
runner resolves the default with the same function, so a rendered report records the date
actually used.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from insights._common import parse_day
from insights.errors import ParameterError
from insights.reduce.marts import read_manifest, read_mart

__all__ = ["latest_complete_week", "report_as_of"]


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


def report_as_of(mart_dir: str | Path, /, *, as_of: date | str | None = None) -> str:
    """Return the contact report's last day of history: ``as_of``, else the data's latest week.

    Parameters
    ----------
    mart_dir
        A mart folder written by ``insights reduce`` (its manifest records the contacts' last
        day; the ``accounts_daily`` mart holds the accounts').
    as_of
        A date (or ``"YYYY-MM-DD"``) returned as given (the report runner checks it against
        the data); ``None`` for :func:`latest_complete_week` of the earlier of the contacts'
        and the accounts' last days (the rate needs both).

    Returns
    -------
    str
        ``"YYYY-MM-DD"``.

    Raises
    ------
    ParameterError
        Not a mart folder, or the marts hold no contacts or no accounts.

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
    folder = Path(mart_dir)
    contacts = read_manifest(folder).get("sources", {}).get("contacts", {}).get("last_day")
    if not contacts:
        raise ParameterError(
            f"the marts in {folder}/ hold no contacts, so there is no date to forecast from; "
            "reduce a data folder with contacts.parquet (`insights reduce DATA_DIR --out "
            "MART_DIR`)"
        )
    accounts = read_mart(folder, "accounts_daily").get_column("day").max()
    if not isinstance(accounts, date):
        raise ParameterError(
            f"the marts in {folder}/ hold no accounts, so no contact rate can be computed; "
            "reduce a data folder with customers.parquet (`insights reduce DATA_DIR --out "
            "MART_DIR`)"
        )
    return latest_complete_week(min(date.fromisoformat(contacts), accounts)).isoformat()
