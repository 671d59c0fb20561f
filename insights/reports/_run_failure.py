"""The one failure path of a report run (private to :mod:`insights.reports`).

Any step of :func:`insights.reports.runner.run_report` that fails or crashes becomes a
:class:`_Failed` naming the step (:func:`_step`); :func:`_record_failure` files it, redacted
under ``<out>/_failures/`` and in full under ``<out>.private/logs/``. SIGTERM and SIGHUP stop a
run the same way (:func:`_stop_on_signals`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from insights.errors import ParameterError, ReportError
from insights.reports._run_plan import _iso, _now, _Plan
from insights.reports.data import customer_ids
from insights.reports.failures import write_failure

__all__: list[str] = []

_T = TypeVar("_T")


class _Failed(Exception):
    """A step failed: ``summary`` may be published, ``explanation`` is for the operator."""

    def __init__(
        self, summary: str, explanation: str, *, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(explanation)
        self.summary = summary
        self.explanation = explanation
        self.details = dict(details or {})


class _Stopped(BaseException):
    """The runner received SIGTERM or SIGHUP: stop the worker, clean up, record, exit."""


def _step(name: str, run: Callable[[], _T]) -> _T:
    """Run one step; turn any crash in it into a :class:`_Failed` naming the step."""
    try:
        return run()
    except (_Failed, ParameterError):
        raise
    except Exception as exc:
        kind = type(exc).__name__
        raise _Failed(
            f"the {name} step crashed with {kind}; see the private log",
            f"the {name} step crashed with {kind}: {exc}",
            details={"step": name, "traceback": traceback.format_exc()[-8000:]},
        ) from exc


def _record_failure(plan: _Plan, build: Path | None, exc: BaseException) -> ReportError:
    """File the failure (redacted in ``<out>``, in full privately); return the error to raise."""
    if isinstance(exc, _Failed):
        summary, explanation, details = exc.summary, exc.explanation, exc.details
    elif isinstance(exc, _Stopped):
        summary = explanation = f"report {plan.name!r} was stopped: {exc}"
        details = {}
    else:  # pragma: no cover - _step wraps every step
        summary = explanation = f"report {plan.name!r} crashed with {type(exc).__name__}"
        details = {"traceback": "".join(traceback.format_exception(exc))[-8000:]}
    if not summary.startswith("report "):
        summary, explanation = f"report {plan.name!r}: {summary}", f"{explanation}"
    public = {
        "report": plan.name,
        "parameters": plan.shown,
        "cell": details.get("cell"),
        "step": details.get("step"),
        "started_at": _iso(plan.started),
        "failed_at": _iso(_now()),
    }
    private = {k: v for k, v in details.items() if k not in public}
    record = write_failure(
        plan.out,
        name=plan.name,
        slug=plan.slug,
        summary=summary,
        explanation=explanation,
        public=public,
        private=private,
        build=build,
        identifiers=_known_ids(plan),
    )
    return ReportError(
        f"{explanation} The last published report (if any) is unchanged; the full detail "
        f"(executed notebook, log, traceback) is in the private log {record.private}/ and a "
        f"redacted summary in {record.public}/"
    )


def _customer_ids(plan: _Plan) -> frozenset[str]:
    """Return the identifiers the gate looks for: the raw data's, if the run was given it."""
    return customer_ids(plan.source) | customer_ids(plan.data_dir)


def _known_ids(plan: _Plan) -> frozenset[str]:
    """Return the customer ids to redact from a failure record (none if unreadable)."""
    try:
        return _customer_ids(plan)
    except Exception:
        return frozenset()


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """While a run is under way, SIGTERM and SIGHUP stop it cleanly instead of orphaning it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stopped(f"received {signal.Signals(signum).name}")

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
