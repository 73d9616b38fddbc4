"""Which rule version an event earns under, multiplier windows, and enrolment."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from domain.accounts import Account, AccountStatus
from domain.enrolment import enrol
from domain.ledger import EntryKind, LedgerEntry, RateSnapshot, Source
from domain.outcomes import Outcome, SkipReason
from domain.programme import Programme

from .builders import (
    ATTRIBUTION,
    BUSINESS,
    RECORDED_AT,
    T0,
    account,
    apply,
    at,
    programme,
    rule,
    sale,
    state,
)

pytestmark = pytest.mark.unit

V1 = rule(1, effective_from=T0, earn_rate="1")
V2 = rule(2, effective_from=at(days=10), earn_rate="2")
NEW_ACCOUNT = UUID("00000000-0000-0000-0000-0000000000a1")


def test_the_rule_in_force_is_the_latest_one_effective_at_the_moment() -> None:
    prog = programme(V1, V2)

    assert prog.rule_at(at(days=5)) == V1
    assert prog.rule_at(at(days=10)) == V2
    assert prog.rule_at(at(days=365)) == V2
    assert prog.rule_at(at(days=-1)) is None


def test_of_two_versions_effective_at_the_same_moment_the_higher_version_wins() -> None:
    same_moment = rule(3, effective_from=T0, earn_rate="5")

    assert programme(same_moment, V1).rule_at(T0) == same_moment


def test_the_next_version_follows_the_highest_existing_one() -> None:
    assert programme(V2, V1).next_version() == 3


def test_a_late_event_earns_under_the_version_in_force_when_it_occurred() -> None:
    batch_state = state(programme(V1, V2), account())

    # processed long after version 2 came in, but it happened under version 1
    changes = apply(batch_state, sale("s1", "100", occurred_at=at(days=5)))

    [entry] = changes.entries
    assert entry.points == 100
    assert entry.rates == RateSnapshot(
        rule_version=1,
        earn_rate=Decimal("1"),
        multiplier=Decimal("1"),
        redemption_rate=Decimal("100"),
    )
    assert entry.recorded_at == RECORDED_AT


def test_an_event_at_the_moment_a_version_takes_effect_earns_under_that_version() -> None:
    changes = apply(
        state(programme(V1, V2), account()), sale("s1", "100", occurred_at=V2.effective_from)
    )

    assert [e.points for e in changes.entries] == [200]


def test_a_sale_inside_the_multiplier_window_earns_the_multiplied_points() -> None:
    promo = rule(multiplier="3", multiplier_from=at(days=1), multiplier_until=at(days=2))
    batch_state = state(programme(promo), account())

    changes = apply(
        batch_state,
        sale("before", "10", occurred_at=T0),
        sale("inside", "10", occurred_at=at(days=1, hours=6)),
        sale("after", "10", occurred_at=at(days=2)),
    )

    assert [e.points for e in changes.entries] == [10, 30, 10]
    assert [e.rates.multiplier for e in changes.entries if e.rates] == [1, 3, 1]


def test_an_event_before_any_rule_version_is_skipped_with_no_rule_in_force() -> None:
    event = sale("s1", "100", occurred_at=at(days=-1))

    changes = apply(state(programme(V1, V2), account()), event)

    assert changes.entries == []
    assert changes.outcome_of(event) == Outcome.skipped(SkipReason.NO_RULE_IN_FORCE)


def enrol_into(
    prog: Programme | None, account_id: UUID = NEW_ACCOUNT
) -> tuple[Account, list[LedgerEntry]]:
    return enrol(
        prog,
        business_id=BUSINESS,
        customer_id="c1",
        account_id=account_id,
        at=T0,
        attribution=ATTRIBUTION,
    )


def test_enrolment_posts_the_welcome_bonus_when_the_programme_is_active() -> None:
    acct, [created, entry] = enrol_into(programme(welcome_bonus=50))

    assert (acct.balance, acct.last_seq, acct.status) == (50, 2, AccountStatus.ACTIVE)
    assert (created.kind, created.points, created.seq) == (EntryKind.CARD_CREATED, 0, 1)
    assert (entry.kind, entry.points, entry.balance_after, entry.seq) == (
        EntryKind.WELCOME_BONUS,
        50,
        50,
        2,
    )
    assert (entry.source, entry.source_ref, entry.event_id) == (
        Source.SYSTEM,
        str(NEW_ACCOUNT),
        None,
    )
    assert (entry.account_id, entry.customer_id, entry.attribution) == (
        NEW_ACCOUNT,
        "c1",
        ATTRIBUTION,
    )


@pytest.mark.parametrize(
    "prog",
    [None, programme(welcome_bonus=50, active=False), programme(welcome_bonus=0)],
    ids=["no-programme", "inactive-programme", "no-bonus"],
)
def test_enrolment_without_an_active_bonus_opens_an_empty_account(
    prog: Programme | None,
) -> None:
    acct, [created] = enrol_into(prog)

    assert (created.kind, created.points, created.seq) == (EntryKind.CARD_CREATED, 0, 1)
    assert (created.source, created.attribution) == (Source.SYSTEM, ATTRIBUTION)
    assert (acct.account_id, acct.customer_id, acct.balance, acct.last_seq) == (
        NEW_ACCOUNT,
        "c1",
        0,
        1,
    )


def test_the_welcome_bonus_entry_id_is_derived_from_the_account() -> None:
    _, [_, first] = enrol_into(programme(welcome_bonus=50))
    _, [_, again] = enrol_into(programme(welcome_bonus=50))
    _, [_, other] = enrol_into(programme(welcome_bonus=50), account_id=UUID(int=7))

    assert first.entry_id == again.entry_id
    assert first.entry_id != other.entry_id


def test_a_redemption_never_takes_points_for_no_discount() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal
    from uuid import uuid4

    from domain.accounts import Account
    from domain.programme import Programme, RuleVersion
    from domain.redemption import BlockReason, quote_redemption

    at = datetime(2026, 1, 1, tzinfo=UTC)
    rule = RuleVersion(1, datetime(2020, 1, 1, tzinfo=UTC), Decimal(1), Decimal(100000))
    account = Account("b", uuid4(), "c", balance=500)
    quote = quote_redemption(account, Programme("b", "p", rules=(rule,)), at, 500)
    assert quote.blocked is BlockReason.TOO_FEW_POINTS and quote.discount == 0

    capped = RuleVersion(1, rule.effective_from, Decimal(1), Decimal(100))
    quote = quote_redemption(
        account, Programme("b", "p", rules=(capped,)), at, 500, sale_amount=Decimal("0.019")
    )
    assert (quote.discount, quote.points_to_take, quote.capped) == (Decimal("0.01"), 1, True)
