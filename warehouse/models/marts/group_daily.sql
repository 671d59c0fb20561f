-- Spend, payments and customers per brand (merchant group) and local day.
{{ config(**by_month('day', cluster=['merchant_group_id'])) }}
{{ customer_totals(['merchant_group_id'], 'day') }}
