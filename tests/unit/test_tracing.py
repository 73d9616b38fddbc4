"""Tracing: off unless configured, and an inbound trace context carried to the outbox rows."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters.postgres.outbox import traceparent_parameters
from adapters.tracing import tracer_provider, tracing, tracing_configured
from adapters.tracing_context import ConsumerTracing, inbound_traceparent, outbox_traceparents

pytestmark = pytest.mark.unit

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
W3C = r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"


def test_tracing_is_off_when_no_variable_configures_it() -> None:
    assert not tracing_configured({})
    assert tracer_provider({"OTEL_SERVICE_NAME": "loyalty"}) is None
    resource = tracing({})
    assert next(resource) is None


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}, False),
    ],
)
def test_the_standard_variables_turn_tracing_on_and_off(environ: dict[str, str], on: bool) -> None:
    assert tracing_configured(environ) is on


def test_a_configured_provider_names_the_service_loyalty_by_default() -> None:
    provider = tracer_provider({"OTEL_TRACES_EXPORTER": "console"})
    assert provider is not None
    try:
        assert provider.resource.attributes["service.name"] == "loyalty"
    finally:
        provider.shutdown()


def test_tracing_off_imports_no_part_of_the_sdk() -> None:
    code = (
        "import sys; from adapters.tracing import tracer_provider; "
        "assert tracer_provider({}) is None; "
        "assert not [m for m in sys.modules if m.startswith('opentelemetry.sdk')], 'sdk imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_off_the_inbound_traceparent_is_carried_to_the_events_outbox_rows() -> None:
    events = [
        ("sale.completed", [("traceparent", PARENT.encode())], "shop", "e-1"),
        ("sale.completed", None, "shop", "e-2"),
    ]
    with ConsumerTracing().batch(events):
        contexts, current = outbox_traceparents()
        assert contexts == {"shop": {"e-1": PARENT}}
        assert current is None  # no span: entries no event caused carry none
    assert outbox_traceparents() == ({}, None)
    assert traceparent_parameters() == (None, None)


def test_on_each_traced_event_gets_a_consumer_span_that_is_a_child_of_its_inbound_one() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    other = f"00-{'1' * 32}-{'2' * 16}-01"
    events = [
        ("sale.completed", [("traceparent", PARENT.encode())], "shop", "e-1"),
        ("bill.paid", [("traceparent", other.encode())], "shop", "e-2"),
        ("bill.paid", [], "shop", "e-3"),
    ]
    with ConsumerTracing(provider).batch(events):
        contexts, current = outbox_traceparents()
    spans = {span.name: span for span in exporter.get_finished_spans()}
    sale = spans["sale.completed process"]
    assert sale.kind is SpanKind.CONSUMER
    assert sale.parent is not None and sale.parent.span_id == int("00f067aa0ba902b7", 16)
    assert sale.context.trace_id == int(TRACE_ID, 16)
    assert contexts["shop"]["e-1"] == f"00-{TRACE_ID}-{sale.context.span_id:016x}-01"
    assert contexts["shop"]["e-2"].split("-")[1] == "1" * 32
    assert "e-3" not in contexts["shop"]
    # An entry no traced event caused continues the batch's own span, which links to both.
    batch = spans["loyalty apply batch"]
    assert current is not None
    assert current.split("-")[1:3] == [
        f"{batch.context.trace_id:032x}",
        f"{batch.context.span_id:016x}",
    ]
    assert len(batch.links) == 2


def test_a_failed_batch_ends_its_event_spans_as_errors() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with (
        pytest.raises(RuntimeError),
        ConsumerTracing(provider).batch(
            [("sale.completed", [("traceparent", PARENT.encode())], "shop", "e-1")]
        ),
    ):
        raise RuntimeError("database down")
    statuses = {span.name: span.status.is_ok for span in exporter.get_finished_spans()}
    assert statuses == {"sale.completed process": False, "loyalty apply batch": False}


@given(st.binary(max_size=300))
def test_any_traceparent_header_is_passed_on_only_as_a_valid_w3c_value(value: bytes) -> None:
    passed = inbound_traceparent([("traceparent", value)])
    assert passed is None or re.fullmatch(W3C, passed) is not None
