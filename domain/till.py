"""A till's redemptions: redeem points or a catalogue reward (at once or held), capture and
cancel, each as the redemption to save and the posting to write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from domain.accounts import Account
from domain.cancel_rights import CASHIER_CANCEL_WINDOW, may_cancel
from domain.closure import refuse_if_closed
from domain.commands import CancelRedemption, Redeem
from domain.errors import CancelNotAllowed, RedemptionBlocked, RedemptionExpired, RedemptionNotHeld
from domain.holds import capture_points
from domain.ledger import Attribution, EntryKind, Source
from domain.lots import Lot, LotTotals
from domain.postings import Posting, policies_of, post_entry, settle
from domain.programme import Programme
from domain.redeem_limits import LimitUse, PeriodLimitReached
from domain.redemption import (
    BlockReason,
    Redemption,
    RedemptionQuote,
    RedemptionStatus,
    quote_redemption,
)
from domain.reward_commands import RedeemReward
from domain.rewards import Reward, RewardQuote, quote_reward
from domain.spend_lots import slice_given_back

DEFAULT_HOLD_MINUTES = 30


def redeem(
    account: Account,
    programme: Programme | None,
    command: Redeem,
    redemption_id: UUID,
    held: int,
    open_lots: Sequence[Lot],
    now: datetime,
    limit: LimitUse | None = None,
) -> tuple[Redemption, RedemptionQuote, Posting]:
    """The redemption ``command`` asks for, as quoted (``quote_redemption``): held until
    captured, or captured at once. ``open_lots`` are the account's, and ``limit`` what its
    period has used, both read under its lock (so concurrent tills never pass the limit)."""
    spendable = LotTotals.of(open_lots, now).available
    quote = quote_redemption(
        account, programme, now, command.points, command.sale_amount, held, spendable, limit
    )
    if quote.blocked is not None:
        raise _refusal(quote.blocked, quote.detail, quote.limit)
    redemption = Redemption(
        business_id=command.business_id,
        redemption_id=redemption_id,
        account_id=account.account_id,
        points=quote.points_to_take,
        discount=quote.discount,
        capped=quote.capped,
        status=RedemptionStatus.HELD,
        created_at=now,
        sale_amount=command.sale_amount,
        attribution=command.attribution,
    )
    if command.hold:
        minutes = programme.hold_minutes if programme else DEFAULT_HOLD_MINUTES
        return replace(redemption, expires_at=now + timedelta(minutes=minutes)), quote, Posting()
    captured, posting = _take(account, redemption, programme, open_lots, now, command.attribution)
    return captured, quote, posting


def redeem_reward(
    account: Account,
    programme: Programme | None,
    reward: Reward,
    command: RedeemReward,
    redemption_id: UUID,
    spending: tuple[int, int, Sequence[Lot]],
    now: datetime,
    limit: LimitUse | None = None,
) -> tuple[Redemption, RewardQuote, Reward, Posting]:
    """The catalogue reward ``command`` asks for, held or taken at once, and the reward with
    one unit of its stock gone. ``spending`` is what is held on the account (points,
    stamps) and its open lots, read under its lock, as ``reward`` is."""
    held_points, held_stamps, open_lots = spending
    spendable = LotTotals.of(open_lots, now).available
    quote = quote_reward(
        account,
        programme,
        reward,
        now,
        held_points=held_points,
        spendable=spendable,
        held_stamps=held_stamps,
        limit=limit,
    )
    if quote.blocked is not None:
        raise _refusal(quote.blocked, quote.detail, quote.limit)
    redemption = Redemption(
        business_id=command.business_id,
        redemption_id=redemption_id,
        account_id=account.account_id,
        points=quote.points_to_take,
        discount=Decimal(0),
        capped=False,
        status=RedemptionStatus.HELD,
        created_at=now,
        attribution=command.attribution,
        reward_id=reward.reward_id,
        reward_description=reward.description,
        stamps=quote.stamps_to_take,
        stock_taken=reward.stock is not None,
    )
    if command.hold:
        minutes = programme.hold_minutes if programme else DEFAULT_HOLD_MINUTES
        held = replace(redemption, expires_at=now + timedelta(minutes=minutes))
        return held, quote, reward.one_taken(), Posting()
    captured, posting = _take(account, redemption, programme, open_lots, now, command.attribution)
    return captured, quote, reward.one_taken(), posting


def capture(
    account: Account,
    redemption: Redemption,
    programme: Programme | None,
    open_lots: Sequence[Lot],
    now: datetime,
    by: Attribution,
) -> tuple[Redemption, Posting | None]:
    """Take exactly the held points, once, while the hold is live at ``now`` (by the clock
    that releases held points). None: captured before, nothing to write. The points are
    taken even if a reversal since left fewer (the balance may go negative, as if the
    reversal came after the capture)."""
    status = redemption.status_at(now)
    if status is RedemptionStatus.CAPTURED:
        return redemption, None  # capturing twice takes the points once
    if status is RedemptionStatus.EXPIRED:
        # The hold is marked expired where its points are released for spending (a
        # redemption), so a refusal here writes nothing.
        raise RedemptionExpired("The hold on these points has expired.")
    if status is not RedemptionStatus.HELD:
        raise RedemptionNotHeld(f"The redemption is {status.value}, not held.")
    return _take(account, redemption, programme, open_lots, now, by)


def cancel(
    account: Account,
    redemption: Redemption,
    command: CancelRedemption,
    programme: Programme | None,
    returned: Sequence[tuple[Lot, int]],
    now: datetime,
    given_back: int = 0,
) -> tuple[Redemption, Posting | None]:
    """A held redemption is released; a captured one gives its points (or stamps) back, once,
    into lots like those its capture took (``returned``). None: cancelled or expired before, nothing
    to write.

    ``given_back``: the points the returns of the sale it paid for already gave back
    (``domain.spend_returns``); only the rest comes back, into the rest of the lots, so a
    redemption never gives back more than it took whichever comes first."""
    status = redemption.status_at(now)
    if status in (RedemptionStatus.CANCELLED, RedemptionStatus.EXPIRED):
        return replace(redemption, status=status), None
    refuse_if_closed(account)  # what it took was forfeited at closing: nothing to give back
    if not may_cancel(redemption, command.attribution, command.supervisor, now):
        minutes = int(CASHIER_CANCEL_WINDOW.total_seconds() // 60)
        raise CancelNotAllowed(
            "Giving back a captured redemption takes a manager, or the till it was "
            f"made at within {minutes} minutes."
        )
    posting = Posting()
    if status is RedemptionStatus.CAPTURED:
        points = redemption.points - given_back
        if redemption.points > 0 and points <= 0:
            raise RedemptionNotHeld(
                "The returns of the sale this redemption paid for already gave every point"
                " back: nothing is left to give."
            )
        if given_back:
            returned = slice_given_back(returned, given_back, points)
        account, entry = post_entry(
            account,
            kind=EntryKind.REDEMPTION_CANCELLED,
            points=points,
            source=Source.POS,
            source_ref=str(redemption.redemption_id),
            origin=f"redemption-cancel:{redemption.redemption_id}",
            at=now,
            attribution=command.attribution,
            related_entry_id=redemption.entry_id,
            stamps=redemption.stamps,
            reward_id=redemption.reward_id,
            reward_description=redemption.reward_description,
        )
        lots_back = {redemption.entry_id: returned} if redemption.entry_id else {}
        posting = settle([account], [entry], policies_of(programme), returned=lots_back)
    cancelled = replace(
        redemption,
        status=RedemptionStatus.CANCELLED,
        cancelled_at=now,
        cancel_entry_id=posting.entries[0].entry_id if posting.entries else None,
    )
    return cancelled, posting


def _take(
    account: Account,
    redemption: Redemption,
    programme: Programme | None,
    open_lots: Sequence[Lot],
    now: datetime,
    by: Attribution,
) -> tuple[Redemption, Posting]:
    account, entry, captured = capture_points(
        account, redemption, programme, at=now, attribution=by
    )
    key = (account.business_id, account.account_id)
    return captured, settle([account], [entry], policies_of(programme), {key: open_lots})


def _refusal(blocked: BlockReason, detail: str | None, limit: LimitUse | None) -> RedemptionBlocked:
    if blocked is BlockReason.PERIOD_LIMIT and limit is not None:
        return PeriodLimitReached(limit)
    return RedemptionBlocked(blocked.value, detail or blocked.value)
