"""PostgresShadowLedgers: shadow databases on the live server for what-if simulations.

The live database is only read (programme rows, accounts, ledger sums); every write goes
to a shadow, migrated with the service's own migrations.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import asyncpg

from adapters.postgres.migrations import apply_migrations
from adapters.postgres.shadow_sql import (
    ACCOUNTS,
    BALANCES,
    BY_CATEGORY,
    BY_DAY,
    BY_KIND,
    BY_STORE,
    CARRIED,
    FORWARDS,
    IDENTIFIERS,
    LEVELS,
    OPENINGS,
    PROGRAMME,
    REWARDS,
    RULES,
    database_url,
    totals_from,
)
from domain.simulation_report import LedgerTotals
from ports.simulation import CarriedEntry, Opening

SHADOW_NAME = re.compile(r"[a-z0-9_]{1,63}")


class PostgresShadowLedgers:
    def __init__(self, live_url: str, template: str | None = None) -> None:
        self._live_url = live_url
        # An already migrated database to copy (tests, the bench): quicker than migrating.
        self._template = template

    async def create(self, name: str) -> str:
        """Refuses a name in use (CREATE DATABASE fails): it is never dropped to make room."""
        self._check(name)
        admin = await asyncpg.connect(self._live_url)
        try:
            copy = f' TEMPLATE "{self._template}"' if self._template else ""
            await admin.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            await admin.close()
        url = database_url(self._live_url, name)
        if self._template is None:
            await asyncio.to_thread(apply_migrations, url)
        return url

    async def drop(self, name: str) -> None:
        self._check(name)
        admin = await asyncpg.connect(self._live_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    def _check(self, name: str) -> None:
        """A shadow's name is quoted into DDL, and must never be the live database's."""
        live = urlsplit(self._live_url).path.lstrip("/")
        if not SHADOW_NAME.fullmatch(name) or name == live:
            raise ValueError(f"{name!r} cannot name a shadow database (a-z, 0-9, _; not {live!r})")

    async def seed(
        self, shadow_url: str, business_id: str, enrolled_before: datetime, rules_until: datetime
    ) -> None:
        live = await asyncpg.connect(self._live_url)
        shadow = await asyncpg.connect(shadow_url)
        try:
            for table, sql, args in (
                ("programmes", PROGRAMME, (business_id,)),
                ("rule_versions", RULES, (business_id, rules_until)),
                ("accounts", ACCOUNTS, (business_id, enrolled_before)),
                ("customer_identifiers", IDENTIFIERS, (business_id, enrolled_before)),
                ("account_forwards", FORWARDS, (business_id, enrolled_before)),
            ):
                rows = await live.fetch(sql, *args)
                if rows:
                    await shadow.copy_records_to_table(
                        table, records=[tuple(r) for r in rows], columns=list(rows[0].keys())
                    )
        finally:
            await live.close()
            await shadow.close()

    async def openings(self, business_id: str, at: datetime) -> list[Opening]:
        live = await asyncpg.connect(self._live_url)
        try:
            rows = await live.fetch(OPENINGS, business_id, at)
        finally:
            await live.close()
        return [Opening(r["account_id"], r["points"]) for r in rows]

    async def carried(self, business_id: str, start: datetime, end: datetime) -> list[CarriedEntry]:
        live = await asyncpg.connect(self._live_url)
        try:
            rows = await live.fetch(CARRIED, business_id, start, end)
        finally:
            await live.close()
        return [CarriedEntry(**dict(r)) for r in rows]

    async def totals(
        self,
        shadow_url: str,
        business_id: str,
        start: datetime,
        end: datetime,
        redemption_rate: Decimal,
        card_target: int,
    ) -> LedgerTotals:
        shadow = await asyncpg.connect(shadow_url)
        try:
            window = (business_id, start, end)
            return totals_from(
                by_kind=await shadow.fetch(BY_KIND, *window),
                rewards=await shadow.fetchval(REWARDS, *window, card_target),
                levels=await shadow.fetch(LEVELS, business_id),
                by_store=await shadow.fetch(BY_STORE, *window),
                by_category=await shadow.fetch(BY_CATEGORY, *window),
                by_day=await shadow.fetch(BY_DAY, *window),
                balances=await shadow.fetch(BALANCES, business_id),
                redemption_rate=redemption_rate,
            )
        finally:
            await shadow.close()
