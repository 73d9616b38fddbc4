"""Exports: the ledger or the balances of one business, read in key order a batch at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Protocol
from uuid import UUID


class Dataset(Enum):
    LEDGER = "ledger"
    BALANCES = "balances"


class Rendering(Enum):
    """How the store hands values over: each row as its published JSON text (one column),
    every value as text (null as None), or typed (integers, aware times, lists of text; ids
    and decimals as exact text)."""

    JSON = "json"
    TEXT = "text"
    TYPED = "typed"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """One of ``int``, ``time``, ``text``, ``texts`` (a list of text)."""


@dataclass(frozen=True)
class ExportQuery:
    """Rows of one business: ledger entries recorded in [since, until), in (account, seq)
    order; balances of accounts last active in [since, until), by account. ``after`` resumes
    past a row's key; ``limit`` stops after that many rows (None: all of them)."""

    dataset: Dataset
    business_id: str
    since: datetime | None = None
    until: datetime | None = None
    after: tuple[UUID, int] | None = None
    limit: int | None = None


class Exports(Protocol):
    """Read-only, from one snapshot per call; memory bounded by one batch whatever the size."""

    def columns(self, dataset: Dataset) -> tuple[Column, ...]: ...

    def batches(
        self, query: ExportQuery, rendering: Rendering
    ) -> AsyncIterator[Sequence[Sequence[Any]]]:
        """The rows in key order, a batch at a time, in ``columns`` order (JSON: one column)."""
        ...

    async def last_key(self, query: ExportQuery) -> tuple[UUID, int] | None:
        """The key of the ``limit``-th row when more rows follow it (where a next page
        starts), else None."""
        ...
