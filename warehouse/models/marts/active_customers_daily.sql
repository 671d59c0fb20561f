-- Distinct paying customers per local day (refund-only customers are not active).
{{ config(**by_month('day')) }}
select {{ local_day('created_at') }} as day,
       {{ int('count(distinct customer_id)') }} as active_customers
from {{ main_currency_transactions() }} as raw_tx
where amount_minor > 0
{%- if is_incremental() %}
  and (created_at >= (select {{ local_month_start_utc('max(day)') }} from {{ this }})
       or (select max(day) from {{ this }}) is null)
{%- endif %}
group by 1
