"""A tiny dbt project on DuckDB, written into a temporary folder by the tests' fixtures.

Shapes: a seed, an external source table, a staging model with a configured schema, an
ephemeral model walked through, a join, a model keyed through ``meta.assetgraph``, generic,
relationships, warn-severity and singular tests, a model whose source table the tests can
break, and a daily incremental model driven by the partition vars.
"""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "dbt_project.yml": """
name: shop
version: "1.0"
profile: shop
models:
  shop:
    staging:
      +schema: staging
""",
    "seeds/raw_customers.csv": "id,name\n1,ann\n2,bob\n3,cy\n",
    "seeds/raw_orders.csv": (
        "id,customer_id,amount,order_date\n1,1,10,2024-01-01\n2,2,20,2024-01-01\n3,1,5,2024-01-02\n"
        "4,3,7,2024-01-03\n5,2,1,2024-01-04\n"
    ),
    "models/sources.yml": """
version: 2
sources:
  - name: raw
    schema: main
    tables:
      - name: payments
        columns:
          - name: payment_id
            data_tests: [not_null]
      - name: settings
""",
    "models/staging/stg_orders.sql": "select id as order_id, customer_id, amount, order_date from {{ ref('raw_orders') }}\n",
    "models/eph_customers.sql": "{{ config(materialized='ephemeral') }}\nselect id, name from {{ ref('raw_customers') }}\n",
    "models/customers.sql": (
        "select c.id as customer_id, c.name, sum(o.amount) as total_amount\n"
        "from {{ ref('eph_customers') }} c left join {{ ref('stg_orders') }} o on o.customer_id = c.id\n"
        "group by 1, 2\n"
    ),
    "models/order_totals.sql": "select sum(amount) as amount from {{ ref('stg_orders') }}\n",
    "models/payments_summary.sql": "select payment_id, amount from {{ source('raw', 'payments') }}\n",
    "models/fragile.sql": "{{ config(materialized='table') }}\nselect cast(value as integer) as value from {{ source('raw', 'settings') }}\n",
    "models/daily_orders.sql": """
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='order_date',
          tags=['daily']) }}
select order_date, count(*) as orders, sum(amount) as amount
from {{ ref('stg_orders') }}
where order_date >= cast('{{ var("partition_start", "1900-01-01") }}' as timestamptz)
  and order_date < cast('{{ var("partition_end", "2100-01-01") }}' as timestamptz)
group by 1
""",
    "models/schema.yml": """
version: 2
models:
  - name: customers
    description: One row per customer.
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: name
        data_tests:
          - not_null:
              config:
                severity: warn
  - name: stg_orders
    columns:
      - name: customer_id
        data_tests:
          - relationships:
              arguments:
                to: ref('raw_customers')
                field: id
  - name: order_totals
    config:
      meta:
        assetgraph:
          asset_key: [marts, order_totals]
          group: marts
  - name: payments_summary
    columns:
      - name: payment_id
        data_tests: [unique]
""",
    "tests/assert_positive_amounts.sql": "select * from {{ ref('stg_orders') }} where amount <= 0\n",
}


def write_project(root: Path, database: Path) -> None:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"))
    (root / "profiles.yml").write_text(
        f"shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {database}\n      threads: 1\n"
    )


def load_source_tables(database: Path, *, duplicate_payment: bool = False, bad_setting: bool = False) -> None:
    """(Re)create the tables dbt reads as sources; the flags break a test or a model on purpose."""
    import duckdb

    con = duckdb.connect(str(database))
    try:
        con.execute("create or replace table main.payments (payment_id integer, amount integer)")
        con.execute("insert into main.payments values (1, 10), (2, 20)" + (", (2, 30)" if duplicate_payment else ""))
        con.execute("create or replace table main.settings (value varchar)")
        con.execute("insert into main.settings values ('42')" + (", ('not a number')" if bad_setting else ""))
    finally:
        con.close()
