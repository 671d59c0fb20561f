"""Checks of the options shared by :func:`insights.forecast` and :func:`insights.backtest`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from insights.errors import ParameterError
from insights.forecasting._models import MODELS

__all__ = ["as_levels", "check_options", "check_windows", "model_list"]


def as_levels(level: float | Sequence[float], /) -> tuple[float, ...]:
    """Interval levels as a tuple of percentages: ``80`` → ``(80,)``, ``0.8`` → ``(80.0,)``.

    A single level may be given as a number, and a level of at most 1 as a fraction (no one
    wants a 0.8% interval). Anything else is left to :func:`check_options` to refuse.

    Examples
    --------
    >>> as_levels(0.8), as_levels(95), as_levels((80, 95)), as_levels([0.8, 0.95])
    ((80.0,), (95,), (80, 95), (80.0, 95.0))

    """
    level = _plain(level)
    if isinstance(level, int | float) or not isinstance(level, Iterable) or isinstance(level, str):
        levels: tuple[Any, ...] = (level,)  # a number, or something check_options refuses
    else:
        levels = tuple(map(_plain, level))
    return tuple(
        round(lv * 100, 10) if isinstance(lv, int | float) and 0 < lv <= 1 else lv for lv in levels
    )


def _plain(value: Any, /) -> Any:
    """Return a numpy number as the Python number it holds (``np.int64(80)`` → ``80``)."""
    return value.item() if isinstance(value, np.generic) else value


def check_options(horizon: object, level: Sequence[float], models: str | Sequence[str]) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, Integral) or horizon < 1:
        msg = f"horizon={horizon!r} must be a positive whole number of open days, e.g. 28."
        raise ParameterError(msg)
    numbers = all(isinstance(lv, int | float) and not isinstance(lv, bool) for lv in level)
    if not level or not numbers or any(not 0 < lv < 100 for lv in level):
        msg = f"level={tuple(level)!r}: each level must be a percentage strictly between 0 and 100."
        raise ParameterError(msg)
    if len(set(level)) < len(level):
        msg = (
            f"level={tuple(level)!r}: a level is given twice (0.8 and 80 are both 80%); "
            "give each level once."
        )
        raise ParameterError(msg)
    if not isinstance(models, str | Iterable):
        msg = f"models={models!r}: pass 'auto', a model name or a list of them from {MODELS}."
        raise ParameterError(msg)
    names = [models] if isinstance(models, str) else list(models)
    unknown = [m for m in names if m not in (*MODELS, "auto")]
    if unknown or not names:
        msg = f"models={models!r}: unknown model(s) {unknown}; choose from 'auto' or {MODELS}."
        raise ParameterError(msg)


def check_windows(windows: int, step: int | None, /, *, horizon: int, who: str) -> int:
    """Check the rolling-origin options; return ``step`` (``horizon`` when not given)."""
    step = horizon if step is None else step
    if any(isinstance(v, bool) or not isinstance(v, Integral) or v < 1 for v in (windows, step)):
        msg = f"{who}: windows={windows!r} and step={step!r} must be positive whole numbers."
        raise ParameterError(msg)
    return int(step)


def model_list(models: str | Sequence[str]) -> tuple[str, ...]:
    if models == "auto":
        return MODELS
    if isinstance(models, str):
        return (models,)
    return tuple(MODELS if "auto" in models else models)
