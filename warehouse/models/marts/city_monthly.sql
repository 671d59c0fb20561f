-- Customers, payments and spend per merchant city (null: online) and local month.
{{ config(**by_month('month')) }}
with tx as (
    select *, {{ local_month('created_at') }} as month
    from {{ main_currency_transactions() }} as raw_tx
    {{ since_latest_month('created_at', 'month') }}
),
visits as (
    select merchant_city, month, customer_id,
           sum(amount_minor) as spend_minor,
           sum(case when amount_minor > 0 then 1 else 0 end) as payments
    from tx
    group by merchant_city, month, customer_id
)
select merchant_city, month,
       {{ int('sum(case when payments > 0 then 1 else 0 end)') }} as customers,
       {{ int('sum(payments)') }} as payments,
       {{ int('sum(spend_minor)') }} as spend_minor
from visits
group by merchant_city, month
