{#- Spend, payments and customers per `keys` and local `period` ('day' or 'month'), from the
    main-currency transactions: the one shape of category_daily, group_daily, city_monthly and
    total_monthly (insights.reduce.aggregates computes them with the same two steps: per customer,
    then per key). `measures` orders the output columns as the mart's contract lists them. -#}
{% macro customer_totals(keys, period, measures=['spend_minor', 'payments', 'customers']) %}
{%- set by = (keys + [period]) | join(', ') -%}
{%- set sums = {
    'spend_minor': 'sum(spend_minor)',
    'payments': 'sum(payments)',
    'customers': 'sum(case when payments > 0 then 1 else 0 end)',
} -%}
with tx as (
    select *, {{ local_day('created_at') if period == 'day' else local_month('created_at') }} as {{ period }}
    from {{ main_currency_transactions() }} as raw_tx
    {{ since_latest_month('created_at', period) }}
),
visits as (
    select {{ by }}, customer_id,
           sum(amount_minor) as spend_minor,
           sum(case when amount_minor > 0 then 1 else 0 end) as payments
    from tx
    group by {{ by }}, customer_id
)
select {{ by }},
{%- for measure in measures %}
       {{ int(sums[measure]) }} as {{ measure }}{{ ',' if not loop.last }}
{%- endfor %}
from visits
group by {{ by }}
{% endmacro %}
