select customer_id, name as customer_name, segment
from {{ source('raw', 'customers') }}
