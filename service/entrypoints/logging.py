"""One log stream: structlog's lines and the standard library's (aiokafka, asyncpg, uvicorn,
faststream) rendered by the same processors, as JSON lines in production and readable lines
on a terminal.

Every line carries ``timestamp``, ``level``, ``logger``, ``event``, ``service``, ``version``
and ``role``; whatever is bound in the context (a request id, a batch's records) as well.
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SERVICE = "loyalty-points"
_OUR_LOGGERS = "loyalty"
# Libraries that attach a handler of their own at import (faststream) or when run with their
# default configuration (uvicorn).
_OWN_HANDLERS = ("faststream", "faststream.access", "uvicorn", "uvicorn.error", "uvicorn.access")


class _CurrentStderr(io.TextIOBase):
    """Whatever ``sys.stderr`` is when a line is written, not when logging was configured: a
    command run inside a harness (click's CliRunner, pytest) swaps stderr and closes its
    stand-in afterwards, and cached loggers must not keep writing to the closed one."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _OneStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler this module installs (so configuring again replaces, not adds)."""


def _version() -> str:
    try:
        return importlib.metadata.version(SERVICE)
    except importlib.metadata.PackageNotFoundError:  # run from a tree never installed
        return "unknown"


def _flatten_extra(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """faststream passes its fields as ``extra={...}`` to the structlog logger it is given;
    lift them to the top level, never over a key the line already has (and drop the
    ``extra=None`` it passes when it has none)."""
    extra = event_dict.get("extra")
    if isinstance(extra, dict):
        del event_dict["extra"]
        for key, value in extra.items():
            event_dict.setdefault(key, value)
    elif "extra" in event_dict and extra is None:
        del event_dict["extra"]
    return event_dict


def _identity(role: str) -> structlog.types.Processor:
    version = _version()

    def add(
        logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", SERVICE)
        event_dict.setdefault("version", version)
        event_dict.setdefault("role", role)
        return event_dict

    return add


def _logger_name(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # structlog.stdlib.add_logger_name, but also for a logger without a name (a test's own).
    record = event_dict.get("_record")
    name = record.name if record is not None else getattr(logger, "name", None)
    event_dict.setdefault("logger", name or "root")
    return event_dict


def shared_processors(role: str) -> list[structlog.types.Processor]:
    """What every line goes through, ours and the standard library's, before rendering."""
    return [
        structlog.contextvars.merge_contextvars,
        _logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _flatten_extra,
        _identity(role),
        structlog.processors.StackInfoRenderer(),
    ]


def configure_logging(log_format: str = "auto", level: str = "INFO", role: str = "cli") -> None:
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    rendering: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if use_json
        else [structlog.dev.ConsoleRenderer()]
    )
    shared = shared_processors(role)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Not cached: a logger resolves the configuration at each call (a few log lines a
        # batch), so reconfiguring (structlog.testing.capture_logs) reaches every logger.
        cache_logger_on_first_use=False,
    )
    handler = _OneStreamHandler(_CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OneStreamHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    # Libraries' INFO lines (aiokafka's joins and rebalances, uvicorn's start) stay out below
    # WARNING as before; ours follow the configured level.
    root.setLevel(max(numeric_level, logging.WARNING))
    logging.getLogger(_OUR_LOGGERS).setLevel(numeric_level)
    for name in _OWN_HANDLERS:  # into the one stream instead of their own plain text
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
    # The access line is ours (adapters.http.request_id), with the route template.
    logging.getLogger("uvicorn.access").disabled = True
