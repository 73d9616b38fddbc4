"""Referrals on the in-memory unit of work: codes, enrolment naming a referrer, the first
qualifying sale paying both sides once, and a full return inside the window taking it back."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from domain.accounts import AccountStatus
from domain.commands import ChangeAccountStatus, EnrolCustomer
from domain.errors import AccountNotFound
from domain.ledger import EntryKind, LedgerEntry
from domain.programme import RuleVersion
from domain.referrals import (
    ReferralOutcome,
    ReferralPolicy,
    ReferrerNotActive,
    SelfReferral,
    UnknownReferralCode,
    check_referrer,
    read_code,
    referral_code,
)
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock

from .builders import BUSINESS, RECORDED_AT, account, at, customer_return, programme, rule, sale

pytestmark = pytest.mark.unit

POLICY = ReferralPolicy(referrer_points=50, referred_points=20, return_window_days=30)


def shop(policy: ReferralPolicy | None = POLICY, *, from_day: float = 0) -> FakeUnitOfWorkFactory:
    uows = FakeUnitOfWorkFactory()
    base = rule()
    rules: tuple[RuleVersion, ...] = (replace(base, referral=policy),)
    if from_day:  # a first version without referrals, then one with them
        rules = (base, replace(base, version=2, effective_from=at(days=from_day), referral=policy))
    uows.store.programmes[BUSINESS] = programme(*rules)
    return uows


async def enrol(uows: FakeUnitOfWorkFactory, customer: str, code: str | None = None) -> UUID:
    view = await Accounts(uows, FakeClock(at(hours=-1))).enrol(
        EnrolCustomer(BUSINESS, customer, referral_code=code)
    )
    return view.account.account_id


async def referred_pair(uows: FakeUnitOfWorkFactory) -> tuple[UUID, UUID]:
    anna = await enrol(uows, "anna")
    code = await code_of(uows, anna)
    bob = await enrol(uows, "bob", code)
    return anna, bob


async def code_of(uows: FakeUnitOfWorkFactory, account_id: UUID) -> str:
    view = await Accounts(uows, FakeClock(RECORDED_AT)).account(BUSINESS, account_id)
    assert view.referral_code is not None
    return view.referral_code


def referral_entries(uows: FakeUnitOfWorkFactory) -> list[LedgerEntry]:
    kinds = {EntryKind.REFERRAL_BONUS, EntryKind.REFERRAL_REVERSAL}
    return [e for e in uows.store.entries if e.kind in kinds]


def summary(uows: FakeUnitOfWorkFactory) -> list[tuple[str, str, int, UUID | None]]:
    return [
        (e.customer_id, e.kind.value, e.points, e.referred_account_id)
        for e in referral_entries(uows)
    ]


async def apply(uows: FakeUnitOfWorkFactory, *events: object) -> None:
    await ApplyEventBatch(uows, FakeClock(RECORDED_AT))(list(events))  # type: ignore[arg-type]


def test_a_code_is_eight_crockford_symbols_fixed_by_business_account_and_attempt() -> None:
    account_id = uuid4()
    code = referral_code(BUSINESS, account_id)

    assert len(code) == 8 and set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert code == referral_code(BUSINESS, account_id)
    assert code != referral_code("shop-2", account_id)
    assert code != referral_code(BUSINESS, account_id, attempt=1)


def test_a_code_is_read_as_a_person_types_it() -> None:
    assert read_code("abcd-efgh") == "ABCDEFGH"
    assert read_code(" 0oIl 1234 ") == "00111234"
    assert read_code("ABCDEFG") is None
    assert read_code("ABCDEFGU") is None  # U is not in the alphabet


async def test_enrolment_gives_a_code_and_names_the_referrer_whose_code_was_given() -> None:
    uows = shop()
    anna, bob = await referred_pair(uows)

    view = await Accounts(uows, FakeClock(RECORDED_AT)).account(BUSINESS, bob)
    found = await Accounts(uows, FakeClock(RECORDED_AT)).account_by_referral_code(
        BUSINESS, (await code_of(uows, anna)).lower()
    )

    assert view.referred_by == anna and view.referral_code is not None
    assert found.account.account_id == anna


async def test_an_unknown_code_or_one_of_another_business_is_refused() -> None:
    uows = shop()
    other = FakeUnitOfWorkFactory(uows.store)
    uows.store.programmes["shop-2"] = programme(business_id="shop-2")
    elsewhere = await Accounts(other, FakeClock(RECORDED_AT)).enrol(EnrolCustomer("shop-2", "zoe"))
    assert elsewhere.referral_code is not None

    for code in ("ZZZZZZZZ", "not a code", elsewhere.referral_code):
        with pytest.raises(UnknownReferralCode):
            await enrol(uows, "bob", code)
    assert [a.customer_id for a in uows.store.accounts.values()] == ["zoe"]
    with pytest.raises(AccountNotFound):
        await Accounts(uows, FakeClock(RECORDED_AT)).account_by_referral_code(
            BUSINESS, elsewhere.referral_code
        )


async def test_a_referrer_must_be_active() -> None:
    uows = shop()
    anna = await enrol(uows, "anna")
    await Accounts(uows, FakeClock(RECORDED_AT)).change_status(
        ChangeAccountStatus(BUSINESS, anna, suspend=True)
    )

    with pytest.raises(ReferrerNotActive):
        await enrol(uows, "bob", await code_of(uows, anna))


def test_a_customer_naming_their_own_code_is_refused_even_on_a_closed_card() -> None:
    own = account("anna", status=AccountStatus.CLOSED)

    with pytest.raises(SelfReferral):
        check_referrer(BUSINESS, "anna", own)
    with pytest.raises(ReferrerNotActive):
        check_referrer(BUSINESS, "bob", own)
    with pytest.raises(UnknownReferralCode):
        check_referrer("shop-2", "bob", account("anna"))


async def test_the_first_qualifying_sale_pays_both_once_the_referrers_naming_the_referred() -> None:
    uows = shop()
    _, bob = await referred_pair(uows)

    await apply(uows, sale("s1", "10", customer_id="bob", occurred_at=at(days=1)))
    await apply(uows, sale("s2", "10", customer_id="bob", occurred_at=at(days=2)))
    await apply(uows, sale("s1", "10", customer_id="bob", event_id="again", occurred_at=at(days=1)))

    assert summary(uows) == [
        ("bob", "referral_bonus", 20, None),
        ("anna", "referral_bonus", 50, bob),
    ]
    referral = uows.store.referrals[(BUSINESS, bob)]
    assert (referral.sale_reference, referral.outcome) == ("s1", ReferralOutcome.PAID)
    assert all(e.source_ref == "s1" for e in referral_entries(uows))
    assert (await verify_ledger(uows, BUSINESS, 1e9)).ok


async def test_a_sale_earning_nothing_does_not_qualify() -> None:
    uows = shop()
    await referred_pair(uows)

    await apply(uows, sale("s0", "0.50", customer_id="bob"))
    assert summary(uows) == []
    await apply(uows, sale("s1", "3", customer_id="bob"))
    assert [s[2] for s in summary(uows)] == [20, 50]


async def test_a_first_sale_under_a_version_without_referrals_settles_it_paying_nothing() -> None:
    uows = shop(from_day=5)
    _, bob = await referred_pair(uows)

    await apply(uows, sale("s1", "10", customer_id="bob", occurred_at=at(days=1)))
    await apply(uows, sale("s2", "10", customer_id="bob", occurred_at=at(days=6)))

    assert summary(uows) == []
    assert uows.store.referrals[(BUSINESS, bob)].outcome is ReferralOutcome.NO_POLICY


async def test_a_suspended_referrer_gets_nothing_and_it_is_recorded_why() -> None:
    uows = shop()
    anna, bob = await referred_pair(uows)
    await Accounts(uows, FakeClock(RECORDED_AT)).change_status(
        ChangeAccountStatus(BUSINESS, anna, suspend=True)
    )

    await apply(uows, sale("s1", "10", customer_id="bob"))

    assert summary(uows) == [("bob", "referral_bonus", 20, None)]
    assert uows.store.referrals[(BUSINESS, bob)].outcome is ReferralOutcome.REFERRER_SUSPENDED


async def test_a_full_return_inside_the_window_takes_both_back_once() -> None:
    uows = shop()
    _, bob = await referred_pair(uows)
    await apply(uows, sale("s1", "10", customer_id="bob", occurred_at=at(days=1)))

    await apply(uows, customer_return("r1", "s1", "4", occurred_at=at(days=3)))
    assert len(summary(uows)) == 2  # a partial return changes nothing
    await apply(uows, customer_return("r2", "s1", "6", occurred_at=at(days=31)))
    await apply(uows, customer_return("r3", "s1", "5", occurred_at=at(days=31)))

    assert summary(uows)[2:] == [
        ("bob", "referral_reversal", -20, None),
        ("anna", "referral_reversal", -50, bob),
    ]
    assert uows.store.referrals[(BUSINESS, bob)].reversed_at == at(days=31)
    assert (await verify_ledger(uows, BUSINESS, 1e9)).ok


async def test_a_full_return_after_the_window_changes_nothing() -> None:
    uows = shop()
    await referred_pair(uows)
    await apply(uows, sale("s1", "10", customer_id="bob", occurred_at=at(days=1)))

    await apply(uows, customer_return("r1", "s1", "10", occurred_at=at(days=31, hours=1)))

    assert [s[1] for s in summary(uows)] == ["referral_bonus", "referral_bonus"]


async def test_a_return_parked_before_the_first_sale_reverses_the_bonus_it_pays() -> None:
    uows = shop()
    await referred_pair(uows)

    await apply(uows, customer_return("r1", "s1", "10", occurred_at=at(days=2)))
    await apply(uows, sale("s1", "10", customer_id="bob", occurred_at=at(days=1)))

    assert [s[2] for s in summary(uows)] == [20, 50, -20, -50]


async def test_the_referrer_paid_in_the_same_batch_as_its_own_sale_keeps_one_balance() -> None:
    uows = shop()
    anna, _ = await referred_pair(uows)

    await apply(
        uows,
        sale("a1", "7", customer_id="anna"),
        sale("b1", "10", customer_id="bob"),
        sale("a2", "3", customer_id="anna"),
    )

    assert uows.store.accounts[(BUSINESS, anna)].balance == 7 + 50 + 3
    assert (await verify_ledger(uows, BUSINESS, 1e9)).ok
    assert uows.store.accounts[(BUSINESS, anna)].last_seq == 4  # card, a1, bonus, a2
