"""A manual adjustment sent again with its idempotency key posts nothing a second time."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commands import AdjustPoints
from domain.errors import IdempotencyKeyReused
from domain.ledger import EntryKind
from service.use_cases.accounts import Accounts
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, account, account_id_of, at
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

C1, C2 = account_id_of("c1"), account_id_of("c2")


def shop() -> FakeUnitOfWorkFactory:
    c1, c2 = account("c1"), account("c2")
    return FakeUnitOfWorkFactory(
        FakeStore(
            programmes={BUSINESS: make_programme()},
            accounts={(BUSINESS, c1.account_id): c1, (BUSINESS, c2.account_id): c2},
        )
    )


def adjustments(uows: FakeUnitOfWorkFactory) -> list[tuple[object, int]]:
    return [(e.account_id, e.points) for e in uows.store.entries if e.kind is EntryKind.ADJUSTMENT]


def balance(uows: FakeUnitOfWorkFactory, account_id: object) -> int:
    return uows.store.accounts[(BUSINESS, account_id)].balance  # type: ignore[index]


async def test_a_retried_adjustment_answers_the_first_entry_and_posts_nothing_more() -> None:
    uows, clock = shop(), FakeClock(at())
    command = AdjustPoints(BUSINESS, C1, 50, "goodwill", idempotency_key="ticket-17")

    first = await Accounts(uows, clock).adjust(command)
    clock.advance(minutes=5)
    again = await Accounts(uows, clock).adjust(replace(command, reason="  goodwill "))

    assert again == first
    assert adjustments(uows) == [(C1, 50)]
    assert balance(uows, C1) == 50


@pytest.mark.parametrize(
    "changed",
    [{"points": 51}, {"reason": "another reason"}, {"account_id": C2}],
    ids=["points", "reason", "account"],
)
async def test_the_same_key_with_another_adjustment_is_refused_and_posts_nothing(
    changed: dict[str, object],
) -> None:
    uows, clock = shop(), FakeClock(at())
    command = AdjustPoints(BUSINESS, C1, 50, "goodwill", idempotency_key="ticket-17")
    await Accounts(uows, clock).adjust(command)

    with pytest.raises(IdempotencyKeyReused):
        await Accounts(uows, clock).adjust(replace(command, **changed))  # type: ignore[arg-type]

    assert adjustments(uows) == [(C1, 50)]
    assert (balance(uows, C1), balance(uows, C2)) == (50, 0)


async def test_two_adjustments_with_different_keys_both_count() -> None:
    uows, clock = shop(), FakeClock(at())
    command = AdjustPoints(BUSINESS, C1, 50, "goodwill", idempotency_key="ticket-17")

    await Accounts(uows, clock).adjust(command)
    await Accounts(uows, clock).adjust(replace(command, idempotency_key="ticket-18"))

    assert adjustments(uows) == [(C1, 50), (C1, 50)]
    assert balance(uows, C1) == 100


@given(
    st.lists(
        st.tuples(st.sampled_from(["k1", "k2", "k3"]), st.integers(-5, 5).filter(bool)),
        max_size=12,
    )
)
async def test_whatever_the_retries_each_key_posts_at_most_once_and_the_balance_sums_them(
    attempts: list[tuple[str, int]],
) -> None:
    uows, clock = shop(), FakeClock(at())
    # An opening 100 so taking points never meets the floor (a balance never goes below 0).
    await Accounts(uows, clock).adjust(
        AdjustPoints(BUSINESS, C1, 100, "opening", idempotency_key="open")
    )
    first_by_key: dict[str, int] = {}
    for key, points in attempts:
        command = AdjustPoints(BUSINESS, C1, points, "count", idempotency_key=key)
        try:
            entry = await Accounts(uows, clock).adjust(command)
        except IdempotencyKeyReused:
            assert first_by_key[key] != points
            continue
        first_by_key.setdefault(key, points)
        assert entry.points == first_by_key[key]

    assert sorted(p for _, p in adjustments(uows)) == sorted([100, *first_by_key.values()])
    assert balance(uows, C1) == 100 + sum(first_by_key.values())
