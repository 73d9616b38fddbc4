"""Settings for a run that must not meet another: its own topics and consumer group."""

from __future__ import annotations

from typing import Any

from service.entrypoints.settings import Settings


def isolated_settings(
    prefix: str, database_url: str, bootstrap_servers: str, **overrides: Any
) -> Settings:
    names: dict[str, Any] = {
        "consumer_group": f"{prefix}loyalty",
        "topic_sale_completed": f"{prefix}sale.completed",
        "topic_customer_return_created": f"{prefix}customer-return.created",
        "topic_bill_paid": f"{prefix}bill.paid",
        "topic_bill_refunded": f"{prefix}bill.refunded",
        "topic_ledger": f"{prefix}loyalty.ledger",
    }
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap_servers,
        **{**names, **overrides},
    )
