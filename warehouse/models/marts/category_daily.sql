-- Spend, payments and customers per category, merchant city and local day (null city: online).
{{ config(**by_month('day')) }}
with tx as (
    select *, {{ local_day('created_at') }} as day
    from {{ main_currency_transactions() }} as raw_tx
    {{ since_latest_month('created_at', 'day') }}
),
visits as (
    select merchant_category, merchant_city, day, customer_id,
           sum(amount_minor) as spend_minor,
           sum(case when amount_minor > 0 then 1 else 0 end) as payments
    from tx
    group by merchant_category, merchant_city, day, customer_id
)
select merchant_category, merchant_city, day,
       {{ int('sum(spend_minor)') }} as spend_minor,
       {{ int('sum(payments)') }} as payments,
       {{ int('sum(case when payments > 0 then 1 else 0 end)') }} as customers
from visits
group by merchant_category, merchant_city, day
