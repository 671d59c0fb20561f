-- Contacts and distinct customers in touch per local day and channel, over all tags.
{{ config(materialized='table') }}
select {{ local_day('created_at') }} as day, channel,
       {{ int('count(*)') }} as contacts,
       {{ int('count(distinct customer_id)') }} as customers
from {{ source('raw', 'contacts') }}
group by 1, 2
