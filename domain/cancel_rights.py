"""Who may give a captured redemption's points back.

Cancelling a captured redemption returns points the customer already had a discount for, so
it is a refund of value: a manager or admin may do it at any time; a cashier only at the till
the redemption was made at, and only shortly after the capture (a mistake noticed at the
counter). Releasing a hold that was never captured gives nothing back and stays open to all
staff.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.ledger import Attribution
from domain.redemption import Redemption, RedemptionStatus

CASHIER_CANCEL_WINDOW = timedelta(minutes=15)


def may_cancel(redemption: Redemption, by: Attribution, supervisor: bool, now: datetime) -> bool:
    """Whether ``by`` (a manager or admin when ``supervisor``) may cancel ``redemption``."""
    if supervisor or redemption.status is not RedemptionStatus.CAPTURED:
        return True
    till = redemption.attribution.terminal_id
    if till is None or by.terminal_id != till:
        return False
    captured_at = redemption.captured_at or redemption.created_at
    return now - captured_at <= CASHIER_CANCEL_WINDOW
