"""Operator tools for dead letters: list them; send them back to where they came from.

A letter goes back only to the inbound topic its dead-letter topic belongs to (``sale.completed``
for ``sale.completed.dlq``), never where a header says: headers travel with the message, and a
letter naming ``loyalty.ledger`` would otherwise be published as a ledger event.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from adapters.kafka.dead_letters import REDRIVE_COUNT, header
from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options


@dataclass(frozen=True)
class Letter:
    record: ConsumerRecord[bytes, bytes]

    @property
    def redrive_count(self) -> int | None:
        """How often the letter was redriven; None when the header is not a count."""
        text = header(self.record, REDRIVE_COUNT)
        if text is None:
            return 0
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
            return None  # not a count this tool wrote (int() would also take '٣' or '1_0')
        return int(digits)

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


# What the dead-lettering said about the letter: it goes back without, and a second dead
# letter says it anew. Every other header (a ``traceparent`` among them) goes back as it came.
DEAD_LETTER_PREFIXES = ("x-dlq-", "x-origin-")
REDRIVEN_FROM = "x-redriven-from"


def redriven_headers(letter: Letter) -> list[tuple[str, bytes]]:
    """The letter's original headers, with the redrive counted and where it came from."""
    record = letter.record
    kept = [
        (key, bytes(value))
        for key, value in record.headers or ()
        if key not in (REDRIVE_COUNT, REDRIVEN_FROM) and not key.startswith(DEAD_LETTER_PREFIXES)
    ]
    return [
        *kept,
        (REDRIVE_COUNT, str((letter.redrive_count or 0) + 1).encode()),
        (REDRIVEN_FROM, f"{record.topic}/{record.partition}/{record.offset}".encode()),
    ]


@dataclass(frozen=True)
class Kept:
    """A letter not sent, and why."""

    letter: Letter
    reason: str


@dataclass(frozen=True)
class RedrivePolicy:
    """Where letters may go back to, and how often."""

    inbound_topics: Collection[str]
    suffix: str = ".dlq"
    max_redrives: int = 3

    def target(self, letter: Letter) -> str | Kept:
        """The inbound topic ``letter`` goes back to, or why it stays put."""
        dlq: str = letter.record.topic
        inbound = dlq.removesuffix(self.suffix)
        if inbound == dlq or inbound not in self.inbound_topics:
            return Kept(letter, f"{dlq} is not the dead-letter topic of an inbound topic")
        if letter.origin_topic not in (None, inbound):
            return Kept(letter, f"its origin header names {letter.origin_topic}, not {inbound}")
        count = letter.redrive_count
        if count is None:
            text = header(letter.record, REDRIVE_COUNT)
            return Kept(letter, f"its {REDRIVE_COUNT} header ({text!r}) is not a count")
        if count >= self.max_redrives:
            return Kept(letter, f"redriven {count} times already (max {self.max_redrives})")
        return inbound


async def redrive(
    bootstrap_servers: str,
    letters: list[Letter],
    policy: RedrivePolicy,
    security: KafkaSecurity = PLAINTEXT,
) -> tuple[list[Letter], list[Kept]]:
    """Send letters back to their inbound topic, counting the redrive in a header.

    Returns (sent, kept): a letter the policy refuses stays put, with the reason.
    """
    sent: list[Letter] = []
    kept: list[Kept] = []
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=False,
        acks="all",
        **client_options(security),
    )
    await producer.start()
    try:
        for letter in letters:
            target = policy.target(letter)
            if isinstance(target, Kept):
                kept.append(target)
                continue
            await producer.send(
                target,
                letter.record.value,
                key=letter.record.key,
                headers=redriven_headers(letter),
            )
            sent.append(letter)
        await producer.flush()
    finally:
        await producer.stop()
    return sent, kept
