"""``loyalty account`` shows stamp entries with their stamps, not as a bare +0."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, Source
from domain.postings import post_entry
from domain.stamps import StampCard
from service.entrypoints.presenters import statement_text
from service.use_cases.accounts import AccountStatement

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_stamp_entry_line_shows_the_stamps_and_the_card_balance_after_it() -> None:
    account = Account("shop", uuid4(), "anna", balance=15)
    account, earned = post_entry(
        account,
        kind=EntryKind.STAMP_EARN,
        points=0,
        source=Source.SALE,
        source_ref="s-1",
        origin="stamps:s-1",
        at=AT,
        attribution=Attribution(),
        stamps=2,
    )

    text = statement_text(AccountStatement(account, [earned], StampCard(target=10)))

    assert "stamps: 2 of 10" in text
    assert "stamp_earn" in text and "stamps +2 -> 2" in text
