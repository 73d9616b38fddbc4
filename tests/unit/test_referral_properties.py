"""Referral bonuses once per referred customer, never to oneself, whatever the order, batching
and repetition of sales and returns (hypothesis, on the in-memory unit of work)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.commands import EnrolCustomer
from domain.events import InboundEvent, RefundIssued
from domain.ledger import EntryKind
from domain.referrals import ReferralPolicy, ReferralRefused
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock

from .builders import BUSINESS, RECORDED_AT, at, customer_return, programme, rule, sale

pytestmark = pytest.mark.unit

POLICY = ReferralPolicy(referrer_points=50, referred_points=20, return_window_days=10)
SALES = ("s1", "s2", "s3")
CUSTOMERS = ("anna", "bob", "carol")


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[InboundEvent], list[tuple[str, str]], list[int]]:
    """Sales by the customers (some earning nothing), returns of them (parts, the rest, more
    than the rest, early or late), shuffled, some repeated; enrolments naming codes (their
    own included); cuts into batches."""
    events: list[InboundEvent] = []
    for reference in SALES:
        amount = draw(st.sampled_from(["0.50", "10", "25"]))
        day = draw(st.integers(0, 20))
        customer = draw(st.sampled_from(CUSTOMERS))
        events.append(sale(reference, amount, customer_id=customer, occurred_at=at(days=day)))
        for n in range(draw(st.integers(0, 3))):
            part = draw(st.sampled_from(["1", "5", "10", "25"]))
            late = draw(st.integers(0, 15))
            events.append(
                customer_return(
                    f"{reference}-r{n}", reference, part, occurred_at=at(days=day + late)
                )
            )
    events = draw(st.permutations(events))
    events += draw(st.lists(st.sampled_from(events), max_size=4))  # redeliveries
    enrolments = draw(
        st.lists(st.tuples(st.sampled_from(CUSTOMERS), st.sampled_from(CUSTOMERS)), max_size=4)
    )
    cuts = draw(st.lists(st.integers(1, len(events)), max_size=3))
    return events, enrolments, sorted(set(cuts))


async def _run(
    events: list[InboundEvent], enrolments: list[tuple[str, str]], cuts: list[int]
) -> FakeUnitOfWorkFactory:
    uows = FakeUnitOfWorkFactory()
    uows.store.programmes[BUSINESS] = programme(replace(rule(), referral=POLICY))
    accounts = Accounts(uows, FakeClock(at(days=-1)))
    codes: dict[str, str] = {}
    for customer in ("anna",):  # anna first, then the rest name whom they like
        view = await accounts.enrol(EnrolCustomer(BUSINESS, customer))
        codes[customer] = view.referral_code or ""
    for customer, naming in enrolments:
        try:
            view = await accounts.enrol(
                EnrolCustomer(BUSINESS, customer, referral_code=codes.get(naming, "ZZZZZZZZ"))
            )
            codes[customer] = view.referral_code or ""
        except ReferralRefused:
            pass
        except Exception as error:  # enrolled already
            assert type(error).__name__ == "AlreadyEnrolled"
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    for start, end in zip([0, *cuts], [*cuts, len(events)], strict=True):
        if events[start:end]:
            await apply(events[start:end])
    await apply(events)  # a replay of everything changes nothing
    return uows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_referral_bonuses_are_paid_once_never_to_oneself_and_taken_back_once(
    history: tuple[list[InboundEvent], list[tuple[str, str]], list[int]],
) -> None:
    events, enrolments, cuts = history
    uows = asyncio.run(_run(events, enrolments, cuts))
    store = uows.store
    customer_of = {a.account_id: a.customer_id for a in store.accounts.values()}
    sales = {e.reference: e for e in events if e.kind.value == "sale.completed"}

    for (_, referred), referral in store.referrals.items():
        assert referral.referrer_account_id != referred
        assert customer_of[referral.referrer_account_id] != customer_of[referred]
        mine = [
            e
            for e in store.entries
            if e.account_id == referred
            and e.kind.name.startswith("REFERRAL")
            and e.referred_account_id is None  # not what it earned as a referrer itself
        ]
        theirs = [
            e
            for e in store.entries
            if e.account_id == referral.referrer_account_id and e.referred_account_id == referred
        ]
        for side, bonus in ((mine, 20), (theirs, 50)):
            kinds = [e.kind for e in side]
            assert kinds in (
                [],
                [EntryKind.REFERRAL_BONUS],
                [EntryKind.REFERRAL_BONUS, EntryKind.REFERRAL_REVERSAL],
            )
            assert sum(e.points for e in side) in (0, bonus)
        earning = [
            p for p in store.purchases.values() if p.account_id == referred and p.points_earned > 0
        ]
        assert (referral.sale_reference is not None) == bool(earning)
        assert bool(mine) == bool(earning)
        if referral.sale_reference is None or referral.sale_source is None:
            continue
        paid = store.purchases[(BUSINESS, referral.sale_source, referral.sale_reference)]
        until = sales[referral.sale_reference].occurred_at + timedelta(days=10)
        returns = [
            e
            for e in events
            if isinstance(e, RefundIssued) and e.purchase_reference == paid.reference
        ]
        # By event time alone, whatever the order: taken back exactly when the returns dated
        # inside the window (each once, however often it was delivered) reach the total.
        inside = {(r.source, r.reference): r.amount for r in returns if r.occurred_at <= until}
        assert (referral.reversed_at is not None) == (sum(inside.values()) >= paid.total)
        if referral.reversed_at is not None:
            assert referral.reversed_at <= until
    bonuses = [e for e in store.entries if e.kind is EntryKind.REFERRAL_BONUS]
    assert len({(e.account_id, e.referred_account_id) for e in bonuses}) == len(bonuses)
    report = asyncio.run(verify_ledger(uows, BUSINESS, 1e9))
    assert not report.breaches, report.breaches
