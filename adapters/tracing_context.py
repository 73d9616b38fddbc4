"""Trace context from an inbound event to the ledger messages it causes.

Off (no provider), an inbound ``traceparent`` is still carried to the ledger messages, so a
traced upstream keeps its chain. On, the consumer opens a span per traced event, a child of
the event's inbound context, and the ledger messages the event causes carry that span's.

The context an entry's message continues is captured where its outbox row is written
(``outbox_traceparents``): the consumer says which event came with which context
(``ConsumerTracing.batch``); anything else, an API call, continues the current span.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()

# Per business and event id, the context the event's postings continue: set by the consumer
# around a batch, read where its outbox rows are written (same task, so no locking).
_EVENT_CONTEXTS: ContextVar[Mapping[str, Mapping[str, str]] | None] = ContextVar(
    "loyalty_event_traceparents", default=None
)

Headers = Sequence[tuple[str, bytes]]


def inbound_traceparent(headers: Headers | None) -> str | None:
    """A record's ``traceparent`` as W3C Trace Context writes it, or None when it has none
    or a malformed one (what a sender wrote is never passed on unchecked)."""
    for key, value in headers or ():
        if key == TRACEPARENT:
            text = bytes(value[:128]).decode("ascii", "replace")
            carrier: dict[str, str] = {}
            _PROPAGATOR.inject(carrier, context=_PROPAGATOR.extract({TRACEPARENT: text}))
            return carrier.get(TRACEPARENT)
    return None


def current_traceparent() -> str | None:
    """The current span's context as a ``traceparent`` value; None outside a valid span."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def outbox_traceparents() -> tuple[Mapping[str, Mapping[str, str]], str | None]:
    """What outbox rows written now continue: the events' own contexts by business and event
    id, and the current span's for entries no traced event caused."""
    return _EVENT_CONTEXTS.get() or {}, current_traceparent()


@contextmanager
def _events_continue(contexts: Mapping[str, Mapping[str, str]]) -> Iterator[None]:
    token = _EVENT_CONTEXTS.set(contexts)
    try:
        yield
    finally:
        _EVENT_CONTEXTS.reset(token)


class ConsumerTracing:
    """Spans around the consumer's batches; with no provider, only the inbound contexts are
    passed on."""

    def __init__(self, provider: trace.TracerProvider | None = None) -> None:
        self._tracer = provider.get_tracer("loyalty.consumer") if provider is not None else None

    @contextmanager
    def batch(self, events: Iterable[tuple[str, Headers | None, str, str]]) -> Iterator[None]:
        """Around the apply of a batch of (topic, headers, business id, event id)."""
        traced = [
            (topic, parent, business_id, event_id)
            for topic, headers, business_id, event_id in events
            if (parent := inbound_traceparent(headers)) is not None
        ]
        if self._tracer is None:
            contexts: dict[str, dict[str, str]] = {}
            for _, parent, business_id, event_id in traced:
                contexts.setdefault(business_id, {})[event_id] = parent
            with _events_continue(contexts):
                yield
            return
        with (
            ExitStack() as spans,
            self._traced_batch(traced, spans) as contexts,
            _events_continue(contexts),
        ):
            yield

    @contextmanager
    def _traced_batch(
        self, traced: list[tuple[str, str, str, str]], spans: ExitStack
    ) -> Iterator[dict[str, dict[str, str]]]:
        assert self._tracer is not None
        contexts: dict[str, dict[str, str]] = {}
        links = []
        for topic, parent, business_id, event_id in traced:
            inbound = _PROPAGATOR.extract({TRACEPARENT: parent})
            span = self._tracer.start_span(
                f"{topic} process",
                context=inbound,
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": topic,
                    "messaging.operation.type": "process",
                    "loyalty.event_id": event_id,
                },
            )
            spans.enter_context(_ended_on_exit(span))
            links.append(Link(span.get_span_context()))
            carrier: dict[str, str] = {}
            _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
            if TRACEPARENT in carrier:
                contexts.setdefault(business_id, {})[event_id] = carrier[TRACEPARENT]
        # The batch's own span (its queries' parent) links to every event it applied.
        with self._tracer.start_as_current_span("loyalty apply batch", links=links):
            yield contexts


@contextmanager
def _ended_on_exit(span: trace.Span) -> Iterator[None]:
    try:
        yield
    except BaseException as error:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        raise
    finally:
        span.end()
