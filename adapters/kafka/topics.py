"""Creating topics up front (the dev command and tests), tolerating ones that exist."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options

TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    partitions: int,
    security: KafkaSecurity = PLAINTEXT,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **client_options(security))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in sorted(set(names)) if n not in existing]
        if not missing:
            return
        response = await admin.create_topics(missing)
        for topic, code, message in _topic_errors(response):
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"could not create topic {topic}: {code} {message}")
    finally:
        await admin.close()


def _topic_errors(response: object) -> list[tuple[str, int, str | None]]:
    errors = getattr(response, "topic_errors", [])
    return [(e[0], e[1], e[2] if len(e) > 2 else None) for e in errors]
