"""What the container builds, starts and stops for the edges: the broker, the ledger producer
and the API's token settings; and opening a container's resources of one kind."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import structlog
from dependency_injector import containers, providers
from faststream.kafka import KafkaBroker

from adapters.http.auth import AuthSettings
from adapters.kafka.ledger_publisher import KafkaLedgerPublisher
from adapters.kafka.security import KafkaSecurity, broker_security
from service.entrypoints.runtime import settled
from service.entrypoints.settings import Settings

C = TypeVar("C", bound=containers.DeclarativeContainer)


class Database(providers.Resource):  # type: ignore[type-arg]
    """A resource of the database alone: the ledger and operator commands open these, and
    no broker."""


@contextlib.asynccontextmanager
async def opened(
    container: C, kind: type[providers.BaseResource[Any]] = providers.BaseResource
) -> AsyncIterator[C]:
    """``container`` with its resources of ``kind`` (all by default) started, then stopped."""
    await settled(container.init_resources(kind))
    try:
        yield container
    finally:
        await settled(container.shutdown_resources(kind))


def kafka_broker(settings: Settings) -> KafkaBroker:
    # Idempotent producers are off: the embedded broker lacks them, and exactly-once in
    # effect comes from the inbox, not from the producer.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=broker_security(settings.kafka_security()),
        acks="all",
        enable_idempotence=False,
        logger=structlog.get_logger("loyalty.kafka"),
        graceful_timeout=15.0,
        log_level=logging.DEBUG,  # per-batch "Received"/"Processed" lines only when debugging
    )


async def running_broker(broker: KafkaBroker, subscribed: object) -> AsyncIterator[KafkaBroker]:
    """The broker, started and, at the end, stopped.

    faststream starts only the subscribers registered before ``broker.start()``: one added
    later never polls. ``subscribed`` is what registers this process's subscribers (the
    consumer parts, or None for an API-only process); taking it as an argument makes the
    container build it first, so the order cannot be got wrong. An API-only process never
    connects: redemption needs only PostgreSQL, so a Kafka outage must not stop it starting.
    """
    if subscribed is None:
        yield broker
        return
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


async def ledger_producer(
    bootstrap_servers: str, topic: str, security: KafkaSecurity
) -> AsyncIterator[KafkaLedgerPublisher]:
    """The ledger topic's producer: it connects on its first message, and stopping it sends
    what is buffered."""
    publisher = KafkaLedgerPublisher(
        bootstrap_servers=bootstrap_servers, topic=topic, security=security
    )
    try:
        yield publisher
    finally:
        await publisher.stop()


def auth_settings(settings: Settings) -> AuthSettings:
    if not (settings.jwt_secret or settings.jwt_public_key):
        raise RuntimeError(
            "the HTTP API needs LOYALTY_JWT_SECRET (HS256) or LOYALTY_JWT_PUBLIC_KEY (RS256)"
        )
    return AuthSettings(
        hs256_secret=settings.jwt_secret,
        rs256_public_key=settings.jwt_public_key,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
    )
