"""The one place where everything is wired together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry

from adapters.health import DependencyHealth, LoopsAlive
from adapters.http.app import create_http_app
from adapters.http.management import create_management_app
from adapters.kafka.dead_letters import KafkaDeadLetters
from adapters.kafka.event_consumer import KafkaEventConsumer
from adapters.postgres.devices import PostgresDevices
from adapters.postgres.erasure import PostgresErasure
from adapters.postgres.errors import (
    is_conflict_error,
    is_transient_database_error,
    may_dead_letter_event,
)
from adapters.postgres.exports import PostgresExports
from adapters.postgres.pool import postgres_pool
from adapters.postgres.reports import PostgresReports
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.postgres.webhooks import PostgresWebhooks
from adapters.prometheus_metrics import PrometheusServiceMetrics
from adapters.prometheus_service import watch_pool
from adapters.system_clock import SystemClock
from adapters.tracing import tracing
from adapters.tracing_context import ConsumerTracing
from adapters.webhook_sender import HttpxWebhookSender
from domain.webhooks import RetrySchedule
from ports.backoff import Backoff
from service.entrypoints.resources import (
    Database,
    auth_settings,
    kafka_broker,
    ledger_producer,
    running_broker,
)
from service.entrypoints.runtime import Consuming, Role, Service
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import SimulationRunner
from service.entrypoints.supervision import Supervisor
from service.entrypoints.webhook_worker import WebhookWorker
from service.use_cases.accounts import Accounts
from service.use_cases.counted_postings import CountedPostings
from service.use_cases.devices import Devices
from service.use_cases.erasure import Erasures
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.level_review import ReviewLevels
from service.use_cases.operations import LoyaltyService
from service.use_cases.outbox_relay import OutboxRelay
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from service.use_cases.reports import Reports
from service.use_cases.retrying import RetryingEventHandler, RetryPolicy
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue

T = TypeVar("T")


def when_enabled(enabled: bool, make: Callable[[], T]) -> T | None:
    """``make()`` where a setting turns a part on, else None (the part is never built)."""
    return make() if enabled else None


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Singleton(Settings)
    role = providers.Object(Role.ALL)
    clock = providers.Singleton(SystemClock)
    is_transient = providers.Object(is_transient_database_error)
    is_conflict = providers.Object(is_conflict_error)
    may_dead_letter = providers.Object(may_dead_letter_event)
    metrics_registry = providers.Singleton(CollectorRegistry)
    metrics = providers.Singleton(PrometheusServiceMetrics, registry=metrics_registry)
    # None unless the OTEL_* variables configure tracing (adapters/tracing.py).
    tracer_provider = providers.Resource(tracing)

    pool = Database(
        postgres_pool,
        dsn=settings.provided.database_url,
        min_size=settings.provided.database_pool_min,
        max_size=settings.provided.database_pool_max,
    )
    pool_metrics = Database(watch_pool, pool=pool, registry=metrics_registry)
    uow_factory = providers.Singleton(
        CountedPostings,
        inner=providers.Singleton(PostgresUnitOfWorkFactory, pool=pool),
        metrics=metrics,
    )

    broker = providers.Singleton(kafka_broker, settings=settings)
    dead_letters = providers.Singleton(
        KafkaDeadLetters, broker=broker, suffix=settings.provided.dead_letter_suffix
    )
    ledger_publisher = providers.Resource(
        ledger_producer,
        bootstrap_servers=settings.provided.kafka_bootstrap_servers,
        topic=settings.provided.topic_ledger,
        security=settings.provided.kafka_security.call(),
    )

    backoff = providers.Factory(
        Backoff,
        initial_seconds=settings.provided.retry_initial_seconds,
        max_seconds=settings.provided.retry_max_seconds,
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
        tracing=providers.Singleton(ConsumerTracing, provider=tracer_provider),
        phone_region=settings.provided.phone_region,
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
        backoff=backoff,
    )

    expire_points = providers.Singleton(
        ExpirePoints,
        uow_factory=uow_factory,
        clock=clock,
        metrics=metrics,
        is_transient=is_transient,
        is_conflict=is_conflict,
    )

    review_levels = providers.Singleton(ReviewLevels, uow_factory=uow_factory, clock=clock)

    programmes = providers.Singleton(Programmes, uow_factory=uow_factory, clock=clock)
    accounts = providers.Singleton(Accounts, uow_factory=uow_factory, clock=clock)
    redemptions = providers.Singleton(
        Redemptions, uow_factory=uow_factory, clock=clock, metrics=metrics
    )
    catalogue = providers.Singleton(RewardCatalogue, uow_factory=uow_factory, clock=clock)
    reward_till = providers.Singleton(RewardRedemptions, uow_factory=uow_factory, clock=clock)
    device_registry = providers.Singleton(PostgresDevices, pool=pool)
    devices = providers.Singleton(Devices, registry=device_registry, clock=clock)
    report_queries = providers.Singleton(PostgresReports, pool=pool)
    reports = providers.Singleton(Reports, queries=report_queries, clock=clock)
    webhook_store = providers.Singleton(PostgresWebhooks, pool=pool)
    webhook_worker = providers.Singleton(
        WebhookWorker,
        store=webhook_store,
        sender=providers.Singleton(
            HttpxWebhookSender,
            timeout_seconds=settings.provided.webhook_timeout_seconds,
            allow_private=settings.provided.webhook_allow_private,
        ),
        clock=clock,
        schedule=providers.Singleton(
            RetrySchedule,
            base_seconds=settings.provided.webhook_retry_seconds,
            cap_seconds=settings.provided.webhook_retry_max_seconds,
            max_attempts=settings.provided.webhook_max_attempts,
        ),
        idle_seconds=settings.provided.webhook_idle_seconds,
        send_timeout_seconds=settings.provided.webhook_timeout_seconds,
    )
    exports = providers.Singleton(PostgresExports, pool=pool)
    erasure_store = providers.Singleton(PostgresErasure, pool=pool)
    erasures = providers.Singleton(Erasures, store=erasure_store, clock=clock)
    operations = providers.Singleton(
        LoyaltyService,
        programmes=programmes,
        accounts=accounts,
        redemptions=redemptions,
        catalogue=catalogue,
        reward_till=reward_till,
    )

    # The process's parts by role; the ones a role does not run are never built.
    consumer_parts = providers.Singleton(
        Consuming,
        consumer=event_consumer,
        relay=outbox_relay,
        expire=expire_points,
        sweep_seconds=settings.provided.expiry_sweep_seconds,
        review_levels=review_levels,
        webhooks=webhook_worker,
    )
    consuming = providers.Selector(
        role, all=consumer_parts, consumer=consumer_parts, api=providers.Object(None)
    )
    # Started by init_resources once ``consuming`` is built: see ``running_broker``.
    kafka = providers.Resource(running_broker, broker=broker, subscribed=consuming)

    stopping = providers.Singleton(asyncio.Event)
    supervisor = providers.Singleton(Supervisor, stopping, metrics, backoff)
    # Each role's readiness asks what it needs: an API process PostgreSQL alone.
    consumer_health = providers.Singleton(
        DependencyHealth, pool=pool, broker=broker, loops=supervisor.provided.checks
    )
    api_health = providers.Singleton(DependencyHealth, pool=pool, loops=supervisor.provided.checks)
    health = providers.Selector(role, all=consumer_health, consumer=consumer_health, api=api_health)
    liveness = providers.Singleton(LoopsAlive, alive=supervisor.provided.alive)
    management_app = providers.Singleton(
        create_management_app, readiness=health, liveness=liveness, registry=metrics_registry
    )
    management = providers.Selector(
        role, consumer=management_app, all=providers.Object(None), api=providers.Object(None)
    )
    # Built only where LOYALTY_SIMULATIONS_API is on: each request makes two databases.
    simulation_runner = providers.Singleton(SimulationRunner, settings=settings)
    simulations = providers.Callable(
        when_enabled, enabled=settings.provided.simulations_api, make=simulation_runner.provider
    )
    auth = providers.Singleton(auth_settings, settings=settings)
    http_app = providers.Singleton(
        create_http_app,
        operations=operations,
        health=health,
        auth=auth,
        registry=metrics_registry,
        max_body_bytes=settings.provided.http_max_body_bytes,
        devices=devices,
        reports=reports,
        webhooks=webhook_store,
        webhook_allow_http=settings.provided.webhook_allow_http,
        webhook_allow_private=settings.provided.webhook_allow_private,
        exports=exports,
        erasures=erasures,
        tracer_provider=tracer_provider,
        simulations=simulations,
        phone_region=settings.provided.phone_region,
    )
    api = providers.Selector(role, all=http_app, api=http_app, consumer=providers.Object(None))

    service = providers.Singleton(
        Service,
        role=role,
        settings=settings,
        stopping=stopping,
        loops=supervisor,
        consuming=consuming,
        api=api,
        open_resources=__self__.provided.init_resources,
        close_resources=__self__.provided.shutdown_resources,
        management=management,
    )


def container_for(settings: Settings, role: Role = Role.ALL) -> Container:
    """The container wired to ``settings``, for a process of ``role``."""
    return Container(settings=providers.Object(settings), role=providers.Object(role))
