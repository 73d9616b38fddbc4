"""Who may give a captured redemption's points back, over the API and the real use cases (on
in-memory fakes of the ports): a manager or admin at any time; a cashier only at the till the
redemption was made at, within 15 minutes of the capture."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, Role, mint_token
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.operations import LoyaltyService
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from tests.unit.builders import BUSINESS, account, account_id_of, sale
from tests.unit.builders import programme as make_programme
from tests.unit.fake_ports import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .conftest import SECRET
from .fake_accounts import NOW, FakeHealth

pytestmark = pytest.mark.unit

ACCOUNT = account_id_of("c1")


def staff(role: Role, till: str = "till-2") -> dict[str, str]:
    token = mint_token(SECRET, BUSINESS, role, f"{role.value}-1", terminal_id=till)
    return {"Authorization": f"Bearer {token}"}


class Shop:
    def __init__(self) -> None:
        c1 = account("c1")
        self.uows = FakeUnitOfWorkFactory(
            FakeStore(
                programmes={BUSINESS: make_programme()}, accounts={(BUSINESS, c1.account_id): c1}
            )
        )
        self.clock = FakeClock(NOW)
        service = LoyaltyService(
            Programmes(self.uows, self.clock),
            Accounts(self.uows, self.clock),
            Redemptions(self.uows, self.clock),
            lambda error: False,
        )
        self.app = create_http_app(
            service,
            FakeHealth(),
            AuthSettings(hs256_secret=SECRET),
            clock=self.clock,
            registry=CollectorRegistry(),
        )

    def balance(self) -> int:
        return self.uows.store.accounts[(BUSINESS, ACCOUNT)].balance


@pytest.fixture
async def shop() -> Shop:
    s = Shop()
    await ApplyEventBatch(s.uows, s.clock)([sale("s0", "500")])
    return s


@pytest.fixture
async def client(shop: Shop) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=shop.app, client=("203.0.113.9", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as c:
        yield c


async def redeemed(client: httpx.AsyncClient, *, hold: bool = False) -> str:
    response = await client.post(
        f"/v1/accounts/{ACCOUNT}/redemptions",
        json={"points": 100, "hold": hold},
        headers={**staff(Role.CASHIER), "Idempotency-Key": f"k-{hold}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["redemption_id"])


async def test_a_cashier_at_another_till_cannot_give_captured_points_back(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    redemption = await redeemed(client)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER, till="till-9")
    )

    assert response.status_code == 403
    assert response.json()["code"] == "cancel_not_allowed"
    assert shop.balance() == 400


async def test_a_cashier_at_the_same_till_cannot_give_points_back_after_the_window(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    redemption = await redeemed(client)
    shop.clock.advance(minutes=16)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER)
    )

    assert response.status_code == 403
    assert shop.balance() == 400


async def test_a_cashier_at_the_same_till_may_give_points_back_soon_after(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    redemption = await redeemed(client)
    shop.clock.advance(minutes=14)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER)
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.balance() == 500


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
async def test_a_manager_or_admin_may_give_points_back_from_any_till_at_any_time(
    client: httpx.AsyncClient, shop: Shop, role: Role
) -> None:
    redemption = await redeemed(client)
    shop.clock.advance(days=3)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(role, till="back-office")
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.balance() == 500


async def test_any_cashier_may_release_a_hold_that_was_never_captured(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    redemption = await redeemed(client, hold=True)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER, till="till-9")
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.balance() == 500
