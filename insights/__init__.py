"""insights: card-spending and customer-contact insights for a bank's data-science team.

Data flows one way: files → :func:`load_transactions` & co. (validated against
``data_contracts/``) → aggregates (the heavy reduce) → small insight tables → charts →
notebooks → rendered reports. Everything a notebook needs is importable from here::

    import insights as ins
    monthly = ins.read_mart("data/marts", "merchant_monthly")  # insights reduce wrote it
    ins.trending_merchants(monthly, month="2025-09", city="London")

The public names are listed once, in ``insights/__init__.pyi``: mypy reads that stub for the
types of ``ins.<name>``, and this module parses it to derive ``__all__`` and to learn which
module defines each name. Names are imported on first use (PEP 562), so ``import insights``
and the ``insights`` command start fast. Functions reached as ``insights.<name>`` take a
pandas frame too and report a missing column by name (:func:`insights._common.friendly`).
The house chart theme is registered by any chart module and by :mod:`insights.publish.theme`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any

__version__ = "0.1.0"


def _read_stub() -> dict[str, str]:
    """Public name -> module defining it, from the ``from <module> import name as name`` lines."""
    tree = ast.parse(Path(__file__).with_suffix(".pyi").read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


#: public name -> module defining it (from the stub: the one listing of the public surface)
_EXPORTS: dict[str, str] = _read_stub()
__all__ = sorted(_EXPORTS)  # noqa: PLE0605

#: old public name -> its name now (the README's "Renamed in this release" table)
_RENAMED: dict[str, str] = {
    "contact_rate": "contacts_per_active",
    "active_customers": "open_accounts",
    "active_series": "open_accounts_series",
    "intraday_forecast": "intraday_volume",
    "staffing": "agents_per_interval",
}

# Charts must show without a network (no CDN): in a Jupyter kernel (JupyterLab, VS Code, report
# runs) importing the theme switches altair to the offline SVG renderer. Elsewhere (the CLI,
# scripts) altair is not imported until a chart is made, so `import insights` stays light.
if "ipykernel" in sys.modules or os.environ.get("INSIGHTS_ALTAIR_RENDERER"):
    importlib.import_module("insights.publish.theme")


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        if name in _RENAMED:
            msg = (
                f"insights.{name} was renamed to insights.{_RENAMED[name]} "
                "(README: 'Renamed in this release')."
            )
            raise AttributeError(msg)
        raise AttributeError(f"module 'insights' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if inspect.isfunction(value):  # pandas converted, column errors that teach
        from insights._common import friendly  # noqa: PLC0415

        value = friendly(value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
