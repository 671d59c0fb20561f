-- Contacts per local day, channel, tag and local half hour (minutes after local midnight).
{{ config(materialized='table') }}
select {{ local_day('created_at') }} as day, channel, tag,
       {{ local_half_hour('created_at') }} as minute,
       {{ int('count(*)') }} as contacts
from {{ source('raw', 'contacts') }}
group by 1, 2, 3, 4
