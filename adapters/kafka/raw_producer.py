"""Publishing raw bytes with a plain producer, as an upstream system would."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options


async def publish_raw(
    bootstrap_servers: str,
    topic: str,
    payloads: Sequence[bytes],
    key: str | None = None,
    security: KafkaSecurity = PLAINTEXT,
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=False,
        acks="all",
        **client_options(security),
    )
    await producer.start()
    try:
        for payload in payloads:
            await producer.send(topic, payload, key=key.encode() if key else None)
        await producer.flush()
    finally:
        await producer.stop()
