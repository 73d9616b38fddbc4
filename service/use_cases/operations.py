"""LoyaltyService: the operations port (``ports.operations``), answered by the use cases.

No translation happens here: the unit of work raises ``ConcurrentUpdate`` itself, so each
operation is its use case's own method."""

from __future__ import annotations

from service.use_cases.accounts import Accounts
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions


class LoyaltyService:
    def __init__(self, programmes: Programmes, accounts: Accounts, redemptions: Redemptions):
        self.programme = programmes.get
        self.set_programme = programmes.set
        self.enrol = accounts.enrol
        self.account = accounts.account
        self.account_by_customer = accounts.account_by_customer
        self.transactions = accounts.transactions
        self.adjust = accounts.adjust
        self.change_status = accounts.change_status
        self.preview = redemptions.preview
        self.redeem = redemptions.redeem
        self.redemption = redemptions.get
        self.capture = redemptions.capture
        self.cancel = redemptions.cancel
