"""What a purchase earned in stamps, and the stamps its returns void.

A return voids stamps as a return reverses points: the stamps standing voided after it are
a cumulative floor, and each void is that less what was voided before, so returns never void
more than was earned and a full return voids exactly what was earned. A return naming items
voids what those items earned (the lines of a card with an item basis); a return by amount,
or any return on a card with a sale basis, voids in proportion to the amount returned.

Voiding is the one way an account's stamps go below zero: when a card was redeemed with the
stamps of goods that later came back, the account owes them, as a points balance may go
negative on a reversal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from domain.arithmetic import reversed_points_target
from domain.events import RefundIssued
from domain.stamps import StampLine


@dataclass(frozen=True)
class PurchaseStamps:
    """A purchase's stamps: ``earned`` by its stamp-earn entry ``entry_id``, ``voided`` so
    far; ``returned_amount`` is what came back by amount (returns not naming items, or any
    return when ``lines`` is empty) and ``lines`` what each SKU earned on an item basis."""

    earned: int = 0
    voided: int = 0
    entry_id: UUID | None = None
    returned_amount: Decimal = Decimal(0)
    lines: tuple[StampLine, ...] = ()

    def after_refund(
        self, refund: RefundIssued, total: Decimal, refunded: Decimal | None = None
    ) -> tuple[PurchaseStamps, int]:
        """These stamps once ``refund`` (of a purchase of ``total``) is applied, and the
        stamps to void now. ``refunded``: all the money returned so far, this refund
        included, however named; once it reaches the total every stamp is voided, as every
        point is reversed (named items alone may not cover the lines that earned)."""
        if self.earned <= 0:
            return self, 0
        returned_amount, lines = self.returned_amount, self.lines
        if refund.items and lines:
            lines = _lines_after(lines, refund)
        else:
            returned_amount += refund.amount
        by_amount = reversed_points_target(self.earned, total, returned_amount)
        target = min(self.earned, by_amount + sum(_voided_by(line) for line in lines))
        if refunded is not None and total > 0 and refunded >= total:
            target = self.earned
        target = max(target, self.voided)  # cumulative: a void is never taken back
        after = replace(self, voided=target, returned_amount=returned_amount, lines=lines)
        return after, target - self.voided


NO_STAMPS = PurchaseStamps()


def _lines_after(lines: tuple[StampLine, ...], refund: RefundIssued) -> tuple[StampLine, ...]:
    back: dict[str, tuple[Decimal, Decimal]] = {}
    for item in refund.items:
        quantity, amount = back.get(item.sku, (Decimal(0), Decimal(0)))
        back[item.sku] = (
            quantity + max(item.quantity or Decimal(0), Decimal(0)),
            amount + max(item.amount or Decimal(0), Decimal(0)),
        )
    return tuple(
        replace(
            line,
            returned_quantity=line.returned_quantity + back[line.sku][0],
            returned_amount=line.returned_amount + back[line.sku][1],
        )
        if line.sku in back
        else line
        for line in lines
    )


def _voided_by(line: StampLine) -> int:
    """floor(stamps * share of the line returned), the share by quantity and by amount
    together and at most all of it (exact: Fraction does not round)."""
    share = Fraction(0)
    if line.quantity > 0:
        share += Fraction(line.returned_quantity) / Fraction(line.quantity)
    if line.amount > 0:
        share += Fraction(line.returned_amount) / Fraction(line.amount)
    return int(line.stamps * min(share, Fraction(1)))
