"""The ``loyalty`` exit codes, kept in one place: a command that cannot reach the database or
the broker ends with one line on stderr and exit 3 (a traceback only under ``--debug``), so a
cron job can tell "the check found something" (1) from "the check could not run" (3)."""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import psycopg
import typer
from aiokafka import errors as kafka_errors
from pydantic import ValidationError
from typer.core import TyperGroup
from typer.exceptions import TyperException

OK, FINDING, USAGE, UNREACHABLE = 0, 1, 2, 3

EPILOG = (
    "Exit codes: 0 ok; 1 a finding (verify: a breach; expire, levels review: accounts left for"
    " the next run; contracts validate: a message rejected; account: no such account; enroll:"
    " already enrolled); 2 usage (a bad option or value, invalid LOYALTY_* settings); 3"
    " the database or the broker unreachable (one line on stderr; --debug for the traceback)."
    " Times are ISO 8601 with an offset (2026-03-01T00:00:00+00:00 or ...Z; none: UTC)."
    " --json: one machine-readable document on stdout and nothing else there."
)

# Refused, timed out, unknown host, or a server that will not have us: the command could not
# run, which is not what its answer says. Files the command reads are a usage matter instead.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.TooManyConnectionsError,
    psycopg.OperationalError,  # the migrations' driver (yoyo)
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NoBrokersAvailable,
)
_LOCAL_FILES = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, what caused it and, for groups, their members (each once)."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def unreachable(error: BaseException) -> BaseException | None:
    """The connection failure behind ``error``, if that is what it is."""
    for cause in _chain(error):
        if isinstance(cause, _UNREACHABLE):
            return cause
        # asyncpg says "Multiple exceptions: [Errno 111] ..." as a bare OSError.
        if type(cause) is OSError and not isinstance(cause, _LOCAL_FILES):
            return cause
    return None


def _which_server(error: BaseException) -> str:
    """Which client failed: the exception's own module, else the frames it passed through
    (a refused socket is a builtin ConnectionRefusedError whichever client opened it)."""
    places = [type(error).__module__]
    tb = error.__traceback__
    while tb is not None:
        places.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    for marker, what in (("asyncpg", "database"), ("psycopg", "database"), ("aiokafka", "broker")):
        if any(marker in place for place in places):
            return what
    return "database or broker"


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    what = _which_server(error)
    return f"loyalty: {what} unreachable: {text} (--debug for the traceback)"


def _invalid_settings(error: BaseException) -> str | None:
    if isinstance(error, ValidationError) and error.title == "Settings":
        problems = "; ".join(
            f"LOYALTY_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
        )
        return f"loyalty: invalid settings: {problems}"
    return None


# The servers' own output is their logs; a one-shot command's is its answer, and the client
# libraries' internal lines (a refused connection retried, an unclosed consumer after it) only
# repeat the one-line message in many lines. --debug shows them.
SERVERS = frozenset({"serve", "dev"})
_CLIENT_LOGGERS = ("asyncio", "aiokafka")


def _silent(_record: logging.LogRecord) -> bool:
    return False


@contextmanager
def quiet_client_libraries(quiet: bool) -> Iterator[None]:
    """The client libraries' loggers muted while a command runs (and no longer: the tests
    run many commands and more in one process)."""
    loggers = [logging.getLogger(name) for name in _CLIENT_LOGGERS] if quiet else []
    for logger in loggers:
        logger.addFilter(_silent)
    try:
        yield
    finally:
        if loggers:
            gc.collect()  # "Unclosed AIOKafkaConsumer" is said when a consumer is collected
        for logger in loggers:
            logger.removeFilter(_silent)


class ExitCodeGroup(TyperGroup):
    """The top-level group: turns infrastructure failures into exit 3 and invalid settings
    into exit 2, once for every command (CliRunner goes through here too)."""

    def invoke(self, ctx: Any) -> Any:
        command = next(iter(ctx._protected_args), None)
        debug = bool(ctx.params.get("debug"))
        with quiet_client_libraries(not debug and command not in SERVERS):
            try:
                return super().invoke(ctx)
            except (typer.Exit, typer.Abort, TyperException):
                raise
            except Exception as error:
                verdict = None if debug else _verdict(error)
                if verdict is None:
                    raise  # under --debug, or a bug: its traceback is what to report
            # Out of the handler, the failure's frames (and the clients they hold) can be
            # collected while the libraries are still muted.
            code, message = verdict
            typer.echo(message, err=True)
            raise typer.Exit(code)


def _verdict(error: Exception) -> tuple[int, str] | None:
    settings = _invalid_settings(error)
    if settings is not None:
        return USAGE, settings
    cause = unreachable(error)
    return None if cause is None else (UNREACHABLE, one_line(cause))
