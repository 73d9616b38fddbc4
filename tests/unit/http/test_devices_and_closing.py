"""Paired tablets, staff PINs and closing an account, over the API on the real use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, Role
from domain.devices import MAX_PIN_ATTEMPTS
from domain.ledger import EntryKind
from domain.outcomes import Outcome, SkipReason
from service.use_cases.devices import Devices
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeUnitOfWorkFactory
from tests.fakes.devices import FakeDevices
from tests.unit.builders import customer_return, sale

from .conftest import OTHER_SHOP, SECRET, SHOP, Headers, Shop, bearer

pytestmark = pytest.mark.unit


@pytest.fixture
def registry() -> FakeDevices:
    return FakeDevices()


@pytest.fixture
async def tablet_client(shop: Shop, registry: FakeDevices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_http_app(
        shop.operations,
        shop.health,
        AuthSettings(hs256_secret=SECRET),
        clock=shop.clock,
        registry=CollectorRegistry(),
        devices=Devices(registry, shop.clock),
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        yield client


async def pair(client: httpx.AsyncClient, business: str = SHOP) -> dict[str, Any]:
    response = await client.post(
        "/v1/devices",
        json={"name": "Front till", "store_id": "store-7", "terminal_id": "till-9"},
        headers=bearer(Role.ADMIN, business),
    )
    assert response.status_code == 201, response.text
    paired: dict[str, Any] = response.json()
    return paired


def tablet(paired: dict[str, Any], **extra: str) -> Headers:
    return {"Authorization": f"Bearer {paired['token']}", **extra}


async def redeem(client: httpx.AsyncClient, account: UUID, headers: Headers, key: str) -> Any:
    return await client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100},
        headers={**headers, "Idempotency-Key": key},
    )


async def test_an_entry_made_through_a_tablet_records_the_device_and_the_pairing_admin(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    paired = await pair(tablet_client)

    answer = await redeem(tablet_client, account, tablet(paired), "k1")

    assert answer.status_code == 201, answer.text
    entry = shop.entries(account)[-1]
    assert entry.kind is EntryKind.REDEMPTION
    assert entry.attribution.device_id == paired["device_id"]
    assert (entry.attribution.actor, entry.attribution.terminal_id) == ("admin-1", "till-9")


async def test_a_person_token_leaves_the_device_empty(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    await redeem(tablet_client, account, bearer(), "k1")

    assert shop.entries(account)[-1].attribution.device_id is None


async def test_a_revoked_tablet_is_refused_on_its_very_next_request(
    tablet_client: httpx.AsyncClient, shop: Shop, registry: FakeDevices
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    paired = await pair(tablet_client)
    assert (await tablet_client.get(f"/v1/accounts/{account}", headers=tablet(paired))).is_success

    revoked = await tablet_client.delete(
        f"/v1/devices/{paired['device_id']}", headers=bearer(Role.ADMIN)
    )
    read = await tablet_client.get(f"/v1/accounts/{account}", headers=tablet(paired))
    write = await redeem(tablet_client, account, tablet(paired), "k1")

    assert (revoked.status_code, revoked.json()["active"]) == (200, False)
    assert (read.status_code, read.json()["code"]) == (401, "device_revoked")
    assert (write.status_code, write.json()["code"]) == (401, "device_revoked")
    assert [e.kind for e in shop.entries(account)] == [EntryKind.EARN]
    assert registry.active_checks == 3  # one registry read per tablet request


async def test_devices_are_listed_per_business_and_only_admins_pair_or_revoke(
    tablet_client: httpx.AsyncClient,
) -> None:
    mine = await pair(tablet_client)
    await pair(tablet_client, OTHER_SHOP)

    listed = await tablet_client.get("/v1/devices", headers=bearer(Role.ADMIN))
    by_manager = await tablet_client.post(
        "/v1/devices", json={"name": "x"}, headers=bearer(Role.MANAGER)
    )
    by_tablet = await tablet_client.delete(f"/v1/devices/{mine['device_id']}", headers=tablet(mine))
    other_shops = await tablet_client.delete(
        f"/v1/devices/{mine['device_id']}", headers=bearer(Role.ADMIN, OTHER_SHOP)
    )

    assert [d["device_id"] for d in listed.json()] == [mine["device_id"]]
    assert (by_manager.status_code, by_tablet.status_code, other_shops.status_code) == (
        403,
        403,
        404,
    )


async def test_a_staff_pin_names_the_staff_member_on_the_entry(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    paired = await pair(tablet_client)
    set_pin = await tablet_client.put(
        "/v1/staff/anna/pin", json={"pin": "4821"}, headers=bearer(Role.ADMIN)
    )

    answer = await redeem(
        tablet_client, account, tablet(paired, **{"X-Staff-Id": "anna", "X-Staff-Pin": "4821"}), "k"
    )

    assert set_pin.status_code == 204
    assert answer.status_code == 201, answer.text
    assert shop.entries(account)[-1].attribution.staff_id == "anna"


async def test_wrong_pins_are_refused_and_bounded_then_even_the_right_one_waits(
    tablet_client: httpx.AsyncClient, shop: Shop, registry: FakeDevices
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    paired = await pair(tablet_client)
    await tablet_client.put("/v1/staff/anna/pin", json={"pin": "4821"}, headers=bearer(Role.ADMIN))

    def as_anna(pin: str) -> Headers:
        return tablet(paired, **{"X-Staff-Id": "anna", "X-Staff-Pin": pin})

    wrong = [
        await redeem(tablet_client, account, as_anna(f"{1000 + i}"), f"w{i}")
        for i in range(MAX_PIN_ATTEMPTS)
    ]
    right = await redeem(tablet_client, account, as_anna("4821"), "r")
    shop.clock.advance(minutes=16)
    later = await redeem(tablet_client, account, as_anna("4821"), "r2")

    assert [(w.status_code, w.json()["code"]) for w in wrong] == [
        (403, "staff_pin_invalid")
    ] * MAX_PIN_ATTEMPTS
    assert (right.status_code, right.json()["code"]) == (429, "staff_pin_locked")
    assert later.status_code == 201
    assert registry.pins[(SHOP, "anna")].failed_attempts == 0


async def test_an_unknown_staff_member_is_refused_like_a_wrong_pin(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    headers = {**bearer(), "X-Staff-Id": "nobody", "X-Staff-Pin": "1234"}

    answer = await redeem(tablet_client, account, headers, "k")

    assert (answer.status_code, answer.json()["code"]) == (403, "staff_pin_invalid")
    assert len(shop.entries(account)) == 1


async def test_closing_forfeits_the_balance_and_refuses_what_comes_after(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    held = await tablet_client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100, "hold": True},
        headers={**bearer(), "Idempotency-Key": "h"},
    )

    def close() -> Any:
        return tablet_client.post(
            f"/v1/accounts/{account}/close",
            json={"reason": "customer asked"},
            headers=bearer(Role.MANAGER),
        )

    by_cashier = await tablet_client.post(
        f"/v1/accounts/{account}/close", json={"reason": "x"}, headers=bearer()
    )
    closed, again = await close(), await close()
    redeemed = await redeem(tablet_client, account, bearer(), "k")
    reactivated = await tablet_client.post(
        f"/v1/accounts/{account}/reactivate", headers=bearer(Role.MANAGER)
    )
    adjusted = await tablet_client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"points": 10, "reason": "goodwill"},
        headers={**bearer(Role.MANAGER), "Idempotency-Key": "a"},
    )
    captured = await tablet_client.post(
        f"/v1/redemptions/{held.json()['redemption_id']}/capture", headers=bearer()
    )

    assert by_cashier.status_code == 403
    assert (closed.status_code, closed.json()["status"], closed.json()["balance"]) == (
        200,
        "closed",
        0,
    )
    assert again.json() == closed.json()
    for refused in (redeemed, reactivated, adjusted):
        assert (refused.status_code, refused.json()["code"]) == (409, "account_closed")
    assert captured.status_code == 409
    kinds = [e.kind for e in shop.entries(account)]
    assert kinds == [EntryKind.EARN, EntryKind.CLOSURE]
    assert shop.entries(account)[-1].points == -500
    assert shop.account(account).balance == 0


async def test_events_after_closing_are_skipped_as_account_closed_even_returns(
    tablet_client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    await tablet_client.post(
        f"/v1/accounts/{account}/close", json={"reason": "moved"}, headers=bearer(Role.MANAGER)
    )
    later_sale = sale("after", "80", customer_id="c-1", business_id=SHOP)
    earlier_return = customer_return("ret", "seed-c-1", "200", customer_id="c-1", business_id=SHOP)

    changes = await ApplyEventBatch(FakeUnitOfWorkFactory(shop.store), shop.clock)(
        [later_sale, earlier_return]
    )

    assert changes.outcome_of(later_sale) == Outcome.skipped(SkipReason.ACCOUNT_CLOSED)
    assert changes.outcome_of(earlier_return) == Outcome.skipped(SkipReason.ACCOUNT_CLOSED)
    assert shop.account(account).balance == 0
    assert shop.entries(account)[-1].kind is EntryKind.CLOSURE
