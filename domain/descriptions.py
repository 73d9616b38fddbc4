"""The human label every ledger entry carries: what a member or a manager reads beside the
points, made from the entry's own facts so a rebuild writes the same words."""

from __future__ import annotations

from domain.ledger import EntryKind, Source

_WHAT = {
    Source.SALE: "sale",
    Source.BILL: "bill",
    Source.RETURN: "return",
    Source.BILL_REFUND: "bill refund",
    Source.POS: "till",
    Source.ADMIN: "back office",
    Source.SYSTEM: "the service",
    Source.CANCELLATION: "cancellation",
    Source.IMPORT: "import from the previous programme",
}

_LABELS = {
    EntryKind.EARN: "Points earned on {what} {ref}",
    EntryKind.REVERSAL: "Points reversed for {what} {ref}",
    EntryKind.WELCOME_BONUS: "Welcome bonus",
    EntryKind.REDEMPTION: "Points redeemed ({what} {ref})",
    EntryKind.REDEMPTION_CANCELLED: "Redemption cancelled, points given back ({ref})",
    EntryKind.ADJUSTMENT: "Adjusted by the {what}",
    EntryKind.SUSPENSION: "Account suspended",
    EntryKind.REACTIVATION: "Account reactivated",
    EntryKind.EXPIRY: "Points expired",
    EntryKind.CARD_CREATED: "Card created",
    EntryKind.CLOSURE: "Account closed",
    EntryKind.STAMP_EARN: "Stamps earned on {what} {ref}",
    EntryKind.STAMP_REDEMPTION: "Stamps redeemed for a reward",
    EntryKind.STAMP_VOID: "Stamps voided for {what} {ref}",
    EntryKind.STAMP_ADJUSTMENT: "Stamps adjusted by the {what}",
    EntryKind.LEVEL_CHANGE: "Level now {level}",
    EntryKind.REFERRAL_BONUS: "Referral bonus ({ref})",
    EntryKind.REFERRAL_REVERSAL: "Referral bonus reversed ({ref})",
    EntryKind.SPEND_RETURN: "Spent points given back for {what} {ref}",
    EntryKind.ERASED: "Personal data erased",
    EntryKind.MERGE_OUT: "Merged into account {ref}",
    EntryKind.MERGE_IN: "Merged in from account {ref}",
}


def describe(
    kind: EntryKind,
    source: Source,
    source_ref: str,
    reason: str | None = None,
    reward_description: str | None = None,
    level_after: str | None = None,
) -> str:
    """The label of an entry of ``kind`` from ``source`` (``source_ref`` naming the sale,
    return, hold or request): a reason or a reward, when there is one, follows after a colon."""
    label = _LABELS[kind].format(what=_WHAT[source], ref=source_ref, level=level_after or "base")
    detail = reward_description or reason
    return f"{label}: {detail}" if detail else label
