"""A batch of opening balances split into streams: every row in exactly one, in the file's
order; an account's rows never in two streams (two would chain onto it at once), nor a row
key's (two would both write it)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ConcurrentUpdate
from domain.import_streams import split_by_account
from domain.imports import BalanceRow
from service.entrypoints.cli_import import in_streams
from service.use_cases.imports import BatchOutcome

pytestmark = pytest.mark.unit

_rows = st.lists(
    st.builds(
        BalanceRow,
        business_id=st.sampled_from(["shop-1", "shop-2"]),
        customer_id=st.sampled_from(["ann", "bob", "cy", "dee", "李"]),
        row_key=st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        points=st.just(1),
        earned_at=st.none(),
        expires_at=st.none(),
        pending_until=st.none(),
    ),
    max_size=30,
)


@given(rows=_rows, streams=st.integers(1, 5))
def test_each_row_lands_once_in_order_with_its_account_and_its_key(
    rows: list[BalanceRow], streams: int
) -> None:
    numbered = list(enumerate(rows, 1))
    parts = split_by_account(numbered, streams)

    assert 0 < len(parts) <= streams or not rows
    assert all(parts)
    assert sorted(row for part in parts for row in part) == numbered
    assert all(part == sorted(part) for part in parts)
    first_of_key: dict[tuple[str, str], int] = {}
    for line, row in numbered:
        first_of_key.setdefault((row.business_id, row.row_key), line)
    stream_of_line = {line: n for n, part in enumerate(parts) for line, _ in part}
    for line, row in numbered:
        key = (row.business_id, row.row_key)
        assert stream_of_line[line] == stream_of_line[first_of_key[key]]
    for n, part in enumerate(parts):
        # A row goes where its account's rows go unless an earlier row has its key.
        owners = {
            (row.business_id, row.customer_id)
            for line, row in part
            if first_of_key[(row.business_id, row.row_key)] == line
        }
        for other in parts[n + 1 :]:
            assert owners.isdisjoint(
                (row.business_id, row.customer_id)
                for line, row in other
                if first_of_key[(row.business_id, row.row_key)] == line
            )


def test_one_stream_keeps_the_batch_as_it_is_and_none_is_refused() -> None:
    row = BalanceRow("shop-1", "ann", "a", 1, None, None, None)
    assert split_by_account([(1, row), (2, row)], 1) == [[(1, row), (2, row)]]
    with pytest.raises(ValueError, match="at least 1"):
        split_by_account([(1, row)], 0)


def _numbered(*customers: str) -> list[tuple[int, BalanceRow]]:
    return [
        (line, BalanceRow("shop-1", customer, f"k{line}", 1, None, None, None))
        for line, customer in enumerate(customers, 1)
    ]


async def test_streams_are_retried_each_on_its_own_and_their_outcomes_added_up() -> None:
    conflicts = {"ann": 1}  # ann's stream meets one conflict, then goes in
    calls: list[str] = []

    async def step(rows: Sequence[tuple[int, BalanceRow]], dry_run: bool) -> BatchOutcome:
        customer = rows[0][1].customer_id
        calls.append(customer)
        if conflicts.get(customer):
            conflicts[customer] -= 1
            raise ConcurrentUpdate("busy")
        return BatchOutcome(imported=len(rows) - 1, rejected=[(rows[-1][0], customer)])

    rows = _numbered("ann", "bob", "ann", "bob", "bob")
    assert len(split_by_account(rows, 2)) == 2  # ann and bob fall in different streams

    outcome = await in_streams(step, 2, dry_run=False)(rows)

    assert outcome == BatchOutcome(imported=3, rejected=[(3, "ann"), (5, "bob")])
    assert sorted(calls) == ["ann", "ann", "bob"]  # bob's stream, done, is not written again


async def test_a_failing_stream_is_raised_once_every_other_stream_has_ended() -> None:
    ended: list[str] = []

    async def step(rows: Sequence[tuple[int, BalanceRow]], dry_run: bool) -> BatchOutcome:
        customer = rows[0][1].customer_id
        if customer == "ann":
            raise RuntimeError("the database went away")
        await asyncio.sleep(0.05)  # still writing when ann's stream fails
        ended.append(customer)
        return BatchOutcome(imported=len(rows))

    with pytest.raises(RuntimeError, match="went away"):
        await in_streams(step, 2, dry_run=False)(_numbered("ann", "bob"))
    assert ended == ["bob"]
