"""Redeeming points for a discount: the quote, the blocks, and holds that expire."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.arithmetic import discount_for_points
from domain.ledger import Attribution
from domain.programme import Programme
from domain.redeem_limits import LimitUse, limit_detail

CENT = Decimal("0.01")


class BlockReason(enum.StrEnum):
    INVALID_POINTS = "invalid_points"
    TOO_FEW_POINTS = "too_few_points"
    NO_PROGRAMME = "programme_not_found"
    PROGRAMME_INACTIVE = "programme_inactive"
    NO_RULE_IN_FORCE = "no_rule_in_force"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_CLOSED = "account_closed"
    NEGATIVE_BALANCE = "negative_balance"
    BELOW_MINIMUM_BALANCE = "below_minimum_balance"
    INSUFFICIENT_POINTS = "insufficient_points"
    INSUFFICIENT_STAMPS = "insufficient_stamps"
    REWARD_RETIRED = "reward_retired"
    REWARD_NOT_AVAILABLE = "reward_not_available"
    OUT_OF_STOCK = "out_of_stock"
    NO_STAMP_CARD = "no_stamp_card"
    PERIOD_LIMIT = "period_limit"


BLOCK_DETAILS = {
    BlockReason.INVALID_POINTS: "Ask for a positive number of points.",
    BlockReason.TOO_FEW_POINTS: "Too few points for any discount on this sale.",
    BlockReason.NO_PROGRAMME: "This business has no loyalty programme yet.",
    BlockReason.PROGRAMME_INACTIVE: "The loyalty programme is paused.",
    BlockReason.NO_RULE_IN_FORCE: "The loyalty programme has no rates in force yet.",
    BlockReason.ACCOUNT_SUSPENDED: "This loyalty account is suspended.",
    BlockReason.ACCOUNT_CLOSED: "This loyalty account is closed.",
    BlockReason.NEGATIVE_BALANCE: "The balance is negative after a return; points can be "
    "redeemed again once it is restored.",
    BlockReason.BELOW_MINIMUM_BALANCE: "The balance is below the minimum needed to redeem.",
    BlockReason.INSUFFICIENT_POINTS: "Not enough points available for this redemption.",
    BlockReason.INSUFFICIENT_STAMPS: "Not enough stamps available for this reward.",
    BlockReason.REWARD_RETIRED: "This reward has been retired.",
    BlockReason.REWARD_NOT_AVAILABLE: "This reward cannot be redeemed at this time.",
    BlockReason.OUT_OF_STOCK: "This reward is out of stock.",
    BlockReason.NO_STAMP_CARD: "The programme runs no stamp card with a reward now.",
    BlockReason.PERIOD_LIMIT: "This would redeem more than the programme allows per period.",
}


@dataclass(frozen=True)
class RedemptionQuote:
    points_requested: int
    points_to_take: int
    discount: Decimal
    capped: bool
    balance: int
    held: int
    available: int
    balance_after: int
    blocked: BlockReason | None = None
    limit: LimitUse | None = None
    """The programme's redeem limit and what this period has used of it; None: no limit."""

    @property
    def limit_left(self) -> int | None:
        """Points still redeemable in this period; None without a limit."""
        return self.limit.left if self.limit else None

    @property
    def detail(self) -> str | None:
        return block_detail(self.blocked, self.limit)


def block_detail(blocked: BlockReason | None, limit: LimitUse | None) -> str | None:
    """The words for a block; the period limit's name what is left and until when."""
    if blocked is BlockReason.PERIOD_LIMIT and limit is not None:
        return limit_detail(limit)
    return BLOCK_DETAILS[blocked] if blocked else None


def limit_block(limit: LimitUse | None, points: int) -> BlockReason | None:
    """Taking ``points`` would take the period's redemptions above the limit."""
    if limit is not None and not limit.allows(points):
        return BlockReason.PERIOD_LIMIT
    return None


def _block_reason(
    account: Account, programme: Programme | None, at: datetime, points: int
) -> BlockReason | None:
    """What blocks any redemption on this account now, whatever it would take."""
    if points <= 0:
        return BlockReason.INVALID_POINTS
    return account_block(account, programme, at)


def account_block(
    account: Account, programme: Programme | None, at: datetime, *, points_apply: bool = True
) -> BlockReason | None:
    """What blocks redeeming anything on this account now; with ``points_apply`` (the
    redemption spends points) also the blocks on the points balance."""
    if programme is None:
        return BlockReason.NO_PROGRAMME
    if not programme.active_at(at):
        return BlockReason.PROGRAMME_INACTIVE
    rule = programme.rule_at(at)
    if rule is None:
        return BlockReason.NO_RULE_IN_FORCE
    if account.status is AccountStatus.SUSPENDED:
        return BlockReason.ACCOUNT_SUSPENDED
    if account.status is AccountStatus.CLOSED:
        return BlockReason.ACCOUNT_CLOSED
    if not points_apply:
        return None
    if account.balance < 0:
        return BlockReason.NEGATIVE_BALANCE
    # The minimum is a threshold on what the customer has, not on what is left unheld.
    if account.balance < rule.min_balance_to_redeem:
        return BlockReason.BELOW_MINIMUM_BALANCE
    return None


def _discount(points: int, rate: Decimal, caps: list[Decimal]) -> tuple[Decimal, int, bool]:
    """(discount, points to take, capped): the discount rounded down to cents, then exactly
    the whole points it is worth, ``ceil(discount * rate)``, never more than asked."""
    discount = discount_for_points(points, rate).quantize(CENT, rounding=ROUND_DOWN)
    capped = bool(caps) and discount > min(caps)
    if capped:
        discount = min(caps).quantize(CENT, rounding=ROUND_DOWN)
    to_take = int((discount * rate).to_integral_value(ROUND_CEILING))
    return discount, to_take, capped


def quote_redemption(
    account: Account,
    programme: Programme | None,
    at: datetime,
    points: int,
    sale_amount: Decimal | None = None,
    held: int = 0,
    spendable: int | None = None,
    limit: LimitUse | None = None,
) -> RedemptionQuote:
    """Discount = points / redemption rate, capped by the maximum discount (and the sale).

    Only the points the (capped, cent-rounded) discount is worth are taken, and only those
    must be available: asking for more than the cap needs is no reason to refuse. Held
    points are not available to spend twice; nor are pending or expired points
    (``spendable``, from the account's lots; the whole balance when not given).
    The points taken must also fit in what the period's ``limit`` leaves: asking for more
    is refused, not cut down (the quote's ``limit_left`` says what to ask for instead).
    """
    available = (account.balance if spendable is None else spendable) - held
    blocked = _block_reason(account, programme, at, points)
    rule = programme.rule_at(at) if programme else None
    discount, to_take, capped = Decimal(0), 0, False
    if rule is not None and points > 0:
        caps = [c for c in (rule.max_discount, sale_amount) if c is not None]
        discount, to_take, capped = _discount(points, rule.redemption_rate, caps)
        if blocked is None and to_take > available:
            blocked = BlockReason.INSUFFICIENT_POINTS
        if blocked is None and discount <= 0:
            blocked = BlockReason.TOO_FEW_POINTS  # never take points for no discount
        blocked = blocked or limit_block(limit, to_take)
    return RedemptionQuote(
        points_requested=points,
        points_to_take=to_take,
        discount=discount,
        capped=capped,
        balance=account.balance,
        held=held,
        available=available,
        balance_after=account.balance - to_take,
        blocked=blocked,
        limit=limit,
    )


def redemption_entry_origin(redemption_id: UUID) -> str:
    """The origin of a capture's entry, shared by every way of capturing: one entry at most."""
    return f"redemption:{redemption_id}"


class RedemptionStatus(enum.StrEnum):
    HELD = "held"
    CAPTURED = "captured"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Redemption:
    business_id: str
    redemption_id: UUID
    account_id: UUID
    points: int
    discount: Decimal
    capped: bool
    status: RedemptionStatus
    created_at: datetime
    expires_at: datetime | None = None
    captured_at: datetime | None = None
    cancelled_at: datetime | None = None
    entry_id: UUID | None = None
    cancel_entry_id: UUID | None = None
    sale_amount: Decimal | None = None
    sale_reference: str | None = None
    attribution: Attribution = field(default_factory=Attribution)
    reward_id: str | None = None
    """A catalogue reward redeemed (its points or ``stamps`` cost), or None: points for a
    discount."""
    reward_description: str | None = None
    stamps: int = 0
    stock_taken: bool = False
    """One unit of the reward's stock went to it: given back if it is cancelled or expires."""

    def status_at(self, now: datetime) -> RedemptionStatus:
        """A hold past its expiry is expired, whether or not a sweep has marked it yet."""
        if (
            self.status is RedemptionStatus.HELD
            and self.expires_at is not None
            and self.expires_at <= now
        ):
            return RedemptionStatus.EXPIRED
        return self.status
