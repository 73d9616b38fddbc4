"""The one place where everything is wired together."""

from __future__ import annotations

import logging

import structlog
from dependency_injector import containers, providers
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from adapters.kafka.dead_letters import KafkaDeadLetters
from adapters.kafka.event_consumer import KafkaEventConsumer
from adapters.kafka.ledger_publisher import KafkaLedgerPublisher
from adapters.postgres.errors import (
    is_conflict_error,
    is_transient_database_error,
    may_dead_letter_event,
)
from adapters.postgres.pool import postgres_pool
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.prometheus_metrics import PrometheusServiceMetrics
from adapters.system_clock import SystemClock
from ports.backoff import Backoff
from service.entrypoints.settings import Settings
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.operations import LoyaltyService
from service.use_cases.outbox_relay import OutboxRelay
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from service.use_cases.retrying import RetryingEventHandler, RetryPolicy


def kafka_broker(settings: Settings) -> KafkaBroker:
    # Idempotent producers are off: the embedded broker lacks them, and exactly-once in
    # effect comes from the inbox, not from the producer.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=False,
        logger=structlog.get_logger("loyalty.kafka"),
        graceful_timeout=15.0,
        log_level=logging.DEBUG,  # per-batch "Received"/"Processed" lines only when debugging
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    is_transient = providers.Object(is_transient_database_error)
    is_conflict = providers.Object(is_conflict_error)
    may_dead_letter = providers.Object(may_dead_letter_event)
    metrics_registry = providers.Singleton(CollectorRegistry)
    metrics = providers.Singleton(PrometheusServiceMetrics, registry=metrics_registry)

    pool = providers.Resource(
        postgres_pool,
        dsn=settings.provided.database_url,
        min_size=settings.provided.database_pool_min,
        max_size=settings.provided.database_pool_max,
    )
    uow_factory = providers.Singleton(PostgresUnitOfWorkFactory, pool=pool)

    broker = providers.Singleton(kafka_broker, settings=settings)
    dead_letters = providers.Singleton(
        KafkaDeadLetters, broker=broker, suffix=settings.provided.dead_letter_suffix
    )
    ledger_publisher = providers.Singleton(
        KafkaLedgerPublisher,
        bootstrap_servers=settings.provided.kafka_bootstrap_servers,
        topic=settings.provided.topic_ledger,
    )

    apply_events = providers.Singleton(
        ApplyEventBatch, uow_factory=uow_factory, clock=clock, metrics=metrics
    )
    retry_policy = providers.Singleton(
        RetryPolicy,
        initial_seconds=settings.provided.retry_initial_seconds,
        max_seconds=settings.provided.retry_max_seconds,
        budget_seconds=settings.provided.retry_budget_seconds,
    )
    event_handler = providers.Singleton(
        RetryingEventHandler,
        inner=apply_events,
        is_transient=is_transient,
        policy=retry_policy,
        metrics=metrics,
        may_dead_letter=may_dead_letter,
    )
    event_consumer = providers.Singleton(
        KafkaEventConsumer,
        broker=broker,
        topics=settings.provided.inbound_topics.call(),
        group_id=settings.provided.consumer_group,
        handler=event_handler,
        dead_letters=dead_letters,
        max_records=settings.provided.batch_max_records,
        metrics=metrics,
        session_timeout_ms=settings.provided.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.provided.consumer_heartbeat_interval_ms,
        max_poll_interval_ms=settings.provided.consumer_max_poll_interval_ms,
        fetch_max_wait_ms=settings.provided.consumer_fetch_max_wait_ms,
        pause_initial_seconds=settings.provided.retry_initial_seconds,
        pause_max_seconds=settings.provided.retry_max_seconds,
    )
    outbox_relay = providers.Singleton(
        OutboxRelay,
        uow_factory=uow_factory,
        publisher=ledger_publisher,
        batch_size=settings.provided.outbox_batch_size,
        idle_seconds=settings.provided.outbox_idle_seconds,
        is_transient=is_transient,
        clock=clock,
        metrics=metrics,
        backoff=providers.Factory(
            Backoff,
            initial_seconds=settings.provided.retry_initial_seconds,
            max_seconds=settings.provided.retry_max_seconds,
        ),
    )

    expire_points = providers.Singleton(
        ExpirePoints,
        uow_factory=uow_factory,
        clock=clock,
        metrics=metrics,
        is_transient=is_transient,
        is_conflict=is_conflict,
    )

    programmes = providers.Singleton(Programmes, uow_factory=uow_factory, clock=clock)
    accounts = providers.Singleton(Accounts, uow_factory=uow_factory, clock=clock)
    redemptions = providers.Singleton(
        Redemptions, uow_factory=uow_factory, clock=clock, metrics=metrics
    )
    operations = providers.Singleton(
        LoyaltyService,
        programmes=programmes,
        accounts=accounts,
        redemptions=redemptions,
        is_conflict=is_conflict,
    )


def container_for(settings: Settings) -> Container:
    """The container wired to ``settings`` (the CLI and tests build it this way)."""
    container = Container()
    container.settings.override(settings)
    return container
