"""insights: card-spending and customer-contact insights for a bank's data-science team.

Data flows one way: files → :func:`load_transactions` & co. (validated against
``data_contracts/``) → aggregates (the heavy reduce) → small insight tables → charts →
notebooks → rendered reports. Everything a notebook needs is importable from here::

    import insights as ins
    tx = ins.load_transactions("data/sample/transactions")
    ins.trending_merchants(tx, month="2025-09", city="London")

Names are imported on first use (PEP 562), so ``import insights`` and the ``insights``
command start fast; the house chart theme is registered by any chart module and by
:mod:`insights.publish.theme`, which this package imports eagerly (it is light without altair
charts being drawn).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insights.contacts.charts import (
        backtest_chart,
        contact_history_chart,
        forecast_chart,
        intraday_profile_chart,
        staffing_chart,
    )
    from insights.contacts.erlang import (
        agents_needed,
        erlang_c,
        service_level,
        staffing,
    )
    from insights.contacts.intraday import (
        interval_profile,
        intraday_forecast,
    )
    from insights.contacts.rates import (
        active_customers,
        active_payers,
        contact_rate,
        contact_volume,
        daily_contacts,
    )
    from insights.contacts.staffing import (
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
    from insights.data.contracts import (
        Contract,
        ValidationReport,
        ValidationResult,
        load_contract,
        validate,
    )
    from insights.data.io import (
        load_contacts,
        load_customers,
        load_table,
        load_transactions,
    )
    from insights.data.sample import (
        sample_data,
        write_sample,
    )
    from insights.errors import (
        ContractError,
        InsightsError,
        InsufficientHistoryError,
        ParameterError,
        ReportError,
    )
    from insights.forecasting.backtesting import (
        backtest,
        backtest_predictions,
    )
    from insights.forecasting.forecaster import (
        forecast,
    )
    from insights.forecasting.regressors import (
        calendar_features,
        holiday_names,
        public_holidays,
    )
    from insights.forecasting.synthetic import (
        synthetic_daily,
    )
    from insights.publish.charts import (
        publish_chart,
    )
    from insights.publish.display import (
        show,
    )
    from insights.reduce.aggregates import (
        active_customers_daily,
        active_customers_rolling,
        category_daily,
        group_daily,
        merchant_daily,
        merchant_monthly,
    )
    from insights.reduce.partitioned import (
        reduce_partitioned,
        scan_transactions,
        write_aggregates,
    )
    from insights.reports import (
        publish_table,
        run_report,
        suppress_small,
    )
    from insights.spending.categories import category_index, year_on_year
    from insights.spending.charts import (
        category_index_chart,
        favourites_chart,
        spikes_chart,
        trending_chart,
    )
    from insights.spending.favourites import regional_favourites
    from insights.spending.headlines import monthly_headlines
    from insights.spending.spikes import spending_spikes
    from insights.spending.trending import (
        chain_groups,
        new_merchants,
        trending_merchants,
    )

#: public name -> module defining it
_EXPORTS: dict[str, str] = {
    "show": "insights.publish.display",
    "reduce_partitioned": "insights.reduce.partitioned",
    "scan_transactions": "insights.reduce.partitioned",
    "write_aggregates": "insights.reduce.partitioned",
    "ContractError": "insights.errors",
    "InsightsError": "insights.errors",
    "InsufficientHistoryError": "insights.errors",
    "ParameterError": "insights.errors",
    "ReportError": "insights.errors",
    "Contract": "insights.data.contracts",
    "ValidationReport": "insights.data.contracts",
    "ValidationResult": "insights.data.contracts",
    "load_contract": "insights.data.contracts",
    "validate": "insights.data.contracts",
    "load_contacts": "insights.data.io",
    "load_customers": "insights.data.io",
    "load_table": "insights.data.io",
    "load_transactions": "insights.data.io",
    "sample_data": "insights.data.sample",
    "write_sample": "insights.data.sample",
    "active_customers_daily": "insights.reduce.aggregates",
    "active_customers_rolling": "insights.reduce.aggregates",
    "category_daily": "insights.reduce.aggregates",
    "group_daily": "insights.reduce.aggregates",
    "merchant_daily": "insights.reduce.aggregates",
    "merchant_monthly": "insights.reduce.aggregates",
    "chain_groups": "insights.spending.trending",
    "new_merchants": "insights.spending.trending",
    "trending_merchants": "insights.spending.trending",
    "category_index": "insights.spending.categories",
    "monthly_headlines": "insights.spending.headlines",
    "regional_favourites": "insights.spending.favourites",
    "spending_spikes": "insights.spending.spikes",
    "year_on_year": "insights.spending.categories",
    "category_index_chart": "insights.spending.charts",
    "favourites_chart": "insights.spending.charts",
    "spikes_chart": "insights.spending.charts",
    "trending_chart": "insights.spending.charts",
    "publish_chart": "insights.publish.charts",
    "publish_table": "insights.reports",
    "run_report": "insights.reports",
    "suppress_small": "insights.reports",
    "calendar_features": "insights.forecasting.regressors",
    "holiday_names": "insights.forecasting.regressors",
    "public_holidays": "insights.forecasting.regressors",
    "forecast": "insights.forecasting.forecaster",
    "synthetic_daily": "insights.forecasting.synthetic",
    "backtest": "insights.forecasting.backtesting",
    "backtest_predictions": "insights.forecasting.backtesting",
    "active_customers": "insights.contacts.rates",
    "active_payers": "insights.contacts.rates",
    "contact_rate": "insights.contacts.rates",
    "contact_volume": "insights.contacts.rates",
    "daily_contacts": "insights.contacts.rates",
    "interval_profile": "insights.contacts.intraday",
    "intraday_forecast": "insights.contacts.intraday",
    "agents_needed": "insights.contacts.erlang",
    "erlang_c": "insights.contacts.erlang",
    "service_level": "insights.contacts.erlang",
    "staffing": "insights.contacts.erlang",
    "backtest_chart": "insights.contacts.charts",
    "contact_history_chart": "insights.contacts.charts",
    "forecast_chart": "insights.contacts.charts",
    "intraday_profile_chart": "insights.contacts.charts",
    "staffing_chart": "insights.contacts.charts",
    "active_series": "insights.contacts.staffing",
    "channel_profiles": "insights.contacts.staffing",
    "contact_rates": "insights.contacts.staffing",
    "daily_staffing": "insights.contacts.staffing",
    "handle_times": "insights.contacts.staffing",
    "intraday_volume": "insights.contacts.staffing",
    "rate_series": "insights.contacts.staffing",
    "staffing_plan": "insights.contacts.staffing",
    "volume_series": "insights.contacts.staffing",
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

# In report runs the runner sets this variable (insights.publish.theme.RENDERER_ENV) so that charts
# render as SVG, offline. Importing the theme then, and only then, keeps `import insights`
# light everywhere else while any notebook that imports insights gets SVG charts.
if os.environ.get("INSIGHTS_ALTAIR_RENDERER"):
    importlib.import_module("insights.publish.theme")


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
