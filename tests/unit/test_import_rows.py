"""Rows of ``loyalty import``: read from CSV and JSON lines, checked into accounts and opening
lots, refused with a reason (never an exception of another kind), and posted as lots that
keep the old programme's dates while the ledger's invariants hold."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.import_files import FileRowError, e164, format_of, read_rows
from domain.accounts import Account
from domain.imports import (
    RowRefused,
    account_row,
    balance_row,
    digest,
    open_imported,
    opening_balances,
)
from domain.ledger import Source

pytestmark = pytest.mark.unit

NOW = datetime(2026, 6, 1, tzinfo=UTC)
GOOD = {"business_id": "b", "customer_id": "c", "row_key": "k", "points": "120"}


def test_csv_rows_come_with_their_line_numbers_and_a_ragged_row_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\ufeffBusiness_ID,customer_id\nb,c1\n\nb,c2,extra\nb,c3\n")

    rows = list(read_rows(path, format_of(path, None)))

    assert [line for line, _ in rows] == [2, 4, 5]
    assert rows[0][1] == {"business_id": "b", "customer_id": "c1"}
    assert isinstance(rows[1][1], FileRowError)


def test_json_lines_that_are_not_objects_are_refused_and_the_file_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "b.data"
    path.write_text('{"points": 1}\n[1]\n{oops\n\n{"points": 2}\n')

    rows = list(read_rows(path, format_of(path, "jsonl")))

    assert [line for line, _ in rows] == [1, 2, 3, 5]
    assert [isinstance(fields, FileRowError) for _, fields in rows] == [False, True, True, False]


def test_a_file_whose_format_cannot_be_told_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--format"):
        format_of(tmp_path / "rows.txt", None)


def test_phones_become_e164_whatever_way_the_old_system_wrote_them() -> None:
    normalise = e164("GB")

    assert normalise("07911 123456") == normalise("+44 (0)7911-123456") == "+447911123456"
    with pytest.raises(ValueError):
        normalise("12")
    assert e164(None)("07911 123456") == "+447911123456"  # no region given: GB, as at the till


def test_an_account_row_keeps_its_identifiers_as_the_tills_lookup_normalises_them() -> None:
    row = account_row(
        {"business_id": "b", "customer_id": "c", "email": " A@X.org", "card": "6011 0000-1001"},
        e164("GB"),
        NOW,
    )

    assert row.identifiers() == [("email", "a@x.org"), ("card", "601100001001")]
    with pytest.raises(RowRefused, match="card"):
        account_row({"business_id": "b", "customer_id": "c", "card": "42"}, e164("GB"), NOW)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"points": "0"}, "above 0"),
        ({"points": "1.5"}, "whole number"),
        ({"points": True}, "whole number"),
        ({"points": "-5"}, "above 0"),
        ({"points": "\u00b2"}, "whole number"),  # a digit to str.isdigit, not to int()
        ({"points": "+-5"}, "whole number"),
        ({"points": "\u0663"}, "whole number"),  # an Arabic-Indic 3: the file's digits are ASCII
        ({"row_key": " "}, "row_key is missing"),
        ({"earned_at": "yesterday"}, "ISO 8601"),
        ({"earned_at": "2030-01-01"}, "future"),
        ({"expires_at": "2026-01-01"}, "expired before the import"),
        ({"pending_until": "2026-09-01", "expires_at": "2026-08-01"}, "not after"),
        ({"earned_at": "2026-05-01", "pending_until": "2026-04-01"}, "before earned_at"),
    ],
)
def test_a_balance_row_that_makes_no_sense_is_refused_with_the_reason(
    change: dict[str, object], reason: str
) -> None:
    with pytest.raises(RowRefused, match=reason):
        balance_row(GOOD | change, NOW)


@given(
    st.dictionaries(
        st.sampled_from([*GOOD, "earned_at", "expires_at", "pending_until"]),
        st.none()
        | st.booleans()
        | st.integers()
        | st.text()
        | st.from_regex(r"\A[+\-]{0,2}[0-9\u00b2\u0663]{1,3}\Z")  # number-like texts
        | st.floats(),
    )
)
def test_no_balance_row_raises_anything_but_a_refusal(fields: dict[str, object]) -> None:
    with contextlib.suppress(RowRefused):
        balance_row(fields, NOW)


def test_the_same_values_give_the_same_digest_and_other_values_another() -> None:
    assert digest(balance_row(GOOD, NOW)) == digest(balance_row(dict(GOOD), NOW))
    assert digest(balance_row(GOOD, NOW)) != digest(balance_row(GOOD | {"points": 121}, NOW))


def test_an_imported_account_has_its_id_from_its_customer_and_a_card_entry_from_import() -> None:
    row = account_row(
        {"business_id": "b", "customer_id": "c", "enrolled_at": "2019-01-01"}, e164(None), NOW
    )

    account, posting = open_imported(row, NOW)

    assert account.account_id == open_imported(row, NOW)[0].account_id
    assert posting.entries[0].source is Source.IMPORT
    assert posting.entries[0].occurred_at == datetime(2019, 1, 1, tzinfo=UTC)


@given(
    st.integers(-500, 500),
    st.lists(st.integers(1, 1000), min_size=1, max_size=5),
)
def test_opening_lots_add_up_to_the_positive_balance_and_keep_their_dates(
    balance: int, points: list[int]
) -> None:
    account = Account("b", uuid4(), "c", balance=balance)
    expires = NOW + timedelta(days=90)
    rows = [
        balance_row(
            GOOD
            | {
                "row_key": f"k{i}",
                "points": p,
                "earned_at": "2026-01-01",
                "pending_until": "2026-07-01",
                "expires_at": expires.isoformat(),
            },
            NOW,
        )
        for i, p in enumerate(points)
    ]

    posting = opening_balances(account, rows, NOW)

    after = posting.accounts[0]
    lots = list(posting.lots.lots.values())
    assert after.balance == balance + sum(points)
    assert sum(lot.remaining for lot in lots) + max(balance, 0) == max(after.balance, 0)
    assert {(lot.available_at, lot.expires_at) for lot in lots} == {
        (datetime(2026, 7, 1, tzinfo=UTC), expires)
    }
    assert [e.seq for e in posting.entries] == list(range(1, len(points) + 1))
