"""Only an event's own data may send it to the dead-letter topic; a failure that would fail
every event (schema, permissions, read-only, an unknown bug) holds the batch back instead."""

from __future__ import annotations

import decimal
from collections.abc import Sequence

import asyncpg
import pytest
from asyncpg import exceptions as pg
from asyncpg.exceptions._base import DataError as ArgumentEncodingError
from structlog.testing import capture_logs

from adapters.postgres.errors import is_transient_database_error, may_dead_letter_event
from domain.batch import BatchChanges
from domain.customer_updates import IntakeEvent
from domain.events import EventKind, InboundEvent
from service.use_cases.retrying import RetryingEventHandler, RetryPolicy
from tests.fakes import FakeMetrics
from tests.support.events import parsed, sale

pytestmark = pytest.mark.unit

FAST = RetryPolicy(initial_seconds=0.001, max_seconds=0.002, budget_seconds=0.05)


class BrokenOnCustomer:
    """Applies events, but raises ``error`` on any batch holding one customer's event."""

    def __init__(self, poison_customer: str, error: BaseException) -> None:
        self.poison_customer = poison_customer
        self.error = error
        self.applied: list[str] = []

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        if any(getattr(e, "customer_id", None) == self.poison_customer for e in events):
            raise self.error
        self.applied.extend(e.event_id for e in events)
        return BatchChanges()


def three_sales() -> list[InboundEvent]:
    return [parsed(EventKind.SALE_COMPLETED, sale("b", c, "1")) for c in ("a", "poison", "c")]


def handler_over(inner: BrokenOnCustomer, metrics: FakeMetrics) -> RetryingEventHandler:
    return RetryingEventHandler(
        inner, is_transient_database_error, FAST, metrics, may_dead_letter=may_dead_letter_event
    )


SYSTEMIC = [
    pg.UndefinedTableError('relation "point_lots" does not exist'),
    pg.UndefinedColumnError('column "pending_until" does not exist'),
    pg.ReadOnlySQLTransactionError("cannot execute INSERT in a read-only transaction"),
    pg.InsufficientPrivilegeError("permission denied for table accounts"),
    pg.FeatureNotSupportedError("not supported"),
    pg.InvalidSchemaNameError('schema "loyalty" does not exist'),
    pg.ConfigFileError("configuration file contains errors"),
    pg.DiskFullError("could not extend file: No space left on device"),
    pg.NotNullViolationError('null value in column "pending_until"'),  # a column added first
    pg.RaiseError("ledger entries are immutable"),
    ArgumentEncodingError("invalid input for query argument $1"),
    KeyError("a bug nobody has seen yet"),
    RuntimeError("anything else"),
]
EVENT_DATA = [
    decimal.InvalidOperation([decimal.InvalidOperation]),
    OverflowError("date value out of range"),
    ValueError("amount out of range"),
    pg.NumericValueOutOfRangeError("numeric field overflow"),
    pg.DatetimeFieldOverflowError("timestamp out of range"),
    pg.CheckViolationError('new row violates check constraint "points_fit"'),
]


@pytest.mark.parametrize("error", SYSTEMIC, ids=lambda e: type(e).__name__)
async def test_a_failure_that_is_not_one_events_data_is_never_dead_lettered(
    error: BaseException,
) -> None:
    inner, metrics = BrokenOnCustomer("poison", error), FakeMetrics()

    with capture_logs() as logs, pytest.raises(type(error)):
        await handler_over(inner, metrics)(three_sales())

    # Raising is what leaves the offsets uncommitted: the batch comes back after a pause.
    assert ("systemic_failure", ("consumer", type(error).__name__)) in metrics.calls
    assert any(line["log_level"] == "error" and "systemic" in line["event"] for line in logs)


@pytest.mark.parametrize("error", EVENT_DATA, ids=lambda e: type(e).__name__)
async def test_an_event_whose_own_values_fail_is_isolated_and_the_rest_of_its_batch_applied(
    error: BaseException,
) -> None:
    inner, metrics = BrokenOnCustomer("poison", error), FakeMetrics()
    events = three_sales()

    changes = await handler_over(inner, metrics)(events)

    assert inner.applied == [events[0].event_id, events[2].event_id]
    assert [(e.event_id, reason) for e, reason in changes.failed] == [
        (events[1].event_id, f"{type(error).__name__}: {error}")
    ]
    assert not [call for call in metrics.calls if call[0] == "systemic_failure"]


@pytest.mark.parametrize(
    "error",
    [
        pg.InvalidCachedStatementError("cached statement plan is invalid"),
        pg.OutdatedSchemaCacheError("type of column changed"),
        pg.SerializationError("could not serialize access"),
        pg.ConnectionDoesNotExistError("connection was closed"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_transient_failure_is_retried_in_place_and_the_batch_applies(
    error: BaseException,
) -> None:
    class FailsOnce(BrokenOnCustomer):
        async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
            if not self.applied and self.poison_customer:
                self.poison_customer = ""
                raise self.error
            return await super().__call__(events)

    inner, metrics = FailsOnce("poison", error), FakeMetrics()
    events = three_sales()

    changes = await handler_over(inner, metrics)(events)

    assert (inner.applied, changes.failed) == ([e.event_id for e in events], [])
    assert metrics.calls == [("retry", ("consumer",))]


def postgres_error_classes() -> list[type[asyncpg.PostgresError]]:
    found: list[type[asyncpg.PostgresError]] = []
    pending: list[type[asyncpg.PostgresError]] = [asyncpg.PostgresError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", postgres_error_classes(), ids=lambda c: c.__name__)
def test_only_data_exceptions_and_check_violations_may_dead_letter_among_all_postgres_errors(
    cls: type[asyncpg.PostgresError],
) -> None:
    error = cls("message")
    data = issubclass(cls, (pg.DataError, pg.CheckViolationError))

    assert may_dead_letter_event(error) is data
    assert not (data and is_transient_database_error(error))


async def test_a_transient_failure_outlasting_its_budget_propagates_without_dead_letters() -> None:
    async def unreachable(events: Sequence[IntakeEvent]) -> BatchChanges:
        raise ConnectionError("database down")

    handler = RetryingEventHandler(unreachable, is_transient_database_error, FAST)
    with pytest.raises(ConnectionError):
        await handler([parsed(EventKind.SALE_COMPLETED, sale("b", "a", "1"))])
