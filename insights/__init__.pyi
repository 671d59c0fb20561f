# The public surface of `import insights as ins`, listed once.
#
# mypy reads this stub for the types of `ins.<name>`; at run time insights/__init__.py parses
# it to learn which module defines each name (imported on first use) and to derive __all__.
# Add a public name by adding it here (`name as name` marks a re-export in a stub).

from insights.contacts.active import (
    active_payers as active_payers,
    open_accounts as open_accounts,
    open_accounts_series as open_accounts_series,
)
from insights.contacts.defaults import (
    latest_complete_week as latest_complete_week,
    report_as_of as report_as_of,
)
from insights.contacts.erlang import (
    agents_needed as agents_needed,
    agents_per_interval as agents_per_interval,
    erlang_c as erlang_c,
    service_level as service_level,
)
from insights.contacts.findings import (
    contact_findings as contact_findings,
    contact_scope as contact_scope,
    tracking_note as tracking_note,
)
from insights.contacts.forecast_charts import (
    backtest_chart as backtest_chart,
    common_window as common_window,
    forecast_chart as forecast_chart,
)
from insights.contacts.history_charts import (
    contact_history_chart as contact_history_chart,
)
from insights.contacts.intraday import (
    channel_profiles as channel_profiles,
    interval_profile as interval_profile,
    intraday_volume as intraday_volume,
    pool_small_intervals as pool_small_intervals,
)
from insights.contacts.intraday_charts import (
    day_type_lines as day_type_lines,
    intraday_profile_chart as intraday_profile_chart,
    weekend_days as weekend_days,
)
from insights.contacts.rates import (
    contact_rates as contact_rates,
    contact_volume as contact_volume,
    contacts_per_active as contacts_per_active,
    daily_contacts as daily_contacts,
    rate_series as rate_series,
    volume_series as volume_series,
)
from insights.contacts.staffing import (
    daily_staffing as daily_staffing,
    handle_times as handle_times,
    staffing_plan as staffing_plan,
)
from insights.contacts.staffing_charts import (
    staffing_chart as staffing_chart,
)
from insights.contacts.tables import (
    backtest_table as backtest_table,
    daily_forecast_table as daily_forecast_table,
    staffing_table as staffing_table,
    tracking_table as tracking_table,
)
from insights.contacts.totals import (
    error_correlation as error_correlation,
    forecast_total as forecast_total,
)
from insights.customers.accounts import (
    daily_accounts as daily_accounts,
    suppress_small_accounts as suppress_small_accounts,
)
from insights.customers.growth import (
    growth_backtest as growth_backtest,
    growth_forecast as growth_forecast,
)
from insights.customers.pace import (
    horizon_factors as horizon_factors,
    weekly_flows as weekly_flows,
    weekly_pace as weekly_pace,
)
from insights.customers.series import growth_series as growth_series
from insights.customers.stock import open_accounts_forecast as open_accounts_forecast
from insights.customers.tables import (
    growth_backtest_table as growth_backtest_table,
    growth_forecast_table as growth_forecast_table,
    growth_tracking_table as growth_tracking_table,
)
from insights.data.contracts import (
    Contract as Contract,
    load_contract as load_contract,
)
from insights.data.io import (
    load_contacts as load_contacts,
    load_customers as load_customers,
    load_table as load_table,
    load_transactions as load_transactions,
)
from insights.data.sample import (
    sample_data as sample_data,
    write_sample as write_sample,
)
from insights.data.validation import (
    validate as validate,
)
from insights.data.validation_report import (
    ValidationReport as ValidationReport,
    ValidationResult as ValidationResult,
)
from insights.errors import (
    ContractError as ContractError,
    InsightsError as InsightsError,
    InsufficientHistoryError as InsufficientHistoryError,
    ParameterError as ParameterError,
    ReportError as ReportError,
    ShortHistoryWarning as ShortHistoryWarning,
)
from insights.forecasting.accuracy import (
    forecast_accuracy as forecast_accuracy,
    tracking_summary as tracking_summary,
)
from insights.forecasting.archive import (
    archive_forecast_record as archive_forecast_record,
    publish_forecast_record as publish_forecast_record,
    read_forecast_archive as read_forecast_archive,
)
from insights.forecasting.backtesting import (
    backtest as backtest,
    backtest_predictions as backtest_predictions,
)
from insights.forecasting.forecaster import forecast as forecast
from insights.forecasting.regressors import (
    calendar_features as calendar_features,
    holiday_names as holiday_names,
    public_holidays as public_holidays,
)
from insights.forecasting.synthetic import synthetic_daily as synthetic_daily
from insights.forecasting.tracking import (
    forecast_record as forecast_record,
    scored_forecasts as scored_forecasts,
)
from insights.forecasting.tracking_chart import tracking_chart as tracking_chart
from insights.publish.charts import (
    publish_chart as publish_chart,
)
from insights.publish.display import (
    say as say,
    show as show,
)
from insights.reduce.aggregates import (
    active_customers_daily as active_customers_daily,
    active_customers_rolling as active_customers_rolling,
    category_daily as category_daily,
    city_monthly as city_monthly,
    group_daily as group_daily,
    merchant_daily as merchant_daily,
    merchant_monthly as merchant_monthly,
    total_monthly as total_monthly,
)
from insights.reduce.contacts import (
    accounts_daily as accounts_daily,
    channel_daily as channel_daily,
    contact_intervals as contact_intervals,
    contacts_daily as contacts_daily,
)
from insights.reduce.marts import (
    MART_NAMES as MART_NAMES,
    check_mart as check_mart,
    mart_currencies as mart_currencies,
    mart_currency as mart_currency,
    read_manifest as read_manifest,
    read_mart as read_mart,
)
from insights.reduce.partitioned import (
    reduce_partitioned as reduce_partitioned,
    write_aggregates as write_aggregates,
)
from insights.reduce.pipeline import (
    reduce_marts as reduce_marts,
    write_marts as write_marts,
)
from insights.reduce.scan import (
    scan_transactions as scan_transactions,
)
from insights.reports import (
    publish_table as publish_table,
    run_report as run_report,
    suppress_people as suppress_people,
    suppress_small as suppress_small,
)
from insights.spending.categories import (
    category_index as category_index,
    year_on_year as year_on_year,
)
from insights.spending.category_charts import (
    category_index_chart as category_index_chart,
    spikes_chart as spikes_chart,
)
from insights.spending.defaults import (
    data_since as data_since,
    report_city as report_city,
    report_month as report_month,
    report_tz as report_tz,
)
from insights.spending.eligibility import (
    chain_groups as chain_groups,
)
from insights.spending.favourites import (
    regional_favourites as regional_favourites,
)
from insights.spending.favourites_charts import (
    favourites_chart as favourites_chart,
)
from insights.spending.findings import (
    trending_findings as trending_findings,
)
from insights.spending.headlines import (
    monthly_headlines as monthly_headlines,
)
from insights.spending.locale import (
    currency_note as currency_note,
    currency_symbol as currency_symbol,
    data_currency as data_currency,
    in_currency as in_currency,
    latest_complete_month as latest_complete_month,
)
from insights.spending.new_places import (
    new_merchants as new_merchants,
    new_places_note as new_places_note,
)
from insights.spending.notes import (
    category_index_note as category_index_note,
    favourites_note as favourites_note,
    headlines_note as headlines_note,
    spikes_note as spikes_note,
    year_on_year_note as year_on_year_note,
)
from insights.spending.spikes import (
    spending_spikes as spending_spikes,
)
from insights.spending.trending import (
    trending_funnel as trending_funnel,
    trending_merchants as trending_merchants,
    trending_note as trending_note,
)
from insights.spending.trending_charts import (
    trending_chart as trending_chart,
)

__version__: str
__all__: list[str]
_EXPORTS: dict[str, str]
_RENAMED: dict[str, str]
