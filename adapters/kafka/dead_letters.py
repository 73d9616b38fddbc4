"""KafkaDeadLetters: messages that cannot be applied, kept with why and where they came from."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker


@dataclass(frozen=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    code: str
    detail: str


REDRIVE_COUNT = "x-redrive-count"


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode("utf-8", "replace")
    return None


def dead_letter_headers(letter: DeadLetter) -> dict[str, str]:
    """The original headers (a ``traceparent`` among them; ``x-redrive-count`` too, so a letter
    cannot loop for ever), then ours, which a sender's own ``x-dlq-*`` or ``x-origin-*``
    cannot override."""
    record = letter.record
    original = {key: bytes(value).decode("utf-8", "replace") for key, value in record.headers or ()}
    return {
        **original,
        "x-dlq-reason": f"{letter.code}: {letter.detail}"[:4000],
        "x-dlq-code": letter.code,
        "x-dlq-at": datetime.now(UTC).isoformat(),
        "x-origin-topic": record.topic,
        "x-origin-partition": str(record.partition),
        "x-origin-offset": str(record.offset),
        "x-origin-timestamp": str(record.timestamp),
    }


class KafkaDeadLetters:
    def __init__(self, broker: KafkaBroker, suffix: str = ".dlq") -> None:
        self._broker = broker
        self._suffix = suffix

    def topic_for(self, origin_topic: str) -> str:
        return origin_topic + self._suffix

    async def publish(self, letters: Sequence[DeadLetter]) -> None:
        """Publish every letter and return once the broker acknowledged them all."""
        pending = [
            await self._broker.publish(
                letter.record.value or b"",
                topic=self.topic_for(letter.record.topic),
                key=letter.record.key,
                headers=dead_letter_headers(letter),
                no_confirm=True,
            )
            for letter in letters
        ]
        # A producer that delivers at once (faststream's TestKafkaBroker) leaves nothing to await.
        await asyncio.gather(*(sent for sent in pending if sent is not None))
