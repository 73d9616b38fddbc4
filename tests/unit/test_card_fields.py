"""What entries gained for the loyalty card (stamps, rewards, categories, the acting tablet) is
hashed when set, so it is as tamper-evident as points, and leaves every earlier hash as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import Account
from domain.chain import ADDED_FIELDS, entry_hash, seal
from domain.ledger import (
    ENTRY_FIELDS,
    Attribution,
    EntryKind,
    LedgerEntry,
    Source,
    entry_from_record,
    entry_values,
)
from domain.postings import post_entry

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
ids = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8)
added_values = {
    "stamps": st.integers(-100, 100).filter(bool),
    "stamps_balance_after": st.integers(1, 100),
    "reward_id": ids,
    "reward_description": ids,
    "category_ids": st.lists(ids, min_size=1, max_size=3).map(tuple),
}


def _entry(**changes: object) -> LedgerEntry:
    base = LedgerEntry(
        entry_id=uuid4(),
        business_id="shop",
        account_id=uuid4(),
        customer_id="ann",
        seq=1,
        kind=EntryKind.STAMP_EARN,
        points=0,
        balance_after=0,
        source=Source.SALE,
        source_ref="s-1",
        event_id="e-1",
        occurred_at=AT,
        recorded_at=AT,
    )
    return _with(base, **changes)


def _with(entry: LedgerEntry, **changes: object) -> LedgerEntry:
    return replace(entry, **changes)  # type: ignore[arg-type]


@given(st.sampled_from(sorted(added_values)), st.data())
def test_setting_any_added_field_changes_the_hash_and_changing_it_again_too(
    name: str, data: st.DataObject
) -> None:
    value = data.draw(added_values[name])
    other = data.draw(added_values[name].filter(lambda v: v != value))
    unset = _entry()

    with_value = _with(unset, **{name: value})

    assert entry_hash(with_value, "p") != entry_hash(unset, "p")
    assert entry_hash(_with(unset, **{name: other}), "p") != entry_hash(with_value, "p")


def test_category_ids_are_hashed_in_order_and_not_as_one_joined_text() -> None:
    two = _entry(category_ids=("bakery", "dairy"))

    assert entry_hash(two, "p") != entry_hash(replace(two, category_ids=("dairy", "bakery")), "p")
    assert entry_hash(two, "p") != entry_hash(replace(two, category_ids=("bakery,dairy",)), "p")


def test_every_added_field_has_the_value_earlier_entries_hold_as_its_unset_value() -> None:
    unset = _entry()

    assert {name: getattr(unset, name) for name, _ in ADDED_FIELDS} == dict(ADDED_FIELDS)


def test_the_acting_device_is_attribution_like_the_terminal_and_not_hashed() -> None:
    entry = _entry()

    tablet = replace(entry, attribution=Attribution(terminal_id="till-1", device_id="tab-9"))

    assert entry_hash(tablet, "p") == entry_hash(entry, "p")


def test_posting_stamps_moves_the_stamp_balance_and_leaves_points_alone() -> None:
    account = Account("shop", uuid4(), "ann", balance=40, stamps=7)

    after, entry = post_entry(
        account,
        kind=EntryKind.STAMP_EARN,
        points=0,
        source=Source.SALE,
        source_ref="s-1",
        origin="stamps:s-1",
        at=AT,
        attribution=Attribution(),
        stamps=2,
        category_ids=("coffee",),
    )

    assert (after.balance, after.stamps) == (40, 9)
    assert (entry.stamps, entry.stamps_balance_after, entry.balance_after) == (2, 9, 40)
    assert entry.category_ids == ("coffee",)
    assert seal(entry) == entry and after.last_hash == entry.entry_hash


@given(st.sampled_from(sorted(added_values)), st.data())
def test_an_entry_with_card_fields_reads_back_from_its_flat_record_as_itself(
    name: str, data: st.DataObject
) -> None:
    entry = seal(_entry(**{name: data.draw(added_values[name])}))

    record = dict(zip(ENTRY_FIELDS, entry_values(entry), strict=True))
    record["category_ids"] = list(record["category_ids"])  # as the database hands it back

    assert entry_from_record(record) == entry
