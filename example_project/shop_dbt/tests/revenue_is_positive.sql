-- A singular test: no customer may have negative revenue.
select * from {{ ref('customer_revenue') }} where revenue < 0
