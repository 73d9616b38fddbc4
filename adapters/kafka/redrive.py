"""Operator tools for dead letters: list them; send them back to where they came from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from adapters.kafka.dead_letters import REDRIVE_COUNT, header


@dataclass(frozen=True)
class Letter:
    record: ConsumerRecord[bytes, bytes]

    @property
    def redrive_count(self) -> int:
        return int(header(self.record, REDRIVE_COUNT) or 0)

    @property
    def origin_topic(self) -> str | None:
        return header(self.record, "x-origin-topic")

    @property
    def event_id(self) -> str | None:
        try:
            document = json.loads(self.record.value or b"")
        except ValueError:
            return None
        value = document.get("event_id") if isinstance(document, dict) else None
        return str(value) if value is not None else None

    def view(self) -> dict[str, Any]:
        value = self.record.value or b""
        return {
            "dlq_partition": self.record.partition,
            "dlq_offset": self.record.offset,
            "event_id": self.event_id,
            "reason": header(self.record, "x-dlq-reason"),
            "code": header(self.record, "x-dlq-code"),
            "origin": {
                "topic": self.origin_topic,
                "partition": header(self.record, "x-origin-partition"),
                "offset": header(self.record, "x-origin-offset"),
            },
            "dead_lettered_at": header(self.record, "x-dlq-at"),
            "redrive_count": self.redrive_count,
            "value_preview": value[:200].decode("utf-8", "replace"),
        }


async def redrive(
    bootstrap_servers: str, letters: list[Letter], max_redrives: int
) -> tuple[list[Letter], list[Letter]]:
    """Send letters back to their origin topic, counting the redrive in a header.

    Returns (sent, kept): a letter already redriven ``max_redrives`` times stays put.
    """
    sent: list[Letter] = []
    kept: list[Letter] = []
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=False, acks="all"
    )
    await producer.start()
    try:
        for letter in letters:
            if letter.redrive_count >= max_redrives or letter.origin_topic is None:
                kept.append(letter)
                continue
            headers = [
                (REDRIVE_COUNT, str(letter.redrive_count + 1).encode()),
                (
                    "x-redriven-from",
                    f"{letter.record.topic}/{letter.record.partition}/"
                    f"{letter.record.offset}".encode(),
                ),
            ]
            await producer.send(
                letter.origin_topic, letter.record.value, key=letter.record.key, headers=headers
            )
            sent.append(letter)
        await producer.flush()
    finally:
        await producer.stop()
    return sent, kept
