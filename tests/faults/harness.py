"""Running the real service as a process, to kill it, and a workload to check it against."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from service.settings import Settings

LOYALTY = str(Path(sys.executable).parent / "loyalty")


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTY_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"LOYALTY_{name.upper()}"] = str(value)
    return env


class ServiceProcess:
    """``loyalty serve`` in a child process: started, SIGKILLed, stopped like in production."""

    def __init__(self, settings: Settings, log_path: Path, role: str = "consumer") -> None:
        self.settings = settings
        self.log_path = log_path
        self.role = role
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [LOYALTY, "serve", "--role", self.role],
            env=settings_env(self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


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


def wait_until(condition: Any, timeout: float, interval: float = 0.2) -> float:
    """Seconds it took; fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not reached within {timeout}s")
        time.sleep(interval)
    return time.monotonic() - started
