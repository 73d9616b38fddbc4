"""A trace through the real broker: a sale.completed sent with a traceparent is processed in a
consumer span that is its child, and the ledger message it causes continues that span."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg
import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from adapters.kafka.dead_letters import header
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints import serving
from service.entrypoints.containers import container_for
from service.entrypoints.runtime import Role
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import encode, sale
from tests.support.kafka import produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "traced-shop"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
UPSTREAM_SPAN = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced_service(
    contract_settings: Settings, spans: InMemorySpanExporter
) -> AsyncIterator[None]:
    """The consumer role with tracing on, exporting to memory (not the process's global
    provider, so other tests stay untraced)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    container = container_for(contract_settings, Role.CONSUMER)
    container.tracer_provider.override(providers.Object(provider))
    running = await serving.start_service(container)
    try:
        yield
    finally:
        await running.stop()
        provider.shutdown()


async def test_an_inbound_traceparent_reaches_the_ledger_message_through_a_consumer_span(
    contract_settings: Settings,
    db: asyncpg.Pool,
    traced_service: None,
    spans: InMemorySpanExporter,
) -> None:
    s = contract_settings
    uows = PostgresUnitOfWorkFactory(db)
    await given_programme(uows, SHOP, earn_rate="1")
    await given_customer(uows, SHOP, "tia")
    bought = sale(SHOP, "tia", "25.00")
    inbound = f"00-{TRACE_ID}-{UPSTREAM_SPAN}-01".encode()
    await produce(
        s.kafka_bootstrap_servers,
        s.topic_sale_completed,
        [encode(bought)],
        headers=[("traceparent", inbound)],
    )

    def earned(found: list[object]) -> bool:
        return any(json.loads(r.value)["kind"] == "earn" for r in found)  # type: ignore[attr-defined]

    records = await read_topic(s.kafka_bootstrap_servers, s.topic_ledger, at_least=1, done=earned)
    earn = next(r for r in records if json.loads(r.value)["kind"] == "earn")
    assert json.loads(earn.value)["event_id"] == bought["event_id"]

    consumer = next(
        span
        for span in spans.get_finished_spans()
        if span.name == f"{s.topic_sale_completed} process"
        and (span.attributes or {}).get("loyalty.event_id") == bought["event_id"]
    )
    assert consumer.parent is not None
    assert consumer.parent.span_id == int(UPSTREAM_SPAN, 16), "a child of the upstream span"
    assert f"{consumer.context.trace_id:032x}" == TRACE_ID
    carried = header(earn, "traceparent")
    assert carried is not None
    assert carried.split("-")[1:3] == [TRACE_ID, f"{consumer.context.span_id:016x}"]
    # The card_created entry of the enrolment came from no traced event and carries none.
    created = next(r for r in records if json.loads(r.value)["kind"] == "card_created")
    assert header(created, "traceparent") is None
