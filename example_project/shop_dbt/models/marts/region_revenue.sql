select
    k.region,
    o.order_date,
    sum(o.amount) as revenue
from {{ ref('stg_orders') }} o
join {{ ref('countries') }} k on k.country = o.country
group by 1, 2
