"""Helpers for the warehouse route's tests: where the separate dbt and Airflow tools are.

dbt and Airflow live in their own environments (``make dbt-env`` → ``.dbt/``, ``make
airflow-env`` → ``.airflow/``), never in the project's ``.venv``; the tests run them as
programs. ``make test`` builds both first. Run on their own without them, these tests skip;
under CI (``CI`` set) a missing tool is a failure, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def tool(env: str, name: str) -> Path:
    """Return ``<repo>/<env>/bin/<name>``; skip (locally) or fail (in CI) when it is missing."""
    path = ROOT / env / "bin" / name
    if not path.is_file():
        message = f"{path} is missing: run `make {env.strip('.')}-env` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """Return the environment for a tool: no project virtualenv leaking in, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(extra)
    return env
