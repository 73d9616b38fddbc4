"""Database errors in three classes: worth retrying, one event's data, and systemic.

- Transient: lost connections, conflicts, lock waits, timeouts, a cached statement the
  schema outdated. Retrying the same work soon succeeds.
- One event's data: a value PostgreSQL refuses (class 22: numeric overflow, a datetime out
  of range, division by zero; a check constraint). Only these may dead-letter an event.
- Everything else is systemic, whether recognised or not: a table or column that is not
  there yet, a read-only failover, a missing privilege, a full disk, a feature the server
  lacks, a bug. Such an error would fail every event, so the work waits and retries; sending
  the backlog to the dead-letter topic would only move the outage into an operator's queue.
"""

from __future__ import annotations

import asyncpg
from asyncpg import exceptions as pg
from asyncpg.exceptions._base import DataError as ArgumentEncodingError

from domain.errors import ConcurrentUpdate

TRANSIENT_POSTGRES_ERRORS: tuple[type[BaseException], ...] = (
    ConcurrentUpdate,  # a conflict below, as the unit of work reports it
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    pg.TransactionRollbackError,  # serialization failure, deadlock detected
    pg.LockNotAvailableError,
    pg.UniqueViolationError,  # a concurrent writer got there first; reloading resolves it
    pg.OperatorInterventionError,  # admin shutdown, query canceled
    pg.CannotConnectNowError,
    pg.TooManyConnectionsError,
    pg.OutOfMemoryError,
    pg.IdleInTransactionSessionTimeoutError,
    pg.IdleSessionTimeoutError,
    # The schema changed under a prepared statement: asyncpg drops its statement cache, and
    # running the transaction again prepares afresh.
    pg.InvalidCachedStatementError,
    pg.OutdatedSchemaCacheError,
    OSError,
    TimeoutError,
)

# Subclasses of the classes above that retrying soon will not cure.
_NOT_TRANSIENT: tuple[type[BaseException], ...] = (
    ArgumentEncodingError,  # asyncpg could not encode a query argument: a bug
)

EVENT_DATA_POSTGRES_ERRORS: tuple[type[BaseException], ...] = (
    pg.DataError,  # class 22, data exception: one value out of range or malformed
    pg.CheckViolationError,
)

_DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def is_transient_database_error(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_POSTGRES_ERRORS) and not isinstance(error, _NOT_TRANSIENT)


def may_dead_letter_event(error: BaseException) -> bool:
    """Whether ``error`` belongs to one event's data, so that event alone may be set aside.

    An allow-list: an error class not named here holds the batch back instead, so an error
    nobody foresaw is never the reason the backlog goes to the dead-letter topic.
    """
    if isinstance(error, _DATABASE_ERRORS):
        return isinstance(error, EVENT_DATA_POSTGRES_ERRORS)
    # The rules' own refusals of one event's numbers (an amount that overflows a Decimal
    # context, a value out of range).
    return isinstance(error, (ValueError, ArithmeticError))


CONFLICT_ERRORS: tuple[type[BaseException], ...] = (
    ConcurrentUpdate,
    pg.TransactionRollbackError,
    pg.LockNotAvailableError,
    pg.UniqueViolationError,
)


def is_conflict_error(error: BaseException) -> bool:
    """Another transaction holds or changed the same rows: the caller may retry."""
    return isinstance(error, CONFLICT_ERRORS)
