"""Retrying transient failures with bounded exponential backoff and jitter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

from domain.batch import BatchChanges
from domain.customer_updates import IntakeEvent
from ports.backoff import Backoff
from ports.intake import EventBatchHandler
from ports.metrics import ServiceMetrics

log = structlog.get_logger("loyalty.retry")


@dataclass(frozen=True)
class RetryPolicy:
    initial_seconds: float = Backoff.initial_seconds
    max_seconds: float = Backoff.max_seconds
    budget_seconds: float = 10.0  # as Settings.retry_budget_seconds, the one place to set it


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning(
        "transient failure, retrying",
        attempt=state.attempt_number,
        wait_seconds=round(state.upcoming_sleep, 2),
        error=repr(error),
    )


def is_domain_data_error(error: BaseException) -> bool:
    """An error the rules raise on one event's values (an amount that overflows, a value out
    of range). The default allow-list of what may dead-letter an event."""
    return isinstance(error, (ValueError, ArithmeticError))


class RetryingEventHandler:
    """Retries the batch while failures are transient, within the policy's time budget.

    Three classes of failure:

    - transient (``is_transient``): retried in place; when the budget runs out the error
      propagates and the consumer pauses, leaving the offsets uncommitted, so the batch is
      delivered again. Nothing is skipped.
    - one event's data (``may_dead_letter``, an allow-list): the batch is re-applied one event
      at a time and the events that still fail are returned in ``failed`` for the
      dead-letter topic, where an operator can redrive them once the cause is fixed (a sale
      among them leaves its returns parked until then).
    - anything else is systemic: it would fail every event (a table not migrated yet, a
      read-only failover, a revoked privilege, a full disk, or a bug nobody has seen yet). It
      propagates like a transient failure, so the consumer pauses and redelivers with its
      backoff, and it is logged and counted; no event is dead-lettered for it.

    A batch that fails for any reason but a transient one is still re-applied event by event
    first: an error that only the combination of events caused goes away there.
    """

    def __init__(
        self,
        inner: EventBatchHandler,
        is_transient: Callable[[BaseException], bool],
        policy: RetryPolicy,
        metrics: ServiceMetrics | None = None,
        may_dead_letter: Callable[[BaseException], bool] = is_domain_data_error,
    ) -> None:
        self._metrics = metrics
        self._inner = inner
        self._is_transient = is_transient
        self._may_dead_letter = may_dead_letter
        self._policy = policy

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        try:
            return await self._with_retries(events)
        except Exception as error:
            if self._is_transient(error):
                raise
            log.warning("batch failed; applying event by event", error=repr(error))
            return await self._isolate(events)

    async def _isolate(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        """Apply events one at a time so one poisonous event cannot block its partition."""
        merged = BatchChanges()
        for event in events:
            try:
                merged.absorb(await self._with_retries([event]))
            except Exception as error:
                if self._is_transient(error):
                    raise
                if not self._may_dead_letter(error):
                    self._systemic(error, event)
                    raise
                merged.failed.append((event, f"{type(error).__name__}: {error}"))
        return merged

    def _systemic(self, error: BaseException, event: IntakeEvent) -> None:
        log.error(
            "systemic failure: not the event's data, so nothing is dead-lettered; the batch "
            "is held back and delivered again after a pause",
            error=repr(error),
            event_id=event.event_id,
            exc_info=error,
        )
        if self._metrics is not None:
            self._metrics.systemic_failure("consumer", type(error).__name__)

    def _before_sleep(self, state: RetryCallState) -> None:
        _log_retry(state)
        if self._metrics is not None:
            self._metrics.retry("consumer")

    async def _with_retries(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        retrying = AsyncRetrying(
            retry=retry_if_exception(self._is_transient),
            wait=wait_exponential_jitter(
                multiplier=self._policy.initial_seconds,
                max=self._policy.max_seconds,
                jitter=self._policy.initial_seconds,
            ),
            stop=stop_after_delay(self._policy.budget_seconds),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._inner(events)
        raise AssertionError("unreachable: tenacity reraises the last error")
