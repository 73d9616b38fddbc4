"""Who may give a captured redemption's points back, over the API and the real use cases (on
in-memory fakes of the ports): a manager or admin at any time; a cashier only at the till the
redemption was made at, within 15 minutes of the capture."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from adapters.http.auth import Role, mint_token

from .conftest import SECRET, SHOP, Shop

pytestmark = pytest.mark.unit


def staff(role: Role, till: str = "till-2") -> dict[str, str]:
    token = mint_token(SECRET, SHOP, role, f"{role.value}-1", terminal_id=till)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def account(shop: Shop) -> UUID:
    return await shop.seed(SHOP, "c1", 500)


async def redeemed(client: httpx.AsyncClient, account: UUID, *, hold: bool = False) -> str:
    response = await client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100, "hold": hold},
        headers={**staff(Role.CASHIER), "Idempotency-Key": f"k-{hold}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["redemption_id"])


async def test_a_cashier_at_another_till_cannot_give_captured_points_back(
    client: httpx.AsyncClient, shop: Shop, account: UUID
) -> None:
    redemption = await redeemed(client, account)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER, till="till-9")
    )

    assert response.status_code == 403
    assert response.json()["code"] == "cancel_not_allowed"
    assert shop.account(account).balance == 400


async def test_a_cashier_at_the_same_till_cannot_give_points_back_after_the_window(
    client: httpx.AsyncClient, shop: Shop, account: UUID
) -> None:
    redemption = await redeemed(client, account)
    shop.clock.advance(minutes=16)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER)
    )

    assert response.status_code == 403
    assert shop.account(account).balance == 400


async def test_a_cashier_at_the_same_till_may_give_points_back_soon_after(
    client: httpx.AsyncClient, shop: Shop, account: UUID
) -> None:
    redemption = await redeemed(client, account)
    shop.clock.advance(minutes=14)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER)
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.account(account).balance == 500


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
async def test_a_manager_or_admin_may_give_points_back_from_any_till_at_any_time(
    client: httpx.AsyncClient, shop: Shop, account: UUID, role: Role
) -> None:
    redemption = await redeemed(client, account)
    shop.clock.advance(days=3)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(role, till="back-office")
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.account(account).balance == 500


async def test_any_cashier_may_release_a_hold_that_was_never_captured(
    client: httpx.AsyncClient, shop: Shop, account: UUID
) -> None:
    redemption = await redeemed(client, account, hold=True)

    response = await client.post(
        f"/v1/redemptions/{redemption}/cancel", headers=staff(Role.CASHIER, till="till-9")
    )

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert shop.account(account).balance == 500
