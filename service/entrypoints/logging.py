"""structlog: JSON lines in production, readable lines on a terminal."""

from __future__ import annotations

import io
import logging
import sys
from typing import TextIO, cast

import structlog


class _CurrentStderr(io.TextIOBase):
    """Whatever ``sys.stderr`` is when a line is written, not when logging was configured: a
    command run inside a harness (click's CliRunner, pytest) swaps stderr and closes its
    stand-in afterwards, and cached loggers must not keep writing to the closed one."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(log_format: str = "auto", level: str = "INFO") -> None:
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, _CurrentStderr())),
        # Not cached: a logger resolves the configuration at each call (a few log lines a
        # batch), so reconfiguring (structlog.testing.capture_logs) reaches every logger.
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=max(numeric_level, logging.WARNING), stream=_CurrentStderr())
