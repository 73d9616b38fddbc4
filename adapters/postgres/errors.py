"""Which database errors are worth retrying: lost connections, conflicts, lock waits."""

from __future__ import annotations

import asyncpg
from asyncpg import exceptions as pg

TRANSIENT_POSTGRES_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    pg.TransactionRollbackError,  # serialization failure, deadlock detected
    pg.LockNotAvailableError,
    pg.UniqueViolationError,  # a concurrent writer got there first; reloading resolves it
    pg.OperatorInterventionError,  # admin shutdown, query canceled
    pg.CannotConnectNowError,
    pg.TooManyConnectionsError,
    pg.InsufficientResourcesError,
    OSError,
    TimeoutError,
)


def is_transient_database_error(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_POSTGRES_ERRORS)


CONFLICT_ERRORS: tuple[type[BaseException], ...] = (
    pg.TransactionRollbackError,
    pg.LockNotAvailableError,
    pg.UniqueViolationError,
)


def is_conflict_error(error: BaseException) -> bool:
    """Another transaction holds or changed the same rows: the caller may retry."""
    return isinstance(error, CONFLICT_ERRORS)
