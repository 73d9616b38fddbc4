from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import EnrolCustomer, SetProgramme
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes

EARLY = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def uow_factory(pool: asyncpg.Pool) -> PostgresUnitOfWorkFactory:
    return PostgresUnitOfWorkFactory(pool)


@pytest.fixture
def apply_events(uow_factory: PostgresUnitOfWorkFactory) -> ApplyEventBatch:
    return ApplyEventBatch(uow_factory, SystemClock())


async def given_programme(
    uow_factory: PostgresUnitOfWorkFactory, business: str, earn_rate: str = "1", **options: Any
) -> None:
    await Programmes(uow_factory, SystemClock()).set(
        SetProgramme(
            business_id=business,
            earn_rate=Decimal(earn_rate),
            redemption_rate=Decimal(100),
            effective_from=EARLY,
            **options,  # any other SetProgramme keyword
        )
    )


async def given_customer(
    uow_factory: PostgresUnitOfWorkFactory, business: str, customer: str
) -> None:
    await Accounts(uow_factory, SystemClock()).enrol(EnrolCustomer(business, customer))
