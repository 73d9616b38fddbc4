"""A shop with a reward catalogue and a stamp card, on the in-memory unit of work: what the
reward tests start from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from uuid import UUID

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, Source
from domain.postings import policies_of, post_entry, settle
from domain.programme import Programme
from domain.reward_commands import RedeemReward
from domain.rewards import Reward
from domain.stamps import StampCard
from service.use_cases.redemptions import Redemptions
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue
from tests.fakes import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.unit.builders import BUSINESS, account, at, programme, rule

NOW = at(days=10)
COFFEE = Reward(BUSINESS, "free-coffee", "A free coffee", stamps_cost=10)
MUG = Reward(BUSINESS, "mug", "A branded mug", points_cost=500, stock=3)


def card_programme(min_balance: int = 0) -> Programme:
    card = StampCard(target=10, reward_id=COFFEE.reward_id)
    return programme(replace(rule(), stamp_card=card, min_balance_to_redeem=min_balance))


@dataclass
class RewardShop:
    store: FakeStore = field(default_factory=FakeStore)
    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))

    def __post_init__(self) -> None:
        self.uows = FakeUnitOfWorkFactory(self.store)
        self.catalogue = RewardCatalogue(self.uows, self.clock)
        self.till = RewardRedemptions(self.uows, self.clock)
        self.redemptions = Redemptions(self.uows, self.clock)
        self.store.programmes[BUSINESS] = card_programme()
        for reward in (COFFEE, MUG):
            self.store.rewards[(BUSINESS, reward.reward_id)] = reward

    async def customer(self, customer_id: str, points: int = 0, stamps: int = 0) -> UUID:
        """An account given ``points`` and ``stamps`` by hand (entries, a lot), committed."""
        holder = account(customer_id)
        key = (BUSINESS, holder.account_id)
        self.store.accounts[key] = holder
        async with self.uows() as uow:
            current: Account = holder
            entries = []
            for kind, given, stamped in (
                (EntryKind.ADJUSTMENT, points, 0),
                (EntryKind.STAMP_ADJUSTMENT, 0, stamps),
            ):
                if given == 0 and stamped == 0:
                    continue
                current, entry = post_entry(
                    current,
                    kind=kind,
                    points=given,
                    stamps=stamped,
                    source=Source.ADMIN,
                    source_ref="opening",
                    origin=f"opening:{customer_id}:{kind.value}",
                    at=self.clock.now() - timedelta(days=1),
                    attribution=Attribution(actor="test"),
                    reason="opening balance",
                )
                entries.append(entry)
            prog = self.store.programmes[BUSINESS]
            await uow.ledger.post(settle([current], entries, policies_of(prog), {key: []}))
            await uow.commit()
        return holder.account_id

    def account(self, account_id: UUID) -> Account:
        return self.store.accounts[(BUSINESS, account_id)]

    def reward(self, reward_id: str) -> Reward:
        return self.store.rewards[(BUSINESS, reward_id)]


def redeem(
    account_id: UUID, reward_id: str | None, key: str, *, hold: bool = False
) -> RedeemReward:
    fingerprint = f"fp:{account_id}:{reward_id}:{hold}"
    return RedeemReward(BUSINESS, account_id, reward_id, key, fingerprint, hold=hold)
