-- Spend, payments, customers and repeat customers per merchant location and local month.
{{ config(**by_month('month', cluster=['merchant_id'])) }}
with tx as (
    select *, {{ local_month('created_at') }} as month
    from {{ main_currency_transactions() }} as raw_tx
    {{ since_latest_month('created_at', 'month') }}
),
visits as (
    select merchant_id, month, customer_id,
           sum(amount_minor) as spend_minor,
           sum(case when amount_minor > 0 then 1 else 0 end) as payments,
           sum(case when amount_minor < 0 then -amount_minor else 0 end) as refund_minor
    from tx
    group by merchant_id, month, customer_id
),
totals as (
    select merchant_id, month,
           sum(spend_minor) as spend_minor,
           sum(payments) as payments,
           sum(case when payments > 0 then 1 else 0 end) as customers,
           sum(case when payments >= 2 then 1 else 0 end) as repeat_customers,
           sum(refund_minor) as refund_minor
    from visits
    group by merchant_id, month
),
attributes as (
    -- one of the values seen in the batch, as the polars reduce does per pass
    select merchant_id,
           any_value(merchant_name) as merchant_name,
           any_value(merchant_group_id) as merchant_group_id,
           any_value(merchant_category) as merchant_category,
           any_value(merchant_city) as merchant_city,
           any_value(is_online) as is_online
    from tx
    group by merchant_id
)
select totals.merchant_id, attributes.merchant_name, attributes.merchant_group_id,
       attributes.merchant_category, attributes.merchant_city, attributes.is_online,
       totals.month,
       {{ int('totals.spend_minor') }} as spend_minor,
       {{ int('totals.payments') }} as payments,
       {{ int('totals.customers') }} as customers,
       {{ int('totals.repeat_customers') }} as repeat_customers,
       {{ int('totals.refund_minor') }} as refund_minor
from totals
left join attributes on totals.merchant_id = attributes.merchant_id
