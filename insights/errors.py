"""The exception tree of ``insights``.

::

    InsightsError                  base: catch this to catch everything we raise
    ├── ContractError              data broke a rule of a contract in ``data_contracts/``
    ├── InsufficientHistoryError   a series is too short for the requested model or window
    ├── ParameterError             a function or report parameter is invalid (also a ValueError)
    └── ReportError                a notebook failed to render, timed out or broke the privacy gate

    UserWarning
    └── ShortHistoryWarning        a forecast was made from less history than it normally needs

Every message says what failed, where, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ContractError",
    "InsightsError",
    "InsufficientHistoryError",
    "ParameterError",
    "ReportError",
    "ShortHistoryWarning",
]


class InsightsError(Exception):
    """Base class of every error raised on purpose by ``insights``."""


class ContractError(InsightsError):
    """Data does not satisfy its contract.

    Attributes
    ----------
    report
        The :class:`insights.data.validation_report.ValidationReport` with the per-rule
        counts and example rows, or ``None`` where the data could not be read at all.

    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class InsufficientHistoryError(InsightsError):
    """A series has too little history for the requested computation."""


class ParameterError(InsightsError, ValueError):
    """A parameter has the wrong type, an unknown name or a value outside what the data holds."""


class ReportError(InsightsError):
    """A report could not be rendered or published."""


class ShortHistoryWarning(UserWarning):
    """A forecast was made from a short history: simpler models, wider intervals.

    The forecast's ``short_history`` column is true for the series concerned.
    """
