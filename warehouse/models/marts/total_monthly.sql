-- Customers, payments and spend per local month, every merchant.
{{ config(**by_month('month')) }}
{{ customer_totals([], 'month', measures=['customers', 'payments', 'spend_minor']) }}
