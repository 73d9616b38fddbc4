"""The relay over a sharded outbox: a pass walks the shards from its own, each shard's oldest
entries in order; whatever the broker does, every entry goes out, in order per account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import LedgerEntry
from ports.publishing import OUTBOX_SHARDS, LedgerMessage
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.outbox_relay import OutboxRelay
from tests.fakes import FakeClock, FakeLedgerPublisher, FakeMetrics, FakeStore
from tests.fakes.sharded_outbox import ShardedUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, programme, sale

pytestmark = pytest.mark.unit

CUSTOMERS = [f"c{n}" for n in range(24)]


def shard_of(account_id: UUID | str) -> int:
    return UUID(str(account_id)).int % OUTBOX_SHARDS  # as the fake outbox shards


async def sales_posted(count: int) -> tuple[ShardedUnitOfWorkFactory, FakeClock]:
    store = FakeStore(programmes={BUSINESS: programme()})
    store.accounts = {(a.business_id, a.account_id): a for a in map(account, CUSTOMERS)}
    uows, clock = ShardedUnitOfWorkFactory(store), FakeClock(RECORDED_AT)
    events = [sale(f"s{n}", "10", customer_id=CUSTOMERS[n * 7 % 24]) for n in range(count)]
    await ApplyEventBatch(uows, clock)(events)
    return uows, clock


@dataclass
class ScriptedBroker:
    """Each publish call in turn: delivered, refused ("down") or delivered unacknowledged."""

    script: list[str]
    published: list[LedgerMessage] = field(default_factory=list)

    async def publish(self, messages: Sequence[LedgerMessage]) -> None:
        step = self.script.pop(0) if self.script else "ok"
        if step == "down":
            raise ConnectionError("broker unreachable")
        self.published.extend(messages)
        if step == "lost ack":
            raise ConnectionError("acknowledgement lost")


def relay(
    uows: ShardedUnitOfWorkFactory,
    broker: FakeLedgerPublisher | ScriptedBroker,
    clock: FakeClock,
    first_shard: int,
    batch: int = 100,
    metrics: FakeMetrics | None = None,
) -> OutboxRelay:
    return OutboxRelay(
        uows,
        broker,
        batch,
        0.0,
        lambda error: True,
        clock,
        metrics or FakeMetrics(),
        first_shard=first_shard,
    )


def per_account(entries: Sequence[LedgerEntry | LedgerMessage]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for e in entries:
        seen.setdefault(str(e.account_id), []).append(str(e.entry_id))
    return seen


async def test_a_pass_walks_the_shards_from_its_first_one_round_to_the_one_before() -> None:
    uows, clock = await sales_posted(48)
    broker = FakeLedgerPublisher()
    first = shard_of(uows.store.entries[-1].account_id)

    assert await relay(uows, broker, clock, first_shard=first).relay_once() == 48
    walked = list(dict.fromkeys(shard_of(m.account_id) for m in broker.published))
    assert walked[0] == first
    assert walked == sorted(walked, key=lambda s: (s - first) % OUTBOX_SHARDS)
    assert per_account(broker.published) == per_account(uows.store.entries)


async def test_each_shard_gives_at_most_a_batch_a_pass_so_none_waits_behind_another() -> None:
    uows, clock = await sales_posted(96)
    broker, metrics = FakeLedgerPublisher(), FakeMetrics()
    shards = {shard_of(e.account_id) for e in uows.store.entries}
    relayed = relay(uows, broker, clock, batch=2, first_shard=0, metrics=metrics)

    clock.advance(seconds=3)
    assert await relayed.relay_once() == 2 * len(shards)
    passes = [call for call in metrics.calls if call[0] == "outbox"]
    assert passes == [("outbox", (2 * len(shards), 3.0))]  # one figure for the pass
    while await relayed.relay_once():
        pass
    assert per_account(broker.published) == per_account(uows.store.entries)


@settings(max_examples=40)
@given(
    script=st.lists(st.sampled_from(["ok", "down", "lost ack"]), max_size=30),
    batch=st.integers(1, 7),
    first_shard=st.integers(0, OUTBOX_SHARDS - 1),
)
async def test_whatever_the_broker_does_every_entry_goes_out_in_order_per_account(
    script: list[str], batch: int, first_shard: int
) -> None:
    uows, clock = await sales_posted(20)
    broker, metrics = ScriptedBroker(list(script)), FakeMetrics()
    relayed = relay(uows, broker, clock, batch=batch, first_shard=first_shard, metrics=metrics)
    for _ in range(200):
        try:
            if not await relayed.relay_once():
                break
        except ConnectionError:
            continue

    assert uows.store.pending() == []
    first_copies = list(dict.fromkeys(broker.published))
    assert per_account(first_copies) == per_account(uows.store.entries)
    counted = sum(cast(int, args[0]) for name, args in metrics.calls if name == "outbox")
    assert counted == len(uows.store.entries)  # a shard marked is counted, even in a failed pass
