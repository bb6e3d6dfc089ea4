select
    order_id,
    cast(order_date as date) as order_date,
    customer_id,
    country,
    product,
    quantity,
    amount
from {{ source('raw', 'orders') }}
where quantity > 0
