-- Contacts, customers in touch and recorded handle times per local day, channel and tag (null: untagged).
-- Rebuilt whole when run (the polars reduce recomputes the contact marts when contacts change).
{{ config(materialized='table') }}
select {{ local_day('created_at') }} as day, channel, tag,
       {{ int('count(*)') }} as contacts,
       {{ int('count(distinct customer_id)') }} as customers,
       {{ int('count(handle_time_seconds)') }} as handled,
       {{ int('coalesce(sum(handle_time_seconds), 0)') }} as handle_time_seconds
from {{ source('raw', 'contacts') }}
group by 1, 2, 3
