"""One :func:`~insights.reduce.pipeline.write_marts` run (private to :mod:`insights.reduce`).

Which local months changed since the last manifest, and the passes that recompute them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from insights.data.io import check_files
from insights.reduce._passes import (
    _Chunk,
    _file_spans,
    _local_midnight_utc,
    _months_of,
    _next_month,
    _pieces,
    _plan,
)
from insights.reduce._sources import (
    _CONTACT_TYPES,
    _CUSTOMER_TYPES,
    _currencies,
    _file_entry,
    _Inputs,
    _local_day,
    _month_key,
    _scan_table,
    _signature,
    _tx_piece,
)
from insights.reduce._store import _split_months, _Writer
from insights.reduce.aggregates import (
    to_polars,
)
from insights.reduce.contacts import (
    account_events,
    accounts_daily,
)
from insights.reduce.marts import MART_FUNCTIONS, mart
from insights.reduce.partitioned import _collect
from insights.reduce.scan import _parquet_files

__all__: list[str] = []


def _last_day(sources: Mapping[str, Any], inputs: _Inputs, zone: ZoneInfo) -> date | None:
    """Return the last local day any input has data for (the end of ``accounts_daily``)."""
    days = [
        date.fromisoformat(sources[name]["last_day"])
        for name in ("transactions", "contacts")
        if sources.get(name, {}).get("last_day") is not None
    ]
    for name, path in (("transactions", inputs.transactions), ("contacts", inputs.contacts)):
        if path is not None and name not in sources:
            spans = _file_spans(_parquet_files(path)).values()
            days += [_local_day(span.last, zone) for span in spans]
    if inputs.customers is not None:
        files = _parquet_files(inputs.customers)
        latest = (
            pl.scan_parquet([str(f) for f in files])
            .select(pl.max_horizontal(pl.col("opened_at").max(), pl.col("closed_at").max()))
            .collect()
            .item()
        )
        if latest is not None:
            days.append(_local_day(latest, zone))
    return max(days) if days else None


@dataclasses.dataclass
class _Run:
    """The state of one :func:`write_marts` run: what is written, carried and recomputed."""

    writer: _Writer
    old: Mapping[str, Any] | None
    zone: ZoneInfo
    tz: str
    con: Any
    say: Callable[[str], None]
    recomputed: dict[str, list[str]]
    carried: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def transactions(
        self,
        inputs: _Inputs,
        names: list[str],
        *,
        rows_per_pass: int | None,
        split_days: int | None,
    ) -> dict[str, Any]:
        """Recompute the transaction marts of the local months whose files changed."""
        writer, old, carried, recomputed = self.writer, self.old, self.carried, self.recomputed
        zone, tz, con, say = self.zone, self.tz, self.con, self.say
        assert inputs.transactions is not None
        files = _parquet_files(inputs.transactions)
        check_files(files, contract="transactions")
        entries = dict(_file_entry(f, inputs.root) for f in files)
        spans = _file_spans(files)
        rel = {
            f: f.relative_to(inputs.root).as_posix()
            if f.is_relative_to(inputs.root)
            else f.as_posix()
            for f in files
        }
        # Rows per currency, per file (kept from the last run for unchanged files): the
        # report's currency is the most common one; amounts in others are left out.
        old_files = (old or {}).get("sources", {}).get("transactions", {}).get("files", {})
        totals: dict[str, int] = {}
        for f in files:
            entry, before = entries[rel[f]], old_files.get(rel[f], {})
            same = (before.get("bytes"), before.get("footer")) == (entry["bytes"], entry["footer"])
            entry["currencies"] = (
                before["currencies"] if same and "currencies" in before else (_currencies(f))
            )
            for code, n in entry["currencies"].items():
                totals[code] = totals.get(code, 0) + n
        currency = min(totals, key=lambda c: (-totals[c], c)) if totals else "GBP"
        months: dict[date, str] = {}
        for month in sorted(_months_of(spans, zone)):
            start = _local_midnight_utc(month, zone)
            end = _local_midnight_utc(_next_month(month), zone)
            overlapping = sorted(
                rel[f] for f, span in spans.items() if span.first < end and start <= span.last
            )
            parts = [f"{p} {entries[p]['bytes']} {entries[p]['footer']}" for p in overlapping]
            months[month] = _signature([tz, currency, *parts])
        old_months = (old or {}).get("sources", {}).get("transactions", {}).get("months", {})
        old_marts = (old or {}).get("marts", {})
        stale: dict[date, list[str]] = {}
        for month, signature in months.items():
            key = _month_key(month)
            missing = [n for n in names if key not in old_marts.get(n, {}).get("months", {})]
            if old_months.get(key) != signature:
                stale[month] = list(names)
            elif missing:
                stale[month] = missing
            for name in names:
                if name not in stale.get(month, []):
                    carried.setdefault(name, {})[key] = old_marts[name]["months"][key]
        chunks = _plan(
            files,
            zone,
            None if split_days is not None else rows_per_pass,
            spans=spans,
            only=set(stale),
        )
        # Only a mix of currencies needs the filter (and the currency column read).
        keep = currency if len(totals) > 1 else None
        for number, chunk in enumerate(chunks, start=1):
            wanted = [n for n in names if any(n in stale.get(m, []) for m in _chunk_months(chunk))]
            whole = [n for n in wanted if split_days is None or mart(n).period == "month"]
            done: dict[str, pl.DataFrame] = {}
            if con is None and len(whole) > 1:
                # One query plan for the pass's marts: polars reads and decodes the pass's
                # Parquet once for all of them instead of once per mart (9-17% less CPU on the
                # sample, for a higher peak: the pass's columns are held while the marts run).
                queries = [MART_FUNCTIONS[n](_tx_piece(con, chunk, keep), tz=tz) for n in whole]
                done = dict(zip(whole, pl.collect_all(queries), strict=True))
            for name in wanted:
                if name in done:
                    frame = done.pop(name)
                else:
                    days = None if mart(name).period == "month" else split_days
                    frames = [
                        _collect(MART_FUNCTIONS[name](_tx_piece(con, piece, keep), tz=tz))
                        for piece in _pieces(chunk, zone, days)
                    ]
                    frame = frames[0] if len(frames) == 1 else pl.concat(frames)
                by_month = _split_months(frame, mart(name).period)
                for month in _chunk_months(chunk):
                    if name in stale.get(month, []):
                        writer.write(name, month, by_month.get(month))
                        recomputed[name].append(_month_key(month))
            say(f"transactions {chunk.label} ({number}/{len(chunks)}, {len(chunk.files)} files)")
        first = min((s.first for s in spans.values()), default=None)
        last = max((s.last for s in spans.values()), default=None)
        return {
            "files": entries,
            "currency": currency,
            "currencies": dict(sorted(totals.items(), key=lambda item: (-item[1], item[0]))),
            "months": {_month_key(m): s for m, s in sorted(months.items())},
            "first_day": None if first is None else _local_day(first, zone).isoformat(),
            "last_day": None if last is None else _local_day(last, zone).isoformat(),
        }

    def contacts(self, root: Path, path: Path, names: list[str]) -> dict[str, Any]:
        """Recompute the contact marts of the local months whose contacts changed.

        ``contacts.parquet`` is usually one file rewritten every day, so its footer cannot say
        which months changed: each month's signature is a digest of its rows instead (row count
        and the sums of a 64-bit hash of every row's marts columns, read in one pass). Only the
        months whose digest changed are reduced again; the contact marts are month-local (local
        days), so the other months' files are kept as they are.
        """
        zone, tz, con = self.zone, self.tz, self.con
        files = _parquet_files(path)
        check_files(files, contract="contacts")
        month = _local_month_expr("created_at", tz)
        scan = _scan_table(None, files, _CONTACT_TYPES)
        digests = _digests(scan.select(month, _row_hash(list(_CONTACT_TYPES))))
        first, last = (
            scan.select(
                pl.col("created_at").min().alias("first"), pl.col("created_at").max().alias("last")
            )
            .collect()
            .row(0)
        )
        info: dict[str, Any] = {
            "files": dict(_file_entry(f, root) for f in files),
            "months": digests,
            "first_day": None if first is None else _local_day(first, zone).isoformat(),
            "last_day": None if last is None else _local_day(last, zone).isoformat(),
        }
        old_months = (self.old or {}).get("sources", {}).get("contacts", {}).get("months", {})
        stale = self._carry(names, digests, lambda key: old_months.get(key) != digests[key])
        if stale:
            frame = _scan_table(con, files, _CONTACT_TYPES)
            self._reduce_months(frame, names, stale, "contacts")
        return info

    def customers(self, root: Path, path: Path, *, end: date | None) -> dict[str, Any]:
        """Recompute ``accounts_daily`` from the first local month whose accounts changed.

        ``open_accounts`` is a running count, so a change in month *m* (an account opened or
        closed then) changes every day from *m* on: each month's signature is a digest of its
        sign-ups and closures per day, and the months from the earliest changed one (or from the
        last day's month, when the last day moved) to ``end`` are written again. The running
        count needs every account, so the whole file is read; that is one small pass (one row
        per account).
        """
        tz, con = self.tz, self.con
        files = _parquet_files(path)
        check_files(files, contract="customers")
        events = to_polars(account_events(_scan_table(None, files, _CUSTOMER_TYPES), tz=tz))
        if end is not None:
            events = events.filter(pl.col("day") <= end)
        digests = _digests(
            events.lazy().select(
                pl.col("day").dt.truncate("1mo").alias("month"),
                _row_hash(["day", "signups", "closures"]),
            )
        )
        info: dict[str, Any] = {
            "files": dict(_file_entry(f, root) for f in files),
            "months": digests,
            "end": None if end is None else end.isoformat(),
        }
        before = (self.old or {}).get("sources", {}).get("customers", {})
        old_months, old_end = before.get("months", {}), before.get("end")
        changed = [
            key for key in {*digests, *old_months} if old_months.get(key) != digests.get(key)
        ]
        if old_end != info["end"]:
            # Days after the earlier of the two last days were added or removed.
            ends = [e for e in (old_end, info["end"]) if e is not None]
            moved = date.fromisoformat(min(ends)) + timedelta(days=1) if len(ends) == 2 else None
            changed.append("0000-00" if moved is None else _month_key(moved))
        since = min(changed, default=None)
        if old_end is None and before.get("months") is None:
            since = "0000-00"  # nothing recorded: everything
        last_key = None if end is None else _month_key(end)
        months = set(digests) | ({last_key} if last_key is not None else set())
        if months:
            first_key = min(months)
            months |= {_month_key(m) for m in _month_range(first_key, max(months))}
        stale = self._carry(
            ["accounts_daily"],
            {k: "" for k in months},
            lambda key: since is not None and key >= since,
        )
        if stale:
            frame = _scan_table(con, files, _CUSTOMER_TYPES)
            result = accounts_daily(frame, end=end, tz=tz)
            self._write_months(to_polars(result), "accounts_daily", stale, "customers")
        return info

    def _carry(
        self, names: list[str], months: Mapping[str, str], changed: Callable[[str], bool]
    ) -> set[str]:
        """Carry each mart's unchanged months over; return the months to recompute."""
        old_marts = (self.old or {}).get("marts", {})
        stale: set[str] = set()
        for key in months:
            missing = any(key not in old_marts.get(n, {}).get("months", {}) for n in names)
            if changed(key) or missing:
                stale.add(key)
        for name in names:
            self.writer.entries.setdefault(name, {})
            for key in set(months) - stale:
                self.carried.setdefault(name, {})[key] = old_marts[name]["months"][key]
        return stale

    def _reduce_months(self, frame: Any, names: list[str], stale: set[str], source: str) -> None:
        """Reduce the stale local months of a contacts frame and write them."""
        bounds = [
            (_local_midnight_utc(m, self.zone), _local_midnight_utc(_next_month(m), self.zone))
            for m in sorted(date.fromisoformat(f"{key}-01") for key in stale)
        ]
        if self.con is None:
            created = pl.col("created_at")
            keep = pl.any_horizontal([(created >= lo) & (created < hi) for lo, hi in bounds])
            subset = frame.filter(keep)
        else:
            subset = frame.filter(
                " OR ".join(
                    f"(created_at >= TIMESTAMPTZ '{lo.isoformat()}' "
                    f"AND created_at < TIMESTAMPTZ '{hi.isoformat()}')"
                    for lo, hi in bounds
                )
            )
        for name in names:
            result = to_polars(_collect(MART_FUNCTIONS[name](subset, tz=self.tz)))
            self._write_months(result, name, stale, source)

    def _write_months(self, result: pl.DataFrame, name: str, stale: set[str], source: str) -> None:
        parts = _split_months(result, mart(name).period)
        for key in sorted(stale):
            month = date.fromisoformat(f"{key}-01")
            self.writer.write(name, month, parts.get(month))
            self.recomputed[name].append(key)
        self.say(f"{source}: {name} ({len(stale)} month(s) recomputed)")


_HALF = 1 << 32


def _local_month_expr(column: str, tz: str) -> pl.Expr:
    local = pl.col(column).dt.convert_time_zone(tz).dt.date()
    return local.dt.truncate("1mo").alias("month")


def _row_hash(columns: list[str]) -> pl.Expr:
    return pl.struct(columns).hash(seed=0).alias("hash")


def _digests(frame: pl.LazyFrame) -> dict[str, str]:
    """``month`` and ``hash`` per row → a digest of each month's rows (order does not matter).

    The sums of the two 32-bit halves of each row's hash cannot overflow (fewer than 2**32
    rows a month); the polars version is part of the digest, since hashes may change with it.
    """
    halves = frame.group_by("month").agg(
        pl.len().alias("rows"),
        (pl.col("hash") // _HALF).sum().alias("hi"),
        (pl.col("hash") % _HALF).sum().alias("lo"),
    )
    version = pl.__version__
    return {
        _month_key(month): f"{rows}.{hi}.{lo}.{version}"
        for month, rows, hi, lo in halves.collect().sort("month").rows()
        if month is not None
    }


def _month_range(first: str, last: str) -> list[date]:
    month, end, months = date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01"), []
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def _chunk_months(chunk: _Chunk) -> list[date]:
    months, month = [], chunk.month
    while month <= chunk.last:
        months.append(month)
        month = _next_month(month)
    return months
