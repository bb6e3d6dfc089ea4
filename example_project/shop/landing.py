"""The shop's landing zone: raw order files, one CSV per day, generated deterministically.

Real projects read files that other systems drop; the example makes its own so that it runs
anywhere without downloads. The same date always yields the same file.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

COUNTRIES = ["DE", "FR", "NL", "US", "GB"]
PRODUCTS = [("mug", 12.5), ("tee", 25.0), ("poster", 18.0), ("cap", 15.0), ("socks", 8.0)]
CUSTOMERS = 50


def landing_dir(base: Path) -> Path:
    return base / "landing"


def orders_file(base: Path, day: date) -> Path:
    """The CSV for ``day``, written on first use."""
    path = landing_dir(base) / f"orders_{day.isoformat()}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(day.toordinal())
    rows = []
    for i in range(rng.randint(20, 60)):
        product, price = rng.choice(PRODUCTS)
        quantity = rng.randint(1, 4)
        rows.append({
            "order_id": f"{day:%Y%m%d}-{i:04d}",
            "order_date": day.isoformat(),
            "customer_id": rng.randint(1, CUSTOMERS),
            "country": rng.choice(COUNTRIES),
            "product": product,
            "quantity": quantity,
            "amount": round(price * quantity, 2),
        })
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
    return path


def customers(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return [{"customer_id": i, "name": f"Customer {i}", "segment": rng.choice(["retail", "wholesale"])}
            for i in range(1, CUSTOMERS + 1)]
