"""The go-live history's referrals and merges (``test_go_live_history.py``): enrolment by any
card's code, merges of any two open accounts and of two referred ones, and what a merge must
refuse, drop or move, as ``Merges`` and ``AccountMergeRepository.move_referrals`` say."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    precondition,
    rule,
)

from domain.commands import EnrolCustomer
from domain.merges import MergeAccounts, MergeLinksReferral
from service.use_cases.merges import Merges
from tests.support.go_live_model import Member, Referred
from tests.support.go_live_trading import Trading


class MergesAndReferrals(Trading):
    @precondition(lambda self: self.open_accounts())
    @rule(data=st.data())
    def enrol_referred(self, data: st.DataObject) -> None:
        # Any card's code, a merged-away one's too: it refers for the survivor.
        named = data.draw(st.sampled_from(list(self.members)))
        code = self.run(
            self.pool.fetchval(
                "SELECT code FROM referral_codes WHERE business_id = $1 AND account_id = $2",
                self.shop,
                named,
            )
        )
        referrer = self.forwards.get(self.members[named].customer_id, named)
        n, *_ = self.fresh()
        view = self.run(self.accounts.enrol(EnrolCustomer(self.shop, f"c{n}", referral_code=code)))
        self.members[view.account.account_id] = Member(f"c{n}")
        self.referrals.append(Referred(view.account.account_id, referrer))

    @precondition(lambda self: len([m for m in self.members.values() if m.open]) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        self.merge_two_of(data, self.open_accounts())

    @precondition(lambda self: len(self.open_referred()) >= 2)
    @rule(data=st.data())
    def merge_two_referred(self, data: st.DataObject) -> None:
        """Where merges meet referrals: each account holds one referral, and may have paid."""
        self.merge_two_of(data, self.open_referred())

    def merge_two_of(self, data: st.DataObject, accounts: list[UUID]) -> None:
        survivor, merged = data.draw(
            st.lists(st.sampled_from(accounts), min_size=2, max_size=2, unique=True)
        )
        between = [r for r in self.referrals if {r.referred, r.referrer} == {survivor, merged}]
        merging = Merges(self.uows, self.clock).merge(MergeAccounts(self.shop, survivor, merged))
        dropped = [r for r in between if r.sale_id is None]  # never paid: nobody refers oneself
        staying = [r for r in self.referrals if r not in dropped]
        # Refused while a return may still take bonuses back that the merge would put out of
        # its reach: between the two, or the merged one's own when the survivor has its own.
        stranded = any(r.referred == survivor for r in staying) and [
            r for r in staying if r.referred == merged and r.referrer != survivor
        ]
        if any(r.paid and not r.reversed for r in [*between, *(stranded or [])]):
            with pytest.raises(MergeLinksReferral):
                self.run(merging)
            return
        result = self.run(merging)
        self.referrals = staying
        kept, gone = self.members[survivor], self.members[merged]
        assert result.moved_points == gone.balance
        kept.balance += gone.balance
        kept.owes_for_returns = kept.balance < 0 and (
            kept.owes_for_returns or gone.owes_for_returns
        )
        kept.held |= gone.held
        kept.name = kept.name or gone.name
        gone.balance, gone.held, gone.name, gone.open = 0, set(), None, False
        self.forwards[gone.customer_id] = survivor
        survivor_referred = any(r.referred == survivor for r in self.referrals)
        for referral in self.referrals:  # no referral of oneself, one per account
            if referral.referred == merged:
                if referral.referrer != survivor and not survivor_referred:
                    referral.referred = survivor
            elif referral.referrer == merged and referral.referred != survivor:
                referral.referrer = survivor
        for bought in self.sales:  # their returns reverse on the survivor, which has the points
            if bought.account_id == merged:
                bought.account_id = survivor
        for customer, account in list(self.forwards.items()):
            if account == merged:
                self.forwards[customer] = survivor
