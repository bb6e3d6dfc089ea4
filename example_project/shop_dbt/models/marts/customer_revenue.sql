select
    c.customer_id,
    c.customer_name,
    c.segment,
    count(distinct o.order_id) as orders,
    sum(o.amount) as revenue
from {{ ref('stg_orders') }} o
join {{ ref('stg_customers') }} c on c.customer_id = o.customer_id
group by 1, 2, 3
