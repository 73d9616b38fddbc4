"""Re-sealing an account's chain under a new customer id (domain.erasure): what it keeps, what
it changes, and that it never turns a tampered chain into a verifying one unnoticed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import Account
from domain.chain import GENESIS_HASH, entry_hash
from domain.erasure import (
    PersonalData,
    carries_personal_data,
    chain_breaks,
    erased_entry,
    needs_erasure,
    reseal,
)
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.postings import post_entry

pytestmark = pytest.mark.unit

AT = datetime(2026, 6, 1, tzinfo=UTC)
ACCOUNT = UUID("00000000-0000-0000-0000-00000000000a")
SEEN = Attribution(actor="till", ip_address="203.0.113.7", user_agent="Till/1")


def history(points: list[int], customer_id: str = "phone:+447911123456") -> list[LedgerEntry]:
    account = Account("shop", ACCOUNT, customer_id)
    entries = []
    for n, p in enumerate(points):
        account, entry = post_entry(
            account,
            kind=EntryKind.ADJUSTMENT,
            points=p,
            source=Source.ADMIN,
            source_ref=f"adj-{n}",
            origin=f"adj-{n}",
            at=AT,
            attribution=SEEN,
        )
        entries.append(entry)
    return entries


@given(st.lists(st.integers(-500, 500), min_size=1, max_size=12))
def test_a_resealed_chain_verifies_and_keeps_everything_but_the_id_and_the_address(
    points: list[int],
) -> None:
    entries = history(points)
    assert chain_breaks(entries, entries[-1].entry_hash) == []

    resealed = reseal(entries, "erased_abc")

    assert chain_breaks(resealed, resealed[-1].entry_hash) == []
    for old, new in zip(entries, resealed, strict=True):
        assert new.customer_id == "erased_abc"
        assert new.attribution == Attribution(actor="till")
        assert (new.entry_id, new.seq, new.points, new.balance_after) == (
            old.entry_id,
            old.seq,
            old.points,
            old.balance_after,
        )


@given(st.lists(st.integers(-500, 500), min_size=2, max_size=8), st.data())
def test_any_tampered_entry_is_found_before_a_reseal(
    points: list[int], data: st.DataObject
) -> None:
    entries = history(points)
    at = data.draw(st.integers(0, len(entries) - 1))
    entries[at] = replace(entries[at], points=entries[at].points + 1)

    assert chain_breaks(entries, entries[-1].entry_hash) != []


def test_a_chain_whose_account_head_is_not_its_newest_entry_is_broken() -> None:
    entries = history([10, 20])

    assert chain_breaks(entries, GENESIS_HASH) != []


@pytest.mark.parametrize(
    ("customer_id", "identifiers", "personal"),
    [
        ("phone:+447911123456", (), True),
        ("cust-7f3a", (), False),
        ("crm-447911123456", ("+447911123456",), True),
        ("cust-42", ("42",), False),  # too short to say
        ("erased_0f1e", ("+447911123456",), False),
    ],
)
def test_a_customer_id_is_personal_when_made_of_a_phone_or_an_identifier(
    customer_id: str, identifiers: tuple[str, ...], personal: bool
) -> None:
    assert carries_personal_data(customer_id, identifiers) is personal


def test_an_account_erased_before_with_nothing_left_needs_nothing() -> None:
    assert not needs_erasure("erased_0f1e", PersonalData(erased_before=True))
    assert needs_erasure("erased_0f1e", PersonalData(erased_before=True, profiles=1))
    assert needs_erasure("cust-1", PersonalData())


def test_the_erased_entry_has_no_points_names_only_the_actor_and_chains_on() -> None:
    entries = history([10])
    account = Account("shop", ACCOUNT, "erased_0f1e", balance=10, last_seq=1)
    account = replace(account, last_hash=entries[-1].entry_hash)

    after, entry = erased_entry(account, AT, "dpo")

    assert (entry.kind, entry.points, entry.bucket.value) == (EntryKind.ERASED, 0, "account")
    assert entry.attribution == Attribution(actor="dpo")
    assert entry.entry_hash == entry_hash(entry, entries[-1].entry_hash)
    assert after.balance == 10 and after.last_hash == entry.entry_hash
