"""Cancelled sales: a cancellation is a refund of the rest of the sale's money.

It goes the way of returns (parked before its sale, reversing earned points and stamps,
giving back spent points), its amount decided when it is applied: the sale's total less
what was refunded so far. So it reverses exactly what is not reversed yet, a second one
(or a return after it) finds nothing left, and the cumulative floors make it exact.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from domain.events import RefundIssued
from domain.ledger import Source
from domain.purchases import Purchase


def is_cancellation(event: RefundIssued) -> bool:
    return event.source is Source.CANCELLATION


def rest_of_sale(event: RefundIssued, purchase: Purchase) -> RefundIssued:
    """A cancellation with its amount and currency resolved against its sale; any other
    refund as it came."""
    if not is_cancellation(event):
        return event
    rest = max(Decimal(0), purchase.total - purchase.refunded_amount)
    return replace(event, amount=rest, currency=purchase.currency, items=())
