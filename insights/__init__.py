"""insights: card-spending and customer-contact insights for a bank's data-science team.

Data flows one way: files → :func:`load_transactions` & co. (validated against
``data_contracts/``) → aggregates (the heavy reduce) → small insight tables → charts →
notebooks → rendered reports. Everything a notebook needs is importable from here::

    import insights as ins
    tx = ins.load_transactions("data/sample/transactions")
    ins.trending_merchants(tx, month="2025-09", city="London")

Names are imported on first use (PEP 562), so ``import insights`` and the ``insights``
command start fast; the house chart theme is registered by any chart module and by
:mod:`insights.theme`, which this package imports eagerly (it is light without altair
charts being drawn).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insights.aggregates import (
        active_customers_daily,
        active_customers_rolling,
        category_daily,
        group_daily,
        merchant_daily,
        merchant_monthly,
    )
    from insights.backtesting import (
        backtest,
        backtest_predictions,
    )
    from insights.calendar import (
        calendar_features,
        holiday_names,
        public_holidays,
    )
    from insights.charts_contacts import (
        backtest_chart,
        contact_history_chart,
        forecast_chart,
        intraday_profile_chart,
        staffing_chart,
    )
    from insights.charts_spending import (
        category_index_chart,
        favourites_chart,
        spikes_chart,
        trending_chart,
    )
    from insights.contact_report import (
        active_series,
        channel_profiles,
        contact_rates,
        daily_staffing,
        handle_times,
        intraday_volume,
        rate_series,
        staffing_plan,
        volume_series,
    )
    from insights.contacts import (
        active_customers,
        active_payers,
        contact_rate,
        contact_volume,
        daily_contacts,
    )
    from insights.contracts import (
        Contract,
        ValidationReport,
        ValidationResult,
        load_contract,
        validate,
    )
    from insights.display import (
        show,
    )
    from insights.erlang import (
        agents_needed,
        erlang_c,
        service_level,
        staffing,
    )
    from insights.errors import (
        ContractError,
        InsightsError,
        InsufficientHistoryError,
        ParameterError,
        ReportError,
    )
    from insights.export import (
        publish_chart,
    )
    from insights.forecasting import (
        forecast,
        synthetic_daily,
    )
    from insights.intraday import (
        interval_profile,
        intraday_forecast,
    )
    from insights.io import (
        load_contacts,
        load_customers,
        load_table,
        load_transactions,
    )
    from insights.reports import (
        publish_table,
        run_report,
        suppress_small,
    )
    from insights.sample import (
        sample_data,
        write_sample,
    )
    from insights.scale import (
        reduce_partitioned,
        scan_transactions,
        write_aggregates,
    )
    from insights.spending import (
        category_index,
        monthly_headlines,
        regional_favourites,
        spending_spikes,
        year_on_year,
    )
    from insights.trending import (
        chain_groups,
        new_merchants,
        trending_merchants,
    )

#: public name -> module defining it
_EXPORTS: dict[str, str] = {
    "show": "insights.display",
    "reduce_partitioned": "insights.scale",
    "scan_transactions": "insights.scale",
    "write_aggregates": "insights.scale",
    "ContractError": "insights.errors",
    "InsightsError": "insights.errors",
    "InsufficientHistoryError": "insights.errors",
    "ParameterError": "insights.errors",
    "ReportError": "insights.errors",
    "Contract": "insights.contracts",
    "ValidationReport": "insights.contracts",
    "ValidationResult": "insights.contracts",
    "load_contract": "insights.contracts",
    "validate": "insights.contracts",
    "load_contacts": "insights.io",
    "load_customers": "insights.io",
    "load_table": "insights.io",
    "load_transactions": "insights.io",
    "sample_data": "insights.sample",
    "write_sample": "insights.sample",
    "active_customers_daily": "insights.aggregates",
    "active_customers_rolling": "insights.aggregates",
    "category_daily": "insights.aggregates",
    "group_daily": "insights.aggregates",
    "merchant_daily": "insights.aggregates",
    "merchant_monthly": "insights.aggregates",
    "chain_groups": "insights.trending",
    "new_merchants": "insights.trending",
    "trending_merchants": "insights.trending",
    "category_index": "insights.spending",
    "monthly_headlines": "insights.spending",
    "regional_favourites": "insights.spending",
    "spending_spikes": "insights.spending",
    "year_on_year": "insights.spending",
    "category_index_chart": "insights.charts_spending",
    "favourites_chart": "insights.charts_spending",
    "spikes_chart": "insights.charts_spending",
    "trending_chart": "insights.charts_spending",
    "publish_chart": "insights.export",
    "publish_table": "insights.reports",
    "run_report": "insights.reports",
    "suppress_small": "insights.reports",
    "calendar_features": "insights.calendar",
    "holiday_names": "insights.calendar",
    "public_holidays": "insights.calendar",
    "forecast": "insights.forecasting",
    "synthetic_daily": "insights.forecasting",
    "backtest": "insights.backtesting",
    "backtest_predictions": "insights.backtesting",
    "active_customers": "insights.contacts",
    "active_payers": "insights.contacts",
    "contact_rate": "insights.contacts",
    "contact_volume": "insights.contacts",
    "daily_contacts": "insights.contacts",
    "interval_profile": "insights.intraday",
    "intraday_forecast": "insights.intraday",
    "agents_needed": "insights.erlang",
    "erlang_c": "insights.erlang",
    "service_level": "insights.erlang",
    "staffing": "insights.erlang",
    "backtest_chart": "insights.charts_contacts",
    "contact_history_chart": "insights.charts_contacts",
    "forecast_chart": "insights.charts_contacts",
    "intraday_profile_chart": "insights.charts_contacts",
    "staffing_chart": "insights.charts_contacts",
    "active_series": "insights.contact_report",
    "channel_profiles": "insights.contact_report",
    "contact_rates": "insights.contact_report",
    "daily_staffing": "insights.contact_report",
    "handle_times": "insights.contact_report",
    "intraday_volume": "insights.contact_report",
    "rate_series": "insights.contact_report",
    "staffing_plan": "insights.contact_report",
    "volume_series": "insights.contact_report",
}

__all__ = [
    "Contract",
    "ContractError",
    "InsightsError",
    "InsufficientHistoryError",
    "ParameterError",
    "ReportError",
    "ValidationReport",
    "ValidationResult",
    "active_customers",
    "active_customers_daily",
    "active_customers_rolling",
    "active_payers",
    "active_series",
    "agents_needed",
    "backtest",
    "backtest_chart",
    "backtest_predictions",
    "calendar_features",
    "category_daily",
    "category_index",
    "category_index_chart",
    "chain_groups",
    "channel_profiles",
    "contact_history_chart",
    "contact_rate",
    "contact_rates",
    "contact_volume",
    "daily_contacts",
    "daily_staffing",
    "erlang_c",
    "favourites_chart",
    "forecast",
    "forecast_chart",
    "group_daily",
    "handle_times",
    "holiday_names",
    "interval_profile",
    "intraday_forecast",
    "intraday_profile_chart",
    "intraday_volume",
    "load_contacts",
    "load_contract",
    "load_customers",
    "load_table",
    "load_transactions",
    "merchant_daily",
    "merchant_monthly",
    "monthly_headlines",
    "new_merchants",
    "public_holidays",
    "publish_chart",
    "publish_table",
    "rate_series",
    "reduce_partitioned",
    "regional_favourites",
    "run_report",
    "sample_data",
    "scan_transactions",
    "service_level",
    "show",
    "spending_spikes",
    "spikes_chart",
    "staffing",
    "staffing_chart",
    "staffing_plan",
    "suppress_small",
    "synthetic_daily",
    "trending_chart",
    "trending_merchants",
    "validate",
    "volume_series",
    "write_aggregates",
    "write_sample",
    "year_on_year",
]
__version__ = "0.1.0"

# In report runs the runner sets this variable (insights.theme.RENDERER_ENV) so that charts
# render as SVG, offline. Importing the theme then, and only then, keeps `import insights`
# light everywhere else while any notebook that imports insights gets SVG charts.
if os.environ.get("INSIGHTS_ALTAIR_RENDERER"):
    importlib.import_module("insights.theme")


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'insights' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
