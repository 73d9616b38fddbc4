"""The API over the real use cases on the in-memory unit of work, wired by the container, and a
client that speaks to it without a socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, Role, mint_token
from adapters.http.body_guard import DEFAULT_MAX_BODY_BYTES
from domain.accounts import Account
from domain.ledger import LedgerEntry
from domain.programme import Programme, RuleVersion
from domain.redemption import Redemption
from ports.operations import LoyaltyOperations
from service.entrypoints.containers import Container
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeStore, FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.unit.builders import account, sale

SECRET = "unit-test-secret-of-at-least-32-bytes!"
SHOP = "shop-a"
OTHER_SHOP = "shop-b"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

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


class Shop:
    """The store (the in-memory database), the clock and the health the API answers with.

    ``uows.made`` lists the units of work the API opened: none means no request reached the
    use cases. Seeding writes past the API, so it opens none there. ``fail_with`` makes every
    unit of work the API opens fail with that error, as a database in trouble would.
    """

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.uows = FakeUnitOfWorkFactory(self.store)
        self.clock = FakeClock(NOW)
        self.health = FakeHealth()
        self.fail_with: Exception | None = None
        container = Container()
        container.uow_factory.override(self._unit_of_work)
        container.clock.override(self.clock)
        self.operations: LoyaltyOperations = container.operations()

    def _unit_of_work(self) -> FakeUnitOfWork:
        if self.fail_with is not None:
            raise self.fail_with
        return self.uows()

    def app(
        self,
        auth: AuthSettings | None = None,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        phone_region: str = "GB",
    ) -> FastAPI:
        return create_http_app(
            self.operations,
            self.health,
            auth or AuthSettings(hs256_secret=SECRET),
            clock=self.clock,
            registry=CollectorRegistry(),
            max_body_bytes=max_body_bytes,
            phone_region=phone_region,
        )

    async def seed(self, business_id: str, customer_id: str, points: int = 0) -> UUID:
        """An enrolled customer who earned ``points`` on a sale (one earn entry, one lot)."""
        holder = account(customer_id, business_id=business_id)
        self.store.accounts[(business_id, holder.account_id)] = holder
        if points:
            purchase = sale(
                f"seed-{customer_id}", str(points), customer_id=customer_id, business_id=business_id
            )
            await ApplyEventBatch(FakeUnitOfWorkFactory(self.store), self.clock)([purchase])
        return holder.account_id

    def account(self, account_id: UUID) -> Account:
        return next(a for a in self.store.accounts.values() if a.account_id == account_id)

    def redemption(self, redemption_id: UUID) -> Redemption:
        return next(r for (_, rid), r in self.store.redemptions.items() if rid == redemption_id)

    def entries(self, account_id: UUID) -> list[LedgerEntry]:
        return [e for e in self.store.entries if e.account_id == account_id]


def two_shops() -> Shop:
    programmes = {SHOP: a_programme(SHOP), OTHER_SHOP: a_programme(OTHER_SHOP)}
    return Shop(FakeStore(programmes=programmes))


@pytest.fixture
def shop() -> Shop:
    return two_shops()


@pytest.fixture
def health(shop: Shop) -> FakeHealth:
    return shop.health


@pytest.fixture
def app(shop: Shop) -> FastAPI:
    return shop.app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        yield client
