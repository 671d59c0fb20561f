-- Customers, payments and spend per merchant city (null: online) and local month.
{{ config(**by_month('month')) }}
{{ customer_totals(['merchant_city'], 'month', measures=['customers', 'payments', 'spend_minor']) }}
