"""Shadow ledgers for a what-if simulation, and what they are made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from domain.commands import SetProgramme
from domain.simulation_report import LedgerTotals, SimulationReport


@dataclass(frozen=True)
class CarriedEntry:
    """A live entry made over HTTP (a redemption, an adjustment, ...) in the window, carried
    into both shadows as an adjustment of the same points at the same time."""

    entry_id: UUID
    account_id: UUID
    kind: str
    points: int
    occurred_at: datetime


@dataclass(frozen=True)
class Opening:
    account_id: UUID
    points: int
    """The account's live balance at the window's start (the sum of its entries before)."""


class ShadowLedgers(Protocol):
    """Shadow databases beside the live one: made, seeded from it, read, dropped. The live
    database is only ever read."""

    async def create(self, name: str) -> str:
        """A new, migrated database ``name`` (dropped first if it exists); its URL."""
        ...

    async def drop(self, name: str) -> None: ...

    async def seed(
        self, shadow_url: str, business_id: str, enrolled_before: datetime, rules_until: datetime
    ) -> None:
        """Copy the programme (rule versions effective up to ``rules_until``) and the accounts
        enrolled before ``enrolled_before``, with empty balances."""
        ...

    async def openings(self, business_id: str, at: datetime) -> list[Opening]: ...

    async def carried(self, business_id: str, start: datetime, end: datetime) -> list[CarriedEntry]:
        """The HTTP-made point entries of the window, in the order they occurred."""
        ...

    async def totals(
        self,
        shadow_url: str,
        business_id: str,
        start: datetime,
        end: datetime,
        redemption_rate: Decimal,
        card_target: int,
    ) -> LedgerTotals: ...


class Simulations(Protocol):
    """Runs a what-if simulation of one business's window of history to its end and answers
    the report (minutes for a busy quarter)."""

    async def __call__(
        self, business_id: str, proposal: SetProgramme, start: datetime, end: datetime, top: int
    ) -> SimulationReport: ...
