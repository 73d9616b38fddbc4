"""Referrals across a merge, on real PostgreSQL: the bonuses a full return takes back are taken
from the account that holds the points after the merge (referred or referrer merged away), a
referrer merged away before the first sale still earns (as the survivor), and the ledger
verifies. anna refers bob; carl and dora are unrelated customers."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import EnrolCustomer
from domain.events import EventKind
from domain.merges import MergeAccounts
from domain.referrals import ReferralPolicy
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.merges import Merges
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_programme
from tests.support.events import at, customer_return, parsed, sale

pytestmark = pytest.mark.integration

POLICY = ReferralPolicy(referrer_points=50, referred_points=20, return_window_days=30)

BONUSES = """
SELECT a.customer_id, e.kind, e.points FROM ledger_entries e
JOIN accounts a USING (business_id, account_id)
WHERE e.business_id = $1 AND e.kind IN ('referral_bonus', 'referral_reversal')
"""


async def _shop(uows: PostgresUnitOfWorkFactory) -> tuple[str, dict[str, UUID]]:
    shop = f"mref-{uuid.uuid4().hex[:8]}"
    await given_programme(uows, shop, referral=POLICY)
    accounts = Accounts(uows, SystemClock())
    anna = await accounts.enrol(EnrolCustomer(shop, "anna"))
    ids = {"anna": anna.account.account_id}
    bob = await accounts.enrol(EnrolCustomer(shop, "bob", referral_code=anna.referral_code))
    ids["bob"] = bob.account.account_id
    for name in ("carl", "dora"):
        ids[name] = (await accounts.enrol(EnrolCustomer(shop, name))).account.account_id
    return shop, ids


async def _merge(uows: PostgresUnitOfWorkFactory, shop: str, survivor: UUID, merged: UUID) -> None:
    await Merges(uows, SystemClock()).merge(MergeAccounts(shop, survivor, merged))


async def _bonuses(pool: asyncpg.Pool, shop: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in await pool.fetch(BONUSES, shop))


async def _full_return(apply_events: ApplyEventBatch, shop: str, first: dict[str, Any]) -> None:
    back = customer_return(shop, first["sale_id"], "10", occurred_at=at(60))
    await apply_events([parsed(EventKind.CUSTOMER_RETURN_CREATED, back)])


async def test_a_referred_customer_merged_away_loses_both_bonuses_on_a_full_return(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop, ids = await _shop(uow_factory)
    first = sale(shop, "bob", "10", occurred_at=at(0))
    await apply_events([parsed(EventKind.SALE_COMPLETED, first)])
    await _merge(uow_factory, shop, ids["carl"], ids["bob"])

    await _full_return(apply_events, shop, first)

    assert await _bonuses(pool, shop) == [
        ("anna", "referral_bonus", 50),
        ("anna", "referral_reversal", -50),
        ("bob", "referral_bonus", 20),
        ("carl", "referral_reversal", -20),  # where bob's points went
    ]
    assert (await verify_ledger(uow_factory, shop, 3600)).ok


async def test_a_referrer_merged_away_after_the_bonus_gives_it_back_from_the_survivor(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop, ids = await _shop(uow_factory)
    first = sale(shop, "bob", "10", occurred_at=at(0))
    await apply_events([parsed(EventKind.SALE_COMPLETED, first)])
    await _merge(uow_factory, shop, ids["dora"], ids["anna"])

    await _full_return(apply_events, shop, first)

    assert await _bonuses(pool, shop) == [
        ("anna", "referral_bonus", 50),
        ("bob", "referral_bonus", 20),
        ("bob", "referral_reversal", -20),
        ("dora", "referral_reversal", -50),
    ]
    balances = await pool.fetch(
        "SELECT customer_id, balance FROM accounts WHERE business_id = $1", shop
    )
    assert {r["customer_id"]: r["balance"] for r in balances}["dora"] == 0
    assert (await verify_ledger(uow_factory, shop, 3600)).ok


async def test_a_referrer_merged_away_before_the_first_sale_is_paid_as_the_survivor(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop, ids = await _shop(uow_factory)
    await _merge(uow_factory, shop, ids["dora"], ids["anna"])

    await apply_events([parsed(EventKind.SALE_COMPLETED, sale(shop, "bob", "10"))])

    assert await _bonuses(pool, shop) == [
        ("bob", "referral_bonus", 20),
        ("dora", "referral_bonus", 50),
    ]
    outcome = await pool.fetchval("SELECT outcome FROM referrals WHERE business_id = $1", shop)
    assert outcome == "paid"
    assert (await verify_ledger(uow_factory, shop, 3600)).ok


async def test_a_referred_customer_merged_into_its_referrer_keeps_its_referral_where_it_was(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    """One person's two cards: the referral cannot name one account on both sides, so it stays
    on the closed one and a return takes no bonus back (left as it was before merges moved
    referrals; README Go-live says so)."""
    shop, ids = await _shop(uow_factory)
    first = sale(shop, "bob", "10", occurred_at=at(0))
    await apply_events([parsed(EventKind.SALE_COMPLETED, first)])
    await _merge(uow_factory, shop, ids["anna"], ids["bob"])

    await _full_return(apply_events, shop, first)

    referred = await pool.fetchval(
        "SELECT referred_account_id FROM referrals WHERE business_id = $1", shop
    )
    assert referred == ids["bob"]
    assert (await verify_ledger(uow_factory, shop, 3600)).ok
