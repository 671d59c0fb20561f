-- Customers, payments and spend per local month, every merchant.
{{ config(**by_month('month')) }}
with tx as (
    select *, {{ local_month('created_at') }} as month
    from {{ main_currency_transactions() }} as raw_tx
    {{ since_latest_month('created_at', 'month') }}
),
visits as (
    select month, customer_id,
           sum(amount_minor) as spend_minor,
           sum(case when amount_minor > 0 then 1 else 0 end) as payments
    from tx
    group by month, customer_id
)
select month,
       {{ int('sum(case when payments > 0 then 1 else 0 end)') }} as customers,
       {{ int('sum(payments)') }} as payments,
       {{ int('sum(spend_minor)') }} as spend_minor
from visits
group by month
