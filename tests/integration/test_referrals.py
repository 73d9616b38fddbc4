"""Referrals on real PostgreSQL: codes and referrals stored by enrolment, the first sale paying
both sides once (the ledger's unique indexes refusing a second bonus), the referrer's account
locked with the batch, two batches racing for one referred customer paying once, a full return
taking both back, and the migration's SQL code derivation equal to the domain's."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.batch import BatchKeys
from domain.commands import EnrolCustomer
from domain.events import EventKind
from domain.ledger import Attribution, EntryKind, Source
from domain.postings import post_entry, settle
from domain.referrals import ReferralPolicy, referral_code
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_programme
from tests.support.events import at, customer_return, parsed, sale

pytestmark = pytest.mark.integration

POLICY = ReferralPolicy(referrer_points=50, referred_points=20, return_window_days=30)

REFERRAL_ENTRIES = """
SELECT a.customer_id, e.kind, e.points, e.referred_account_id, e.source_ref
FROM ledger_entries e JOIN accounts a USING (business_id, account_id)
WHERE e.business_id = $1 AND e.kind IN ('referral_bonus', 'referral_reversal')
ORDER BY e.recorded_at, e.seq, a.customer_id
"""


async def referred_pair(uows: PostgresUnitOfWorkFactory) -> tuple[str, Any, Any]:
    """A business with referral bonuses, anna enrolled and bob enrolled naming her code."""
    shop = f"ref-{uuid.uuid4().hex[:8]}"
    await given_programme(uows, shop, referral=POLICY)
    accounts = Accounts(uows, SystemClock())
    anna = await accounts.enrol(EnrolCustomer(shop, "anna"))
    bob = await accounts.enrol(EnrolCustomer(shop, "bob", referral_code=anna.referral_code))
    return shop, anna.account.account_id, bob.account.account_id


async def test_enrolment_stores_the_code_and_the_referral(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop, anna, bob = await referred_pair(uow_factory)

    codes = await pool.fetch(
        "SELECT account_id, code FROM referral_codes WHERE business_id = $1", shop
    )
    row = await pool.fetchrow("SELECT * FROM referrals WHERE business_id = $1", shop)

    assert {r["account_id"]: r["code"] for r in codes} == {
        anna: referral_code(shop, anna),
        bob: referral_code(shop, bob),
    }
    assert (row["referred_account_id"], row["referrer_account_id"]) == (bob, anna)
    assert (row["code"], row["outcome"]) == (referral_code(shop, anna), None)


async def test_the_first_sale_pays_both_once_and_a_full_return_takes_both_back(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop, _, bob = await referred_pair(uow_factory)
    first = sale(shop, "bob", "10", occurred_at=at(0))
    again = {**first, "event_id": "another-id-for-the-same-sale"}
    second = sale(shop, "bob", "30", occurred_at=at(5))

    await apply_events([parsed(EventKind.SALE_COMPLETED, e) for e in (first, again)])
    await apply_events([parsed(EventKind.SALE_COMPLETED, second)])
    await apply_events(
        [
            parsed(EventKind.CUSTOMER_RETURN_CREATED, r)
            for r in (
                customer_return(shop, first["sale_id"], "4", occurred_at=at(60)),
                customer_return(shop, first["sale_id"], "6", occurred_at=at(120)),
            )
        ]
    )

    entries = {tuple(r) for r in await pool.fetch(REFERRAL_ENTRIES, shop)}
    full_return = next(ref for _, kind, _, _, ref in entries if kind == "referral_reversal")
    assert entries == {
        ("bob", "referral_bonus", 20, None, first["sale_id"]),
        ("anna", "referral_bonus", 50, bob, first["sale_id"]),
        ("bob", "referral_reversal", -20, None, full_return),
        ("anna", "referral_reversal", -50, bob, full_return),
    }
    row = await pool.fetchrow("SELECT * FROM referrals WHERE business_id = $1", shop)
    assert (row["outcome"], row["sale_reference"], row["referrer_points"]) == (
        "paid",
        first["sale_id"],
        50,
    )
    assert row["reversed_at"] is not None
    assert (await verify_ledger(uow_factory, shop, 3600)).ok


async def test_the_ledger_refuses_a_second_bonus_for_the_same_referred_customer(
    uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop, anna, bob = await referred_pair(uow_factory)
    await apply_events([parsed(EventKind.SALE_COMPLETED, sale(shop, "bob", "10"))])

    for account_id, referred in ((bob, None), (anna, bob)):
        async with uow_factory() as uow:
            account = await uow.accounts.lock(shop, account_id)
            assert account is not None
            account, entry = post_entry(
                account,
                kind=EntryKind.REFERRAL_BONUS,
                points=20,
                source=Source.SALE,
                source_ref="another-sale",
                origin=f"another-origin:{uuid.uuid4()}",  # another entry id: the index decides
                at=SystemClock().now(),
                attribution=Attribution(),
                referred_account_id=referred,
            )
            with pytest.raises(asyncpg.UniqueViolationError):
                await uow.ledger.post(settle([account], [entry], {}, {(shop, account_id): []}))


async def test_a_batch_for_the_referred_customer_locks_the_referrer(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop, anna, _ = await referred_pair(uow_factory)
    event = parsed(EventKind.SALE_COMPLETED, sale(shop, "bob", "10"))

    async with uow_factory() as uow:
        state = await uow.event_batches.load(BatchKeys.of([event]))
        assert (shop, anna) in state.accounts
        async with pool.acquire() as other:
            with pytest.raises(asyncpg.LockNotAvailableError):
                await other.execute(
                    "SELECT 1 FROM accounts WHERE business_id = $1 AND account_id = $2"
                    " FOR UPDATE NOWAIT",
                    shop,
                    anna,
                )


async def test_two_batches_racing_for_one_referred_customer_pay_once(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop, _, _ = await referred_pair(uow_factory)
    sales = [sale(shop, "bob", "10", occurred_at=at(n)) for n in range(4)]
    batches = [
        ApplyEventBatch(uow_factory, SystemClock())([parsed(EventKind.SALE_COMPLETED, s)])
        for s in sales
    ]

    await asyncio.gather(*batches)

    kinds = [(r["customer_id"], r["kind"]) for r in await pool.fetch(REFERRAL_ENTRIES, shop)]
    assert sorted(kinds) == [("anna", "referral_bonus"), ("bob", "referral_bonus")]
    earned = await pool.fetchval(
        "SELECT count(*) FROM ledger_entries WHERE business_id = $1 AND kind = 'earn'", shop
    )
    assert earned == 4


async def test_the_migrations_code_function_derives_the_domains_codes(pool: asyncpg.Pool) -> None:
    cases = [(f"shop-{n}", uuid.uuid4(), n % 3) for n in range(50)] + [
        ("ünï\x1fcode", uuid.uuid4(), 7)
    ]

    found = [
        await pool.fetchval("SELECT referral_code($1, $2, $3)", business, account, attempt)
        for business, account, attempt in cases
    ]

    assert found == [referral_code(b, a, n) for b, a, n in cases]
