-- Accounts open, opened (sign-ups) and closed per local day, every day from the first opening
-- to the last local day of any input (transactions, contacts, customers), as insights reduce.
-- An account closed during a day is not open on that day.
{{ config(materialized='table') }}
with events as (
    select {{ local_day('opened_at') }} as day, 1 as signups, 0 as closures
    from {{ source('raw', 'customers') }}
    union all
    select {{ local_day('closed_at') }} as day, 0 as signups, 1 as closures
    from {{ source('raw', 'customers') }}
    where closed_at is not null
),
per_day as (
    select day, sum(signups) as signups, sum(closures) as closures from events group by day
),
bounds as (
    select min(day) as first_day,
           greatest(
               (select max(day) from per_day),
               coalesce((select {{ local_day('max(created_at)') }} from {{ source('raw', 'transactions') }}), (select max(day) from per_day)),
               coalesce((select {{ local_day('max(created_at)') }} from {{ source('raw', 'contacts') }}), (select max(day) from per_day))
           ) as last_day
    from per_day
),
calendar as (
    {{ day_series('bounds', 'first_day', 'last_day') }}
),
filled as (
    select calendar.day,
           coalesce(per_day.signups, 0) as signups,
           coalesce(per_day.closures, 0) as closures
    from calendar
    left join per_day on calendar.day = per_day.day
)
select day,
       {{ int('sum(signups - closures) over (order by day rows between unbounded preceding and current row)') }} as open_accounts,
       {{ int("signups") }} as signups,
       {{ int("closures") }} as closures
from filled
