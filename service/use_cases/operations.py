"""LoyaltyService: the operations port (``ports.operations``), answered by the use cases.

No translation happens here: the unit of work raises ``ConcurrentUpdate`` itself, so each
operation is its use case's own method."""

from __future__ import annotations

from service.use_cases.accounts import Accounts
from service.use_cases.identifiers import Identifiers
from service.use_cases.merges import Merges
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue


class LoyaltyService:
    def __init__(
        self,
        programmes: Programmes,
        accounts: Accounts,
        redemptions: Redemptions,
        catalogue: RewardCatalogue | None = None,
        reward_till: RewardRedemptions | None = None,
    ):
        self.programme = programmes.get
        self.set_programme = programmes.set
        self.enrol = accounts.enrol
        self.account = accounts.account
        self.account_by_customer = accounts.account_by_customer
        self.account_by_referral_code = accounts.account_by_referral_code
        self.transactions = accounts.transactions
        self.adjust = accounts.adjust
        self.change_status = accounts.change_status
        self.close = accounts.close
        self.preview = redemptions.preview
        self.redeem = redemptions.redeem
        self.redemption = redemptions.get
        self.capture = redemptions.capture
        self.cancel = redemptions.cancel
        if catalogue is not None:
            self.set_reward = catalogue.set
            self.reward = catalogue.get
            self.rewards = catalogue.listed
            self.retire_reward = catalogue.retire
        if reward_till is not None:
            self.preview_reward = reward_till.preview
            self.redeem_reward = reward_till.redeem
        found = Identifiers(accounts)  # ports.identifiers.IdentifierOperations
        self.account_by_identifier = found.account_by_identifier
        self.add_identifier = found.add_identifier
        self.remove_identifier = found.remove_identifier
        self.merge = Merges(accounts.uow_factory, accounts.clock).merge  # ports.merges
