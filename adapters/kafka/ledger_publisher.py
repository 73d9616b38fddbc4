"""KafkaLedgerPublisher: ledger entries onto ``loyalty.ledger``, keyed by account id."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from adapters.kafka.contracts import LedgerEntryPublished
from domain.ledger import LedgerEntry


def ledger_message(entry: LedgerEntry) -> LedgerEntryPublished:
    rates = entry.rates
    a = entry.attribution
    return LedgerEntryPublished(
        entry_id=entry.entry_id,
        business_id=entry.business_id,
        account_id=entry.account_id,
        customer_id=entry.customer_id,
        seq=entry.seq,
        kind=entry.kind,
        points=entry.points,
        balance_after=entry.balance_after,
        source=entry.source,
        source_ref=entry.source_ref,
        event_id=entry.event_id,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        amount=entry.amount,
        currency=entry.currency,
        rule_version=rates.rule_version if rates else None,
        earn_rate=rates.earn_rate if rates else None,
        multiplier=rates.multiplier if rates else None,
        redemption_rate=rates.redemption_rate if rates else None,
        related_entry_id=entry.related_entry_id,
        store_id=a.store_id,
        terminal_id=a.terminal_id,
        staff_id=a.staff_id,
        actor=a.actor,
        reason=entry.reason,
    )


class KafkaLedgerPublisher:
    def __init__(self, broker: KafkaBroker, topic: str) -> None:
        self._broker = broker
        self._topic = topic

    async def publish(self, entries: Sequence[LedgerEntry]) -> None:
        # Sent in order without waiting for each: the producer keeps per-partition order,
        # and one key (account) always maps to one partition.
        pending = [
            await self._broker.publish(
                ledger_message(entry).model_dump_json().encode(),
                topic=self._topic,
                key=str(entry.account_id).encode(),
                headers={"content-type": "application/json", "x-entry-kind": entry.kind.value},
                no_confirm=True,
            )
            for entry in entries
        ]
        await asyncio.gather(*pending)
