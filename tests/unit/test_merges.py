"""The domain part of a merge: the entries move everything, lots keep their dates."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import Account, AccountStatus
from domain.closure import AccountClosed
from domain.ledger import Attribution, EntryKind
from domain.lots import Lot
from domain.merges import MergeHoldsLive, MergeRefused, check_merge, merge_accounts

pytestmark = pytest.mark.unit

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BUSINESS = "b1"


def _account(balance: int, stamps: int = 0) -> Account:
    return Account(BUSINESS, uuid4(), f"c-{uuid4().hex[:6]}", balance=balance, stamps=stamps)


def _lots(account: Account, sizes: list[tuple[int, int, int | None]]) -> list[Lot]:
    """One lot per (remaining, days pending, days to expiry or None)."""
    lots = []
    for remaining, pending, expiry in sizes:
        earned = NOW - timedelta(days=30)
        lots.append(
            Lot(
                business_id=BUSINESS,
                account_id=account.account_id,
                lot_id=uuid4(),
                entry_id=uuid4(),
                earned_at=earned,
                available_at=NOW + timedelta(days=pending),
                expires_at=None if expiry is None else NOW + timedelta(days=expiry),
                points=remaining + 3,
                remaining=remaining,
            )
        )
    return lots


lot_sizes = st.lists(
    st.tuples(st.integers(1, 10_000), st.integers(-5, 20), st.none() | st.integers(-3, 400)),
    max_size=6,
)
side = st.one_of(
    lot_sizes.map(lambda sizes: ("lots", sizes)),
    st.integers(-5_000, -1).map(lambda debt: ("debt", debt)),
)


def _with(shape: tuple[str, object], stamps: int) -> tuple[Account, list[Lot]]:
    kind, value = shape
    if kind == "debt":
        assert isinstance(value, int)
        return _account(value, stamps), []
    assert isinstance(value, list)
    account = _account(sum(size for size, _, _ in value), stamps)
    return account, _lots(account, value)


def _dates(lot: Lot) -> tuple[datetime, datetime, datetime | None]:
    return (lot.earned_at, lot.available_at, lot.expires_at)


@given(side, side, st.integers(0, 50), st.integers(0, 50))
def test_a_merge_of_any_balance_moves_it_whole_and_keeps_every_lots_dates(
    merged_shape: tuple[str, object],
    survivor_shape: tuple[str, object],
    merged_stamps: int,
    survivor_stamps: int,
) -> None:
    merged, merged_lots = _with(merged_shape, merged_stamps)
    survivor, survivor_lots = _with(survivor_shape, survivor_stamps)

    result = merge_accounts(survivor, merged, merged_lots, survivor_lots, NOW, Attribution())

    entries = {e.kind: e for e in result.posting.entries}
    out, into = entries[EntryKind.MERGE_OUT], entries[EntryKind.MERGE_IN]
    assert out.points + into.points == 0 and out.stamps + into.stamps == 0
    assert into.points == merged.balance and into.stamps == merged.stamps
    assert result.merged.balance == 0 and result.merged.stamps == 0
    assert result.merged.status is AccountStatus.CLOSED
    assert entries[EntryKind.CLOSURE].points == 0
    assert result.survivor.balance == survivor.balance + merged.balance
    assert result.survivor.stamps == survivor.stamps + merged.stamps
    # Every account's lots hold max(balance, 0) after the merge, as before it.
    lots = result.posting.lots.lots
    after = {lot.lot_id: lot for lot in survivor_lots} | {
        i: lot for i, lot in lots.items() if lot.account_id == survivor.account_id
    }
    assert sum(lot.remaining for lot in after.values()) == max(result.survivor.balance, 0)
    assert all(lot.remaining == 0 for lot in lots.values() if lot.account_id == merged.account_id)
    taken_out = sum(t.points for t in result.posting.lots.takes if t.entry_id == out.entry_id)
    assert taken_out == max(merged.balance, 0)
    if merged.balance > 0:  # the lots come over with their dates, none lost or made up
        brought = [lot for lot in lots.values() if lot.entry_id == into.entry_id]
        assert Counter((_dates(lot), lot.points) for lot in brought) == Counter(
            (_dates(lot), lot.remaining) for lot in merged_lots
        )


def test_a_merge_is_refused_for_one_account_a_closed_one_and_a_live_hold() -> None:
    survivor, merged = _account(10), _account(5)
    closed = Account(BUSINESS, uuid4(), "gone", status=AccountStatus.CLOSED)

    with pytest.raises(MergeRefused):
        check_merge(survivor, survivor, 0)
    with pytest.raises(AccountClosed):
        check_merge(survivor, closed, 0)
    with pytest.raises(AccountClosed):
        check_merge(closed, merged, 0)
    with pytest.raises(MergeHoldsLive):
        check_merge(survivor, merged, 1)


def test_merge_entries_name_the_other_account_by_id_not_by_customer_id() -> None:
    survivor = Account(BUSINESS, UUID(int=1), "phone:+447700900123")
    merged = Account(BUSINESS, UUID(int=2), "phone:+447700900456", balance=0)

    result = merge_accounts(survivor, merged, [], [], NOW, Attribution(actor="m"))

    for entry in result.posting.entries:
        other = survivor if entry.account_id == merged.account_id else merged
        assert "phone" not in (entry.description or "") + (entry.reason or "")
        assert entry.source_ref == str(other.account_id) or entry.kind is EntryKind.CLOSURE
