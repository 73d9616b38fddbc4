"""The real HTTP API over real PostgreSQL, in process: the app, a clock, tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, mint_token
from adapters.postgres.errors import is_conflict_error
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.use_cases.accounts import Accounts
from service.use_cases.operations import LoyaltyService
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions

SECRET = "integration-secret-long-enough-for-hs256"


class SettableClock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


class DatabaseOnlyHealth:
    async def __call__(self) -> dict[str, bool]:
        return {"database": True}


def real_app(uow_factory: PostgresUnitOfWorkFactory, clock: SettableClock) -> FastAPI:
    operations = LoyaltyService(
        Programmes(uow_factory, clock),
        Accounts(uow_factory, clock),
        Redemptions(uow_factory, clock),
        is_conflict_error,
    )
    return create_http_app(
        operations,
        DatabaseOnlyHealth(),
        AuthSettings(hs256_secret=SECRET),
        clock=clock,
        registry=CollectorRegistry(),
    )


def auth(business: str, role: str = "cashier", terminal: str | None = "till-1") -> dict[str, str]:
    token = mint_token(SECRET, business, role, f"{role}-sam", terminal_id=terminal)
    return {"Authorization": f"Bearer {token}"}
