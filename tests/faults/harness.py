"""Running the real service as a process, to kill it, and a workload to check it against."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from tests.support.process import LOYALTY, ServiceProcess, settings_env

__all__ = ["LOYALTY", "ServiceProcess", "Workload", "settings_env"]


def floor_points(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


@dataclass
class Workload:
    """Sales and partial returns over many customers, with the points they must come to,
    computed independently of the service's code."""

    business: str
    earn_rate: Decimal
    sales: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def generate(
        cls, business: str, customers: int, sales: int, returns: int, seed: int = 7
    ) -> Workload:
        rng = random.Random(seed)
        load = cls(business, Decimal("1.5"))
        for i in range(sales):
            load.sales.append(
                {
                    "event_id": f"{business}-sale-evt-{i}",
                    "occurred_at": "2026-06-01T12:00:00+00:00",
                    "business_id": business,
                    "sale_id": f"{business}-sale-{i}",
                    "customer_id": f"cust-{rng.randrange(customers)}",
                    "total_amount": f"{rng.randint(100, 20000) / 100:.2f}",
                    "currency": "EUR",
                }
            )
        for j in range(returns):
            bought = load.sales[rng.randrange(sales)]
            most = Decimal(bought["total_amount"]) * Decimal("0.6")
            amount = (most * Decimal(rng.random())).quantize(Decimal("0.01"))
            load.returns.append(
                {
                    "event_id": f"{business}-return-evt-{j}",
                    "occurred_at": "2026-06-01T13:00:00+00:00",
                    "business_id": business,
                    "return_id": f"{business}-return-{j}",
                    "sale_id": bought["sale_id"],
                    "refund_amount": str(max(amount, Decimal("0.01"))),
                    "currency": "EUR",
                }
            )
        return load

    def expected_balances(self) -> dict[str, int]:
        refunded: dict[str, Decimal] = {}
        for r in self.returns:
            refunded[r["sale_id"]] = refunded.get(r["sale_id"], Decimal(0)) + Decimal(
                r["refund_amount"]
            )
        balances: dict[str, int] = {}
        for s in self.sales:
            total = Decimal(s["total_amount"])
            earned = floor_points(total * self.earn_rate)
            back = refunded.get(s["sale_id"], Decimal(0))
            reversed_ = floor_points(earned * min(back, total) / total) if back else 0
            customer = s["customer_id"]
            balances[customer] = balances.get(customer, 0) + earned - reversed_
        return balances
