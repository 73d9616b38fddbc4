"""A till's redemptions: redeem (at once or held), capture and cancel, each as the
redemption to save and the posting to write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

from domain.accounts import Account
from domain.cancel_rights import CASHIER_CANCEL_WINDOW, may_cancel
from domain.commands import CancelRedemption, Redeem
from domain.errors import CancelNotAllowed, RedemptionBlocked, RedemptionExpired, RedemptionNotHeld
from domain.holds import capture_points
from domain.ledger import Attribution, EntryKind, Source
from domain.lots import Lot, LotTotals
from domain.postings import Posting, policies_of, post_entry, settle
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionQuote, RedemptionStatus, quote_redemption

DEFAULT_HOLD_MINUTES = 30


def redeem(
    account: Account,
    programme: Programme | None,
    command: Redeem,
    redemption_id: UUID,
    held: int,
    open_lots: Sequence[Lot],
    now: datetime,
) -> tuple[Redemption, RedemptionQuote, Posting]:
    """The redemption ``command`` asks for, as quoted (``quote_redemption``): held until
    captured, or captured at once. ``open_lots`` are the account's, read under its lock."""
    spendable = LotTotals.of(open_lots, now).available
    quote = quote_redemption(
        account, programme, now, command.points, command.sale_amount, held, spendable
    )
    if quote.blocked is not None:
        raise RedemptionBlocked(quote.blocked.value, quote.detail or quote.blocked.value)
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
) -> tuple[Redemption, Posting | None]:
    """A held redemption is released; a captured one gives its points back, once, into lots
    like those its capture took (``returned``). None: cancelled or expired before, nothing
    to write."""
    status = redemption.status_at(now)
    if status in (RedemptionStatus.CANCELLED, RedemptionStatus.EXPIRED):
        return replace(redemption, status=status), None
    if not may_cancel(redemption, command.attribution, command.supervisor, now):
        minutes = int(CASHIER_CANCEL_WINDOW.total_seconds() // 60)
        raise CancelNotAllowed(
            "Giving back a captured redemption takes a manager, or the till it was "
            f"made at within {minutes} minutes."
        )
    posting = Posting()
    if status is RedemptionStatus.CAPTURED:
        account, entry = post_entry(
            account,
            kind=EntryKind.REDEMPTION_CANCELLED,
            points=redemption.points,
            source=Source.POS,
            source_ref=str(redemption.redemption_id),
            origin=f"redemption-cancel:{redemption.redemption_id}",
            at=now,
            attribution=command.attribution,
            related_entry_id=redemption.entry_id,
        )
        given_back = {redemption.entry_id: returned} if redemption.entry_id else {}
        posting = settle([account], [entry], policies_of(programme), returned=given_back)
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
