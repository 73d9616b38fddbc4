"""Reports on the in-memory fakes: the history filter's arithmetic, cursors that round-trip and
refuse anything else, and paging that adds up to the whole listing."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.http import report_cursors as cursors
from domain.accounts import Account
from domain.errors import AccountNotFound, InvalidRequest
from domain.ledger import BUCKET_OF_KIND, Attribution, Bucket, EntryKind, Source
from domain.lots import Lot
from domain.postings import post_entry
from domain.reports import (
    DayRange,
    ExpiringQuery,
    LevelQuery,
    MovementQuery,
    ReferralQuery,
    history_kinds,
)
from service.use_cases.reports import Reports
from tests.fakes.clock import FakeClock
from tests.fakes.reports import FakeReports
from tests.fakes.store import FakeStore

pytestmark = pytest.mark.unit

SHOP = "shop"
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
MARCH = DayRange(date(2026, 3, 1), date(2026, 3, 31))


@given(st.sets(st.sampled_from(EntryKind)), st.sets(st.sampled_from(Bucket)))
def test_a_history_shows_an_entry_only_when_both_filters_let_its_kind_through(
    kinds: set[EntryKind], buckets: set[Bucket]
) -> None:
    shown = history_kinds(kinds, buckets)

    if not kinds and not buckets:
        assert shown is None
        return
    assert shown is not None
    for kind in EntryKind:
        wanted = (not kinds or kind in kinds) and (not buckets or BUCKET_OF_KIND[kind] in buckets)
        assert (kind in shown) == wanted


@given(st.datetimes(timezones=st.just(UTC)), st.uuids(), st.dates(), st.text(max_size=30))
def test_cursors_give_back_the_key_they_were_made_from(
    moment: datetime, lot: UUID, day: date, text: str
) -> None:
    assert cursors.expiring_after(cursors.expiring_cursor((moment, lot)) or "") == (moment, lot)
    assert cursors.referrals_after(cursors.referrals_cursor(lot) or "") == lot
    made = cursors.movements_cursor((day, text)) or ""
    if len(made) <= cursors.MAX_CURSOR:
        assert cursors.movements_after(made) == (day, text)


@given(st.text(max_size=300))
def test_any_text_is_a_cursor_of_its_report_or_refused_as_invalid(text: str) -> None:
    for decode in (
        cursors.expiring_after,
        cursors.referrals_after,
        cursors.movements_after,
        cursors.levels_after,
    ):
        with contextlib.suppress(cursors.InvalidCursor):
            decode(text)


def test_a_cursor_of_one_report_is_refused_by_another() -> None:
    made = cursors.levels_cursor("gold") or ""

    with pytest.raises(cursors.InvalidCursor):
        cursors.movements_after(made)
    assert cursors.levels_after(made) == "gold"


def entry(
    store: FakeStore,
    account: Account,
    kind: EntryKind,
    points: int,
    at: datetime,
    store_id: str | None,
) -> Account:
    after, made = post_entry(
        account,
        kind=kind,
        points=points,
        source=Source.SYSTEM,
        source_ref="r",
        origin=f"{uuid4()}",
        at=at,
        attribution=Attribution(store_id=store_id),
    )
    store.entries.append(made)
    store.accounts[(after.business_id, after.account_id)] = after
    return after


@st.composite
def stores(draw: st.DrawFn) -> FakeStore:
    store = FakeStore()
    for n in range(draw(st.integers(1, 6))):
        business = draw(st.sampled_from([SHOP, "rival"]))
        account = Account(business, uuid4(), f"c{n}", level=draw(st.sampled_from([None, "a", "b"])))
        store.accounts[(business, account.account_id)] = account
        for _ in range(draw(st.integers(0, 5))):
            at = NOW - timedelta(hours=draw(st.integers(0, 24 * 20)))
            kind = draw(st.sampled_from(list(EntryKind)))
            store_id = draw(st.sampled_from([None, "s-1", "s-2"]))
            points = draw(st.integers(-50, 50))
            account = entry(store, account, kind, points, at, store_id)
            expires = at + timedelta(days=draw(st.integers(1, 30)))
            lot = Lot(business, account.account_id, uuid4(), uuid4(), at, at, expires, 9, 9)
            store.lots[(business, lot.lot_id)] = lot
    return store


@given(stores(), st.integers(1, 4))
async def test_pages_of_any_size_add_up_to_the_whole_listing_of_every_report(
    store: FakeStore, size: int
) -> None:
    reports = Reports(FakeReports(store), FakeClock(NOW))

    async def paged(
        make: Callable[[int, Any], Awaitable[Any]], rows: Callable[[Any], Sequence[Any]]
    ) -> list[Any]:
        found: list[Any] = []
        after = None
        while True:
            page = await make(size, after)
            found += rows(page)
            if page.next_after is None:
                return found
            after = page.next_after

    whole = await reports.movements(MovementQuery(SHOP, MARCH, limit=200))
    moves = await paged(
        lambda n, a: reports.movements(MovementQuery(SHOP, MARCH, n, a)),
        lambda p: p.movements,
    )
    assert moves == list(whole.movements)
    whole_lots = await reports.expiring(ExpiringQuery(SHOP, 10, limit=200))
    lots = await paged(
        lambda n, a: reports.expiring(ExpiringQuery(SHOP, 10, None, n, a)),
        lambda p: p.lots,
    )
    assert lots == list(whole_lots.lots)
    assert whole_lots.total.points == sum(lot.points for lot in lots)
    whole_refs = await reports.referrals(ReferralQuery(SHOP, MARCH, limit=200))
    refs = await paged(
        lambda n, a: reports.referrals(ReferralQuery(SHOP, MARCH, None, n, a)),
        lambda p: p.earnings,
    )
    assert refs == list(whole_refs.earnings)
    assert whole_refs.total.points == sum(r.points for r in refs)
    levels = await paged(lambda n, a: reports.levels(LevelQuery(SHOP, n, a)), lambda p: p.levels)
    assert sum(r.members for r in levels) == sum(
        1 for a in store.accounts.values() if a.business_id == SHOP
    )


async def test_the_reports_refuse_a_bad_page_window_or_range_and_an_unknown_account() -> None:
    reports = Reports(FakeReports(FakeStore()), FakeClock(NOW))

    with pytest.raises(InvalidRequest):
        await reports.levels(LevelQuery(SHOP, limit=0))
    with pytest.raises(InvalidRequest):
        await reports.expiring(ExpiringQuery(SHOP, within_days=0))
    with pytest.raises(InvalidRequest):
        DayRange(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(AccountNotFound):
        await reports.expiring(ExpiringQuery(SHOP, 7, account_id=uuid4()))
