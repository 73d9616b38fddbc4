"""OpenTelemetry tracing: off unless the standard ``OTEL_*`` variables configure an exporter.

Off, nothing of the SDK is imported and no span is made. On, the process's provider exports
over OTLP (HTTP) or to the console, and the API and asyncpg are instrumented. How a trace
goes from an inbound event to the ledger messages it causes: ``adapters.tracing_context``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

DEFAULT_SERVICE_NAME = "loyalty"
log = logging.getLogger("loyalty.tracing")


def tracing_configured(environ: Mapping[str, str]) -> bool:
    """Whether the OpenTelemetry variables ask for traces: an OTLP endpoint or an exporter
    named in ``OTEL_TRACES_EXPORTER`` (``none`` and ``OTEL_SDK_DISABLED=true`` turn it off)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


def tracer_provider(environ: Mapping[str, str]) -> TracerProvider | None:
    """An SDK provider exporting as the variables say, or None when tracing is off."""
    if not tracing_configured(environ):
        return None
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    name = environ.get("OTEL_SERVICE_NAME", "").strip() or DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    for exporter in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").lower().split(","):
        if exporter.strip() == "otlp":
            # Reads its endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        elif exporter.strip() == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        else:
            log.warning("OTEL_TRACES_EXPORTER %r is not supported here (otlp, console)", exporter)
    return provider


def tracing(environ: Mapping[str, str] | None = None) -> Iterator[TracerProvider | None]:
    """The process's tracing as a resource: the provider made global and asyncpg instrumented
    while it runs; at the end, spans still buffered are exported."""
    provider = tracer_provider(os.environ if environ is None else environ)
    if provider is None:
        yield None
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    try:
        yield provider
    finally:
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        provider.shutdown()


def instrument_http(app: Any, provider: trace.TracerProvider | None) -> None:
    """Server spans for the API's requests, continuing a caller's ``traceparent``."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
