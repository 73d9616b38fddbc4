"""An API over the in-memory fake operations, and a client that speaks to it without a socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, Role, mint_token
from domain.programme import Programme, RuleVersion

from .fakes import NOW, FakeHealth, FakeOperations

SECRET = "unit-test-secret-of-at-least-32-bytes!"
SHOP = "shop-a"
OTHER_SHOP = "shop-b"

Headers = dict[str, str]


def bearer(
    role: Role = Role.CASHIER, business_id: str = SHOP, *, ttl_seconds: int = 3600
) -> Headers:
    token = mint_token(
        SECRET,
        business_id,
        role,
        subject=f"{role.value}-1",
        terminal_id="till-2",
        store_id="store-7",
        ttl_seconds=ttl_seconds,
    )
    return {"Authorization": f"Bearer {token}"}


def a_programme(
    business_id: str = SHOP, *, inline_enrolment: bool = False, welcome_bonus: int = 0
) -> Programme:
    rule = RuleVersion(
        version=1,
        effective_from=NOW.replace(year=2024),
        earn_rate=Decimal(1),
        redemption_rate=Decimal(100),
    )
    return Programme(
        business_id=business_id,
        name="Points",
        inline_enrolment=inline_enrolment,
        welcome_bonus=welcome_bonus,
        rules=(rule,),
    )


@pytest.fixture
def operations() -> FakeOperations:
    fake = FakeOperations()
    fake.programmes = {SHOP: a_programme(SHOP), OTHER_SHOP: a_programme(OTHER_SHOP)}
    return fake


@pytest.fixture
def health() -> FakeHealth:
    return FakeHealth()


@pytest.fixture
def app(operations: FakeOperations, health: FakeHealth) -> FastAPI:
    return create_http_app(
        operations,
        health,
        AuthSettings(hs256_secret=SECRET),
        clock=operations.clock,
        registry=CollectorRegistry(),
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        yield client
