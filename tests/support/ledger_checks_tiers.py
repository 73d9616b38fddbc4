"""What must hold after every step for levels, referrals, cancelled sales, spent points
given back and redeem limits (issue 15), on one snapshot of the store."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from uuid import UUID

from domain.redeem_limits import period_bounds
from tests.support.ledger_history_base import HistoryBase
from tests.support.ledger_world import EntryRow, Snapshot


def level_in_force(changes: list[EntryRow], at: datetime) -> str | None:
    before = [c for c in changes if c.occurred_at is not None and c.occurred_at <= at]
    latest = max(before, key=lambda c: (c.occurred_at, c.seq), default=None)
    return latest.level_after if latest else None


class TierChecks(HistoryBase):
    def _tier_promises_hold(self, snapshot: Snapshot) -> None:
        self._levels_follow_their_changes_and_the_model(snapshot)
        self._earns_are_what_the_model_earned(snapshot)
        self._referral_bonuses_are_paid_and_taken_back_once(snapshot)
        self._spent_points_come_back_at_most_once_and_all_on_a_full_return(snapshot)
        self._cancelled_sales_are_undone(snapshot)
        self._no_period_redeems_above_the_limit(snapshot)

    def _levels_follow_their_changes_and_the_model(self, snapshot: Snapshot) -> None:
        for customer, account_id in self.accounts.items():
            changes = [e for e in snapshot.entries_of(account_id) if e.kind == "level_change"]
            far = datetime.max.replace(tzinfo=UTC)
            assert snapshot.levels[account_id] == level_in_force(changes, far), customer
            reviews = Counter(c.occurred_at for c in changes if c.event_id is None)
            assert all(n == 1 for n in reviews.values()), f"{customer} reviewed twice"
            for i, change in enumerate(changes):
                assert change.points == 0 and change.stamps == 0, change
                assert change.occurred_at is not None
                assert change.level_before == level_in_force(changes[:i], change.occurred_at)
            modelled = [
                (c.occurred_at, c.level_before, c.level_after)
                for c in self.model.levels.changes.get(customer, [])
            ]
            posted = [(c.occurred_at, c.level_before, c.level_after) for c in changes]
            assert posted == modelled, (customer, posted, modelled)
            assert snapshot.levels[account_id] == self.model.levels.current(customer)

    def _earns_are_what_the_model_earned(self, snapshot: Snapshot) -> None:
        """At the level in force at the sale's time (a programme without levels: at 1)."""
        earns = {e.event_id: e.points for e in snapshot.entries if e.kind == "earn"}
        for sale in self.model.sales.values():
            if sale.applied:
                assert earns.get(sale.event.event_id, 0) == sale.earned, sale.event.event_id

    def _referral_bonuses_are_paid_and_taken_back_once(self, snapshot: Snapshot) -> None:
        customers = {a: c for c, a in self.accounts.items()}
        bonuses: dict[tuple[str, str], EntryRow] = {}
        for row in sorted(snapshot.entries, key=lambda e: (e.account_id.int, e.seq)):
            if row.kind not in ("referral_bonus", "referral_reversal"):
                continue
            entry = row
            referred = (
                customers.get(entry.referred_account_id) if entry.referred_account_id else None
            )
            who = referred or customers[row.account_id]
            key = (f"{row.kind}:{who}", "referrer" if referred else "referred")
            assert key not in bonuses, f"a second {key}"
            bonuses[key] = row
        for customer, referral in self.model.referrals.items():
            assert referral.referrer != customer, "a self-referral"
            paid = {
                "referred": bonuses.get((f"referral_bonus:{customer}", "referred")),
                "referrer": bonuses.get((f"referral_bonus:{customer}", "referrer")),
            }
            expected = {"referred": referral.referred_points, "referrer": referral.referrer_points}
            for role, bonus in paid.items():
                assert (bonus.points if bonus else 0) == expected[role], (customer, role)
                taken = bonuses.get((f"referral_reversal:{customer}", role))
                if taken is not None:
                    assert bonus is not None and taken.points == -bonus.points
                    assert taken.related_entry_id == bonus.entry_id
                    assert referral.reversed
            sale = self.model.sales.get(referral.sale or "")
            for bonus in paid.values():
                assert bonus is None or (sale is not None and bonus.event_id == sale.event.event_id)
        assert len(bonuses) == sum(
            1 for e in snapshot.entries if e.kind in ("referral_bonus", "referral_reversal")
        )

    def _spent_points_come_back_at_most_once_and_all_on_a_full_return(
        self, snapshot: Snapshot
    ) -> None:
        back = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind == "spend_return":
                assert entry.related_entry_id is not None and entry.points > 0, entry
                back[entry.related_entry_id] += entry.points
        captures = {e.entry_id: e for e in snapshot.entries if e.kind == "redemption"}
        cancels = {
            e.source_ref: e.points for e in snapshot.entries if e.kind == "redemption_cancelled"
        }
        for capture_id, points in back.items():
            capture = captures[capture_id]
            total = points + cancels.get(capture.source_ref, 0)
            assert total <= -capture.points, f"{capture.source_ref} came back {total} times"
        for hold in self.model.holds.values():
            taking = next(
                (c for c in captures.values() if c.source_ref == str(hold.redemption_id)), None
            )
            got = back[taking.entry_id] if taking else 0
            assert got == hold.given_back, (hold, got)

    def _cancelled_sales_are_undone(self, snapshot: Snapshot) -> None:
        """Once a cancellation is applied with its sale: all it earned reversed, its stamps
        voided, all it spent given back (unless closing forfeited them)."""
        taken = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind in ("reversal", "stamp_void") and entry.related_entry_id is not None:
                taken[entry.related_entry_id] -= entry.points + entry.stamps
        for sale in self.model.sales.values():
            customer = sale.event.customer_id or ""
            if not (sale.cancelled and sale.applied) or self.model.status.get(customer) == "closed":
                continue
            for entry in snapshot.entries:
                if entry.event_id == sale.event.event_id and entry.kind in ("earn", "stamp_earn"):
                    assert taken[entry.entry_id] == entry.points + entry.stamps, entry
            hold = self.model.holds.get(sale.spend) if sale.spend else None
            if hold is not None and not hold.cancelled:
                assert hold.given_back == hold.points, f"{sale.event.reference} kept spent points"

    def _no_period_redeems_above_the_limit(self, snapshot: Snapshot) -> None:
        """Captured or live held points, less what the returns of the sale they paid for
        gave back, by the period each was redeemed in."""
        limit = self.redeem_limit
        if limit is None:
            return
        now = self.clock.now()
        back = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind == "spend_return" and entry.related_entry_id is not None:
                back[entry.related_entry_id] += entry.points
        used = Counter[tuple[UUID, datetime]]()
        for row in snapshot.redemptions.values():
            live = row.status == "held" and (row.expires_at is None or row.expires_at > now)
            if row.status == "captured" or live:
                assert row.created_at is not None
                start, _ = period_bounds(limit.period, row.created_at)
                given_back = back[row.entry_id] if row.entry_id else 0
                used[(row.account_id, start)] += row.points - given_back
        for (account_id, start), points in used.items():
            assert points <= limit.points, (account_id, start, points, limit)
