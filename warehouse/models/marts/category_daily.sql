-- Spend, payments and customers per category, merchant city and local day (null city: online).
{{ config(**by_month('day')) }}
{{ customer_totals(['merchant_category', 'merchant_city'], 'day') }}
