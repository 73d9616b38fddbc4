"""The model test's steps for the reward catalogue and the card's end: a reward costing points
and one costing stamps (the stamp card's), each with a small stock, redeemed at the till at
once or held (then captured by its sale or over HTTP, cancelled, or left to expire), retried
with the same key; and an account closed for good."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from domain.closure import CloseAccount
from domain.commands import AdjustPoints
from domain.errors import LoyaltyError
from domain.reward_commands import RedeemReward, SetReward
from service.use_cases.accounts import Accounts
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue
from tests.support.ledger_history_base import BUSINESS, CUSTOMERS, TILL, HistoryBase, new_entries
from tests.support.ledger_model import ModelHold
from tests.support.ledger_steps_items import REWARD_CARD

MUG = "mug"
REGULARS = st.sampled_from((*CUSTOMERS, CUSTOMERS[0], CUSTOMERS[0]))
"""Mostly one customer, so a card's stamps and holds meet: earned, held, spent, adjusted."""
CATALOGUE = {
    MUG: SetReward(BUSINESS, MUG, "A mug", points_cost=60, stock=2),
    REWARD_CARD: SetReward(BUSINESS, REWARD_CARD, "A free coffee", stamps_cost=2, stock=3),
}


def captured_entry(points: int, stamps: int) -> tuple[str, int, int]:
    """The entry a redemption of ``points`` or ``stamps`` posts when it is captured."""
    return ("stamp_redemption", 0, -stamps) if stamps else ("redemption", -points, 0)


class CardSteps(HistoryBase):
    def _open_the_catalogue(self) -> None:
        for command in CATALOGUE.values():
            self._run(RewardCatalogue(self.world.uows, self.clock).set(command))
            self._record("catalogue", command)

    def _held_stamps(self, customer: str) -> int:
        return sum(
            h.stamps
            for h in self.model.holds.values()
            if h.customer == customer and not h.released and not h.captured_before_release
        )

    @rule(
        customer=REGULARS,
        reward=st.sampled_from([MUG, REWARD_CARD, None]),
        hold=st.booleans(),
        then_sells=st.booleans(),
    )
    def a_reward_is_redeemed(
        self, customer: str, reward: str | None, hold: bool, then_sells: bool
    ) -> None:
        """By id, or the reward of the stamp card in force (None)."""
        n = self._n()
        command = RedeemReward(
            BUSINESS, self.accounts[customer], reward, f"key-{n}", f"fp-{n}", hold, TILL
        )
        before = self._snapshot()
        try:
            result = self._run(RewardRedemptions(self.world.uows, self.clock).redeem(command))
        except LoyaltyError:
            assert self._snapshot() == before, "a refused reward changed the ledger"
            return
        self.reward_commands.append(command)
        redemption = result.redemption
        self._record("reward", (command, redemption.redemption_id))
        terms = CATALOGUE[redemption.reward_id or ""]
        assert reward in (None, redemption.reward_id)
        assert (redemption.points, redemption.stamps) == (
            terms.points_cost or 0,
            terms.stamps_cost or 0,
        )
        assert self.model.status[customer] != "closed", "a closed card redeemed"
        spendable = self.model.stamps[customer] - self._held_stamps(customer)
        assert redemption.stamps <= spendable, "stamps spent or promised twice"
        self.redemptions[redemption.redemption_id] = customer
        new = [(e.kind, e.points, e.stamps) for e in new_entries(before, self._snapshot())]
        self.model.holds[redemption.redemption_id] = ModelHold(
            redemption.redemption_id,
            customer,
            redemption.points,
            redemption.expires_at,
            stamps=redemption.stamps,
            seq_at_hold=len(before.entries_of(self.accounts[customer])),
            captured_before_release=not hold,
        )
        if hold:
            assert new == [], "a hold posted an entry"
            if then_sells:
                sale = self._purchase(customer, Decimal(4), 0, False, redemption.redemption_id)
                self.waiting.append(sale)
        else:
            assert new == [captured_entry(redemption.points, redemption.stamps)]
            self.model.balances[customer] -= redemption.points
            self.model.stamps[customer] -= redemption.stamps

    @rule(customer=REGULARS, stamps=st.sampled_from([-3, -1, 1, 2, 4]))
    def a_manager_adjusts_stamps(self, customer: str, stamps: int) -> None:
        """Never below zero, and never taking stamps a held reward has promised."""
        before = self._snapshot()
        command = AdjustPoints(BUSINESS, self.accounts[customer], 0, "card", TILL, stamps=stamps)
        try:
            self._run(Accounts(self.world.uows, self.clock).adjust(command))
        except LoyaltyError:
            assert self._snapshot() == before
            return
        self._record("adjust", command)
        new = [(e.kind, e.points, e.stamps) for e in new_entries(before, self._snapshot())]
        assert new == [("stamp_adjustment", 0, stamps)]
        assert self.model.status[customer] != "closed", "a closed card adjusted"
        left = self.model.stamps[customer] + stamps - self._held_stamps(customer)
        assert stamps > 0 or left >= 0, "an adjustment took promised or missing stamps"
        self.model.stamps[customer] += stamps

    @precondition(lambda self: bool(self.reward_commands))
    @rule(data=st.data())
    def the_till_retries_a_reward(self, data: st.DataObject) -> None:
        command = data.draw(st.sampled_from(self.reward_commands), label="retried")
        before = self._snapshot()
        self._run(RewardRedemptions(self.world.uows, self.clock).redeem(command))
        assert self._snapshot() == before, "a retried reward redeemed again"

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        really=st.sampled_from([False, False, False, False, True]),
    )
    def an_account_is_closed(self, customer: str, really: bool) -> None:
        """Rarely (a closed card is done with): held rewards and points are cancelled, what
        is left is forfeited by one closure entry; closing again changes nothing."""
        if not really:
            return
        account_id = self.accounts[customer]
        before = self._snapshot()
        command = CloseAccount(BUSINESS, account_id, "moving away", TILL)
        self._run(Accounts(self.world.uows, self.clock).close(command))
        self._record("close", command)
        new = [(e.kind, e.points, e.stamps) for e in new_entries(before, self._snapshot())]
        if self.model.status[customer] == "closed":
            assert new == [], "a second closure"
            return
        balance, stamps = self.model.balances[customer], self.model.stamps[customer]
        assert new == [("closure", -balance, -stamps)]
        self.model.balances[customer] = self.model.stamps[customer] = 0
        self.model.status[customer] = "closed"
        self.model.ever_suspended.add(customer)  # replay reads status at apply time as well
        for hold in self.model.holds.values():
            if hold.customer == customer and not hold.captured_before_release:
                hold.released = True
