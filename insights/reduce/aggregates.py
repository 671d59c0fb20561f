"""The heavy reduce step: transactions to daily and monthly aggregates, on any engine.

Every function here is written once with `narwhals <https://narwhals-dev.github.io/narwhals/>`_,
so the same code reduces a polars ``DataFrame``/``LazyFrame``, a DuckDB relation or a PySpark
``DataFrame``. The result is the same kind of object as the input (a polars ``DataFrame`` in gives
a ``DataFrame`` out, a ``LazyFrame`` gives a ``LazyFrame``, a DuckDB relation a relation, ...).

Conventions shared by every aggregate:

* **Local calendar.** ``created_at`` is stored in UTC; days and months are calendar days in
  ``tz`` (default ``"Europe/London"``), so a payment at 23:30 UTC on 30 September (BST) counts
  on 1 October. DuckDB and Spark keep the time zone in the connection or session rather than in
  the data type; narwhals can only convert to that session time zone, so on those engines set
  it first (``SET TimeZone = 'Europe/London'`` on the DuckDB connection,
  ``spark.conf.set("spark.sql.session.timeZone", "Europe/London")``). A mismatch raises
  :class:`~insights.errors.ParameterError` saying so.
* **Exact money.** Amounts are integer minor units and sums stay ``Int64``.
* **Refunds.** ``spend_minor`` is net spend (payments minus refunds); ``refund_minor`` is the
  refunded amount as a positive number. Refunds are not visits: ``payments``, ``customers`` and
  ``repeat_customers`` count positive amounts only.
* **Counts** are ``Int64`` on every engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar

import narwhals as nw
import polars as pl

from insights._common import DEFAULT_TZ, polars_frame
from insights.errors import ParameterError

__all__ = [
    "MERCHANT_ATTRIBUTES",
    "active_customers_daily",
    "active_customers_rolling",
    "category_daily",
    "city_monthly",
    "group_daily",
    "merchant_daily",
    "merchant_monthly",
    "to_polars",
    "total_monthly",
]

FrameT = TypeVar("FrameT")

#: Columns describing a merchant location, carried through :func:`merchant_daily` and
#: :func:`merchant_monthly`.
MERCHANT_ATTRIBUTES = (
    "merchant_name",
    "merchant_group_id",
    "merchant_category",
    "merchant_city",
    "is_online",
)
_MERCHANT_METRICS = ("spend_minor", "payments", "customers", "repeat_customers", "refund_minor")


# --- small expression helpers -------------------------------------------------------------


def _local_time(tz: str) -> nw.Expr:
    return nw.col("created_at").dt.convert_time_zone(tz)


def _local_day(tz: str) -> nw.Expr:
    return _local_time(tz).dt.date().alias("day")


def _local_month(tz: str) -> nw.Expr:
    # Truncating the local date is cheaper than truncating the zoned timestamp.
    return _local_time(tz).dt.date().dt.truncate("1mo").dt.date().alias("month")


def _payment_flag() -> nw.Expr:
    """1 for a payment (positive amount), 0 for a refund."""
    return (nw.col("amount_minor") > 0).cast(nw.Int64).alias("_payment")


def _refund_amount() -> nw.Expr:
    """Return the refunded amount as a positive number, 0 for a payment."""
    amount = nw.col("amount_minor")
    return nw.when(amount < 0).then(-amount).otherwise(nw.lit(0)).cast(nw.Int64).alias("_refund")


def _count_where(condition: nw.Expr, name: str) -> nw.Expr:
    return condition.cast(nw.Int64).sum().alias(name)


# --- plumbing -----------------------------------------------------------------------------


def _to_lazy(frame: Any, who: str) -> tuple[nw.LazyFrame[Any], bool]:
    """Wrap ``frame`` with narwhals; return it lazy and whether the caller gave an eager frame.

    ``who`` (the function called) is named in the error for anything narwhals cannot read.
    """
    try:
        wrapped = nw.from_native(frame)
    except TypeError as exc:
        msg = (
            f"{who}: expected a polars DataFrame/LazyFrame, a DuckDB relation or a PySpark "
            f"DataFrame; got {type(frame).__name__}."
        )
        raise ParameterError(msg) from exc
    if isinstance(wrapped, nw.DataFrame):
        return wrapped.lazy(), True
    if isinstance(wrapped, nw.LazyFrame):
        return wrapped, False
    msg = f"{who}: expected a frame, got a series ({type(frame).__name__})."
    raise ParameterError(msg)


def _with_local(lazy: nw.LazyFrame[Any], tz: str, *exprs: nw.Expr) -> nw.LazyFrame[Any]:
    """Add ``exprs`` (local calendar columns of ``tz``), teaching the fix where the engine can't."""
    try:
        return lazy.with_columns(*exprs)
    except NotImplementedError as exc:
        msg = (
            f"Cannot convert to the local calendar of tz={tz!r} on this engine: {exc} "
            f"DuckDB and Spark keep the time zone in the connection/session, so set it to {tz!r} "
            f"first (DuckDB: `SET TimeZone = '{tz}'`; Spark: "
            f"`spark.conf.set('spark.sql.session.timeZone', '{tz}')`) or pass that tz."
        )
        raise ParameterError(msg) from exc


def _with_period(lazy: nw.LazyFrame[Any], period: nw.Expr, tz: str) -> nw.LazyFrame[Any]:
    return _with_local(lazy, tz, period, _payment_flag(), _refund_amount())


def _finish(result: nw.LazyFrame[Any], eager: bool, sort_by: list[str] | None) -> Any:
    if sort_by is not None:
        result = result.sort(sort_by)
    return (result.collect() if eager else result).to_native()


def _as_int64(*names: str) -> list[nw.Expr]:
    return [nw.col(name).cast(nw.Int64) for name in names]


def _customer_totals(
    lazy: nw.LazyFrame[Any], keys: list[str], *, repeat: bool
) -> nw.LazyFrame[Any]:
    """Two-stage reduce: per key and customer, then per key."""
    visits = lazy.group_by(*keys, "customer_id").agg(
        nw.col("amount_minor").sum().alias("spend_minor"),
        nw.col("_payment").sum().alias("payments"),
        nw.col("_refund").sum().alias("refund_minor"),
    )
    aggs = [
        nw.col("spend_minor").sum(),
        nw.col("payments").sum(),
        _count_where(nw.col("payments") > 0, "customers"),
    ]
    if repeat:
        aggs += [_count_where(nw.col("payments") >= 2, "repeat_customers")]
        aggs += [nw.col("refund_minor").sum()]
    names = ["spend_minor", "payments", "customers"]
    names += ["repeat_customers", "refund_minor"] if repeat else []
    return visits.group_by(*keys).agg(*aggs).with_columns(*_as_int64(*names))


#: Column order of the headline marts (city_monthly, total_monthly); the others list spend first.
_HEADLINE = ("customers", "payments", "spend_minor")


def _period_totals(
    tx: Any,
    who: str,
    *,
    by: list[str],
    period: Literal["day", "month"],
    tz: str,
    columns: Sequence[str] = ("spend_minor", "payments", "customers"),
) -> Any:
    """Spend, payments and customers per ``by`` and local ``period``: four marts' one shape."""
    lazy, eager = _to_lazy(tx, who)
    keys = [*by, period]
    local = _local_day(tz) if period == "day" else _local_month(tz)
    totals = _customer_totals(_with_period(lazy, local, tz), keys, repeat=False)
    return _finish(totals.select(*keys, *columns), eager, keys)


def _merchant_reduce(tx: Any, period: nw.Expr, period_name: str, tz: str, who: str) -> Any:
    lazy, eager = _to_lazy(tx, who)
    # Reduce on the merchant id alone and join the attributes back: grouping by five more
    # string columns doubles the cost of the reduce.
    totals = _customer_totals(
        _with_period(lazy, period, tz), ["merchant_id", period_name], repeat=True
    )
    attributes = lazy.select("merchant_id", *MERCHANT_ATTRIBUTES).unique(
        ["merchant_id"], keep="any"
    )
    result = totals.join(attributes, on="merchant_id", how="left").select(
        "merchant_id", *MERCHANT_ATTRIBUTES, period_name, *_MERCHANT_METRICS
    )
    return _finish(result, eager, None)


# --- public functions ---------------------------------------------------------------------


def to_polars(frame: Any, /) -> pl.DataFrame:
    """Collect any frame narwhals understands (polars, DuckDB, Spark, ...) into a polars DataFrame.

    Used on small aggregate tables, never on raw transactions.

    Examples
    --------
    >>> to_polars(pl.LazyFrame({"a": [1]})).shape
    (1, 1)

    """
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.split(".")[0] == "pandas":  # its datetime64 days back to dates
        return polars_frame(frame, who="insights")
    wrapped = nw.from_native(frame)
    if isinstance(wrapped, nw.LazyFrame):
        return wrapped.collect(backend="polars").to_native()  # type: ignore[no-any-return]
    if isinstance(wrapped, nw.DataFrame):
        return wrapped.to_polars()
    msg = f"Expected a frame, got {type(frame).__name__}."
    raise ParameterError(msg)


def merchant_daily(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Spend, payments, customers and repeat customers per merchant location and local day.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the day (transactions are stored in UTC).

    Returns
    -------
    Same kind of frame as ``tx``
        ``merchant_id``, ``merchant_name``, ``merchant_group_id``, ``merchant_category``,
        ``merchant_city``, ``is_online``, ``day`` (Date), ``spend_minor`` (net of refunds),
        ``payments``, ``customers`` (distinct payers), ``repeat_customers`` (customers with two
        or more payments that day), ``refund_minor`` (positive). Rows are not sorted (sorting
        millions of rows is left to whoever needs it).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [datetime(2025, 9, 30, 23, 30, tzinfo=timezone.utc)] * 3,
    ...         "amount_minor": [500, 300, -200],
    ...         "merchant_id": "m1",
    ...         "merchant_name": "Kettle",
    ...         "merchant_group_id": "g1",
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...     }
    ... )
    >>> merchant_daily(tx).select(
    ...     "day", "spend_minor", "payments", "repeat_customers", "refund_minor"
    ... )
    shape: (1, 5)
    ┌────────────┬─────────────┬──────────┬──────────────────┬──────────────┐
    │ day        ┆ spend_minor ┆ payments ┆ repeat_customers ┆ refund_minor │
    │ ---        ┆ ---         ┆ ---      ┆ ---              ┆ ---          │
    │ date       ┆ i64         ┆ i64      ┆ i64              ┆ i64          │
    ╞════════════╪═════════════╪══════════╪══════════════════╪══════════════╡
    │ 2025-10-01 ┆ 600         ┆ 2        ┆ 1                ┆ 200          │
    └────────────┴─────────────┴──────────┴──────────────────┴──────────────┘

    """
    result: FrameT = _merchant_reduce(tx, _local_day(tz), "day", tz, "merchant_daily")
    return result


def merchant_monthly(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Spend, payments, customers and repeat customers per merchant location and local month.

    Same columns as :func:`merchant_daily` with ``month`` (Date, first day of the local month)
    in place of ``day``; ``repeat_customers`` counts customers with two or more payments in the
    month.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the month.

    Returns
    -------
    Same kind of frame as ``tx``
        ``merchant_id``, the merchant attributes, ``month``, ``spend_minor``, ``payments``,
        ``customers``, ``repeat_customers``, ``refund_minor``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [
    ...             datetime(2025, 9, 2, 12, tzinfo=timezone.utc),
    ...             datetime(2025, 9, 30, 23, 30, tzinfo=timezone.utc),  # 1 Oct in London
    ...             datetime(2025, 9, 3, 12, tzinfo=timezone.utc),
    ...         ],
    ...         "amount_minor": [500, 300, 200],
    ...         "merchant_id": "m1",
    ...         "merchant_name": "Kettle",
    ...         "merchant_group_id": "g1",
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...     }
    ... )
    >>> merchant_monthly(tx).sort("month").select("month", "customers", "repeat_customers")
    shape: (2, 3)
    ┌────────────┬───────────┬──────────────────┐
    │ month      ┆ customers ┆ repeat_customers │
    │ ---        ┆ ---       ┆ ---              │
    │ date       ┆ i64       ┆ i64              │
    ╞════════════╪═══════════╪══════════════════╡
    │ 2025-09-01 ┆ 2         ┆ 0                │
    │ 2025-10-01 ┆ 1         ┆ 0                │
    └────────────┴───────────┴──────────────────┘

    """
    result: FrameT = _merchant_reduce(tx, _local_month(tz), "month", tz, "merchant_monthly")
    return result


def category_daily(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Spend, payments and customers per spending category, city and local day.

    Online merchants have a null ``merchant_city`` and form their own row per category and day.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    Same kind of frame as ``tx``
        ``merchant_category``, ``merchant_city``, ``day``, ``spend_minor`` (net of refunds),
        ``payments``, ``customers``; sorted by category, city and day.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "b", "b"],
    ...         "created_at": [datetime(2025, 3, 1, 12, tzinfo=timezone.utc)] * 3,
    ...         "amount_minor": [500, 300, 200],
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": ["Leeds", "Leeds", None],
    ...     }
    ... )
    >>> category_daily(tx).select("merchant_city", "spend_minor", "customers")
    shape: (2, 3)
    ┌───────────────┬─────────────┬───────────┐
    │ merchant_city ┆ spend_minor ┆ customers │
    │ ---           ┆ ---         ┆ ---       │
    │ str           ┆ i64         ┆ i64       │
    ╞═══════════════╪═════════════╪═══════════╡
    │ null          ┆ 200         ┆ 1         │
    │ Leeds         ┆ 800         ┆ 2         │
    └───────────────┴─────────────┴───────────┘

    """
    out: FrameT = _period_totals(
        tx, "category_daily", by=["merchant_category", "merchant_city"], period="day", tz=tz
    )
    return out


def group_daily(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Spend, payments and customers per merchant group (brand) and local day.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    Same kind of frame as ``tx``
        ``merchant_group_id``, ``day``, ``spend_minor``, ``payments``, ``customers``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a"],
    ...         "created_at": [datetime(2025, 3, 1, 12, tzinfo=timezone.utc)] * 2,
    ...         "amount_minor": [500, 300],
    ...         "merchant_group_id": "g1",
    ...     }
    ... )
    >>> group_daily(tx).select("spend_minor", "payments", "customers").row(0)
    (800, 2, 1)

    """
    out: FrameT = _period_totals(tx, "group_daily", by=["merchant_group_id"], period="day", tz=tz)
    return out


def city_monthly(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Count customers, payments and spend per merchant city and local month (headlines).

    ``customers`` counts distinct payers per city and month: it is computed here, at this grain,
    because distinct counts do not add up across merchants or days. Online merchants (null
    ``merchant_city``) form one row per month.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the month.

    Returns
    -------
    Same kind of frame as ``tx``
        ``merchant_city``, ``month`` (Date), ``customers``, ``payments``, ``spend_minor`` (net of
        refunds); sorted by city and month.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [datetime(2025, 3, 1, 12, tzinfo=timezone.utc)] * 3,
    ...         "amount_minor": [500, 300, -200],
    ...         "merchant_city": "Leeds",
    ...     }
    ... )
    >>> city_monthly(tx).select("customers", "payments", "spend_minor").row(0)
    (1, 2, 600)

    """
    out: FrameT = _period_totals(
        tx, "city_monthly", by=["merchant_city"], period="month", tz=tz, columns=_HEADLINE
    )
    return out


def total_monthly(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Count customers, payments and spend per local month over every merchant, online too.

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the month.

    Returns
    -------
    Same kind of frame as ``tx``
        ``month`` (Date), ``customers`` (distinct payers), ``payments``, ``spend_minor``;
        sorted by month.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "b"],
    ...         "created_at": [datetime(2025, 3, 1, 12, tzinfo=timezone.utc)] * 2,
    ...         "amount_minor": [500, 300],
    ...     }
    ... )
    >>> total_monthly(tx).select("customers", "payments", "spend_minor").row(0)
    (2, 2, 800)

    """
    out: FrameT = _period_totals(
        tx, "total_monthly", by=[], period="month", tz=tz, columns=_HEADLINE
    )
    return out


def active_customers_daily(tx: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Distinct paying customers per local day (refund-only customers are not active).

    Parameters
    ----------
    tx
        Transactions satisfying ``data_contracts/transactions.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    Same kind of frame as ``tx``
        ``day`` (Date), ``active_customers`` (Int64); days without payments are absent.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [datetime(2025, 3, 1, 12, tzinfo=timezone.utc)] * 3,
    ...         "amount_minor": [500, 300, -200],
    ...     }
    ... )
    >>> active_customers_daily(tx).row(0)
    (datetime.date(2025, 3, 1), 1)

    """
    lazy, eager = _to_lazy(tx, "active_customers_daily")
    payers = (
        _with_period(lazy.filter(nw.col("amount_minor") > 0), _local_day(tz), tz)
        .select("day", "customer_id")
        .unique(["day", "customer_id"])
    )
    result = payers.group_by("day").agg(nw.len().alias("active_customers"))
    out: FrameT = _finish(result.with_columns(*_as_int64("active_customers")), eager, ["day"])
    return out


def active_customers_rolling(daily: pl.DataFrame, /, *, window: int = 7) -> pl.DataFrame:
    """Average daily active customers over the last ``window`` calendar days (rolling mean).

    Days without any payment count as zero active customers (the calendar is filled in), and
    the first ``window - 1`` days, which lack a full window, are null.

    Parameters
    ----------
    daily
        Output of :func:`active_customers_daily` as a polars DataFrame: ``day``,
        ``active_customers``.
    window
        Number of calendar days in the window (at least 1).

    Returns
    -------
    pl.DataFrame
        ``day``, ``active_customers``, ``active_customers_rolling`` (Float64).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> daily = pl.DataFrame(
    ...     {
    ...         "day": [date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 4)],
    ...         "active_customers": [3, 5, 4],
    ...     }
    ... )
    >>> active_customers_rolling(daily, window=2)["active_customers_rolling"].to_list()
    [None, 4.0, 2.5, 2.0]

    """
    if window < 1:
        msg = f"window must be at least 1 day, got {window}."
        raise ParameterError(msg)
    if isinstance(daily, pl.LazyFrame):
        daily = daily.collect()
    if daily.is_empty():
        return daily.with_columns(pl.lit(None, pl.Float64).alias("active_customers_rolling"))
    calendar = daily.select(pl.date_range(pl.col("day").min(), pl.col("day").max(), "1d"))
    filled = calendar.join(daily, on="day", how="left").with_columns(
        pl.col("active_customers").fill_null(0).cast(pl.Int64)
    )
    return filled.with_columns(
        pl.col("active_customers")
        .rolling_mean(window_size=window)
        .alias("active_customers_rolling")
    )
