{#-
  The local calendar, one macro per dialect. Raw timestamps are stored in UTC; every day and
  month in the marts is a calendar day or month in var('tz') (default Europe/London), as in
  insights.reduce: a payment at 23:30 UTC on 30 September (BST) counts on 1 October.
  DuckDB converts with timezone() (ICU, built into the Python wheel); BigQuery with DATE(ts, tz)
  and DATETIME(ts, tz). Neither depends on the session time zone.

  The dialect is the target's adapter, unless var('sql_dialect') says otherwise: compiling with
  --vars '{sql_dialect: bigquery}' on the DuckDB target writes the BigQuery SQL without a
  BigQuery connection (tests/warehouse parses it with sqlglot in the BigQuery dialect).
-#}

{% macro sql_dialect() %}{{ return(var('sql_dialect', target.type)) }}{% endmacro %}

{% macro local_day(ts) %}{% if sql_dialect() == 'bigquery' %}{{ return(bigquery__local_day(ts)) }}{% else %}{{ return(duckdb__local_day(ts)) }}{% endif %}{% endmacro %}
{% macro duckdb__local_day(ts) %}cast(timezone('{{ var("tz") }}', {{ ts }}) as date){% endmacro %}
{% macro bigquery__local_day(ts) %}date({{ ts }}, '{{ var("tz") }}'){% endmacro %}

{% macro local_month(ts) %}{% if sql_dialect() == 'bigquery' %}{{ return(bigquery__local_month(ts)) }}{% else %}{{ return(duckdb__local_month(ts)) }}{% endif %}{% endmacro %}
{% macro duckdb__local_month(ts) %}cast(date_trunc('month', timezone('{{ var("tz") }}', {{ ts }})) as date){% endmacro %}
{% macro bigquery__local_month(ts) %}date_trunc(date({{ ts }}, '{{ var("tz") }}'), month){% endmacro %}

{#- Start of the local half hour, in minutes after local midnight (09:40 -> 570). -#}
{% macro local_half_hour(ts) %}{% if sql_dialect() == 'bigquery' %}{{ return(bigquery__local_half_hour(ts)) }}{% else %}{{ return(duckdb__local_half_hour(ts)) }}{% endif %}{% endmacro %}
{% macro duckdb__local_half_hour(ts) -%}
cast(extract(hour from timezone('{{ var("tz") }}', {{ ts }})) * 60
     + case when extract(minute from timezone('{{ var("tz") }}', {{ ts }})) >= 30 then 30 else 0 end as bigint)
{%- endmacro %}
{% macro bigquery__local_half_hour(ts) -%}
extract(hour from datetime({{ ts }}, '{{ var("tz") }}')) * 60
  + if(extract(minute from datetime({{ ts }}, '{{ var("tz") }}')) >= 30, 30, 0)
{%- endmacro %}

{#- The UTC instant of local midnight on the first day of the month holding `day` (a date). -#}
{% macro local_month_start_utc(day) %}{% if sql_dialect() == 'bigquery' %}{{ return(bigquery__local_month_start_utc(day)) }}{% else %}{{ return(duckdb__local_month_start_utc(day)) }}{% endif %}{% endmacro %}
{% macro duckdb__local_month_start_utc(day) %}timezone('{{ var("tz") }}', cast(date_trunc('month', {{ day }}) as timestamp)){% endmacro %}
{% macro bigquery__local_month_start_utc(day) %}timestamp(date_trunc({{ day }}, month), '{{ var("tz") }}'){% endmacro %}

{#- Every day from column `first` to column `last` (dates) of the one-row relation `bounds`. -#}
{% macro day_series(bounds, first, last) %}{% if sql_dialect() == 'bigquery' %}{{ return(bigquery__day_series(bounds, first, last)) }}{% else %}{{ return(duckdb__day_series(bounds, first, last)) }}{% endif %}{% endmacro %}
{% macro duckdb__day_series(bounds, first, last) %}select cast(unnest(generate_series({{ first }}, {{ last }}, interval 1 day)) as date) as day from {{ bounds }}{% endmacro %}
{% macro bigquery__day_series(bounds, first, last) %}select day from {{ bounds }}, unnest(generate_date_array({{ first }}, {{ last }})) as day{% endmacro %}

{#- Counts are 64-bit integers in both dialects (DuckDB's SUM of BIGINT is HUGEINT: cast back). -#}
{% macro int(expr) %}cast({{ expr }} as {{ 'int64' if sql_dialect() == 'bigquery' else 'bigint' }}){% endmacro %}

{#- Incremental runs recompute from the start of the latest local month already built: that
    month may have been partial, and distinct counts cannot be patched, only recomputed. -#}
{% macro since_latest_month(ts, period) -%}
{%- if is_incremental() -%}
where {{ ts }} >= (select {{ local_month_start_utc('max(' ~ period ~ ')') }} from {{ this }})
   or (select max({{ period }}) from {{ this }}) is null
{%- endif -%}
{%- endmacro %}

{#- Model config of a mart rebuilt by local month: DuckDB deletes and re-inserts the months in
    the new batch; BigQuery overwrites those monthly partitions (insert_overwrite). -#}
{% macro by_month(period, cluster=none) %}
  {%- set config = {"materialized": "incremental", "on_schema_change": "fail"} -%}
  {%- if target.type == "bigquery" -%}
    {%- do config.update({
        "incremental_strategy": "insert_overwrite",
        "partition_by": {"field": period, "data_type": "date", "granularity": "month"},
    }) -%}
    {%- if cluster -%}{%- do config.update({"cluster_by": cluster}) -%}{%- endif -%}
  {%- else -%}
    {%- do config.update({"incremental_strategy": "delete+insert", "unique_key": period}) -%}
  {%- endif -%}
  {{ return(config) }}
{% endmacro %}

{#- The transactions in the data's main currency (the most common; ties: the first code), as
    insights reduce keeps them: amounts in different currencies cannot be added up. -#}
{% macro main_currency_transactions() -%}
(select * from {{ source('raw', 'transactions') }}
 where currency = (select currency from {{ source('raw', 'transactions') }}
                   group by currency order by count(*) desc, currency limit 1))
{%- endmacro %}
