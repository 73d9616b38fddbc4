"""A newly enrolled card answers with the stamp card in force, as every later read of the
account does (the enrolment answer once showed no target where the programme ran a card)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from domain.stamps import StampCard

from .conftest import NOW, SHOP, Shop, a_programme, bearer

pytestmark = pytest.mark.unit


def _card_from(shop: Shop, start_after: timedelta, target: int = 10) -> None:
    programme = a_programme()
    later = replace(
        programme.rules[0],
        version=2,
        effective_from=NOW + start_after,
        stamp_card=StampCard(target=target),
    )
    shop.store.programmes[SHOP] = replace(programme, rules=(programme.rules[0], later))


async def _enrol(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/v1/accounts", json={"customer_id": "anna"}, headers=bearer())


async def test_enrolling_under_a_stamp_card_answers_its_target_and_all_of_it_to_go(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    _card_from(shop, start_after=-timedelta(days=1), target=10)

    made = await _enrol(client)
    read = await client.get(f"/v1/accounts/{made.json()['account_id']}", headers=bearer())

    shown = made.json()
    assert made.status_code == 201
    assert (shown["stamps"], shown["stamp_target"], shown["stamps_to_go"]) == (0, 10, 10)
    assert {k: shown[k] for k in ("stamp_target", "stamps_to_go")} == {
        k: read.json()[k] for k in ("stamp_target", "stamps_to_go")
    }


async def test_a_card_that_starts_only_later_is_not_shown_at_enrolment(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    _card_from(shop, start_after=timedelta(days=1))

    shown = (await _enrol(client)).json()

    assert (shown["stamp_target"], shown["stamps_to_go"]) == (None, None)
