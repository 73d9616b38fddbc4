"""Postings: one change to balances, as the domain computes it and one port method writes it.

``post_entry`` posts one entry on an account (the account moves on, the entry records how);
``settle`` makes entries already posted into a ``Posting``, with what they do to the
accounts' point lots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.accounts import Account
from domain.chain import seal
from domain.descriptions import describe
from domain.ledger import (
    ACTIVITY_KINDS,
    Attribution,
    EntryKind,
    LedgerEntry,
    RateSnapshot,
    Source,
    entry_id_for,
)
from domain.lots import AccountKey, Lot, LotChanges, LotPolicy, allocate_lots
from domain.programme import Programme


@dataclass(frozen=True)
class Posting:
    """One change to balances, written whole or not at all: the accounts as they are after it,
    the entries recording how, and the lots those entries opened and took from."""

    accounts: tuple[Account, ...] = ()
    entries: tuple[LedgerEntry, ...] = ()
    lots: LotChanges = field(default_factory=LotChanges)

    @property
    def empty(self) -> bool:
        return not self.entries

    @classmethod
    def combined(cls, postings: Iterable[Posting]) -> Posting:
        """Postings (on accounts of their own, or each after the one before) as one."""
        accounts: dict[AccountKey, Account] = {}
        entries: list[LedgerEntry] = []
        lots = LotChanges()
        for posting in postings:
            accounts.update(((a.business_id, a.account_id), a) for a in posting.accounts)
            entries.extend(posting.entries)
            lots.lots.update(posting.lots.lots)
            lots.takes.extend(posting.lots.takes)
        return cls(tuple(accounts.values()), tuple(entries), lots)


def policies_of(programme: Programme | None) -> dict[str, LotPolicy]:
    """The lot policy ``settle`` needs for one programme's accounts."""
    return {programme.business_id: programme.lot_policy} if programme else {}


def settle(
    accounts: Iterable[Account],
    entries: Sequence[LedgerEntry],
    policies: Mapping[str, LotPolicy],
    open_lots: Mapping[AccountKey, Sequence[Lot]] | None = None,
    returned: Mapping[UUID, Sequence[tuple[Lot, int]]] | None = None,
) -> Posting:
    """The posting of ``entries`` made on ``accounts`` (as they are after them): lots opened
    and taken as ``domain.lots.allocate_lots`` says, from the ``open_lots`` of every account
    an entry takes from (``accounts_taking``) and, for a cancelled redemption, the lots
    its capture took (``returned``, by the capture's entry id)."""
    if not entries:
        return Posting()
    lots = allocate_lots(open_lots or {}, entries, policies, returned)
    return Posting(tuple(accounts), tuple(entries), lots)


def post_entry(
    account: Account,
    *,
    kind: EntryKind,
    points: int,
    source: Source,
    source_ref: str,
    origin: str,
    at: datetime,
    attribution: Attribution,
    reason: str | None = None,
    related_entry_id: UUID | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    rates: RateSnapshot | None = None,
    stamps: int = 0,
    reward_id: str | None = None,
    reward_description: str | None = None,
    category_ids: tuple[str, ...] = (),
    description: str | None = None,
    level_before: str | None = None,
    level_after: str | None = None,
    referred_account_id: UUID | None = None,
) -> tuple[Account, LedgerEntry]:
    """``origin`` names what caused the entry (its id derives from it); ``at`` is when it is
    recorded and ``occurred_at`` (default ``at``) when the business event happened. The entry
    is chained to the account's previous entry by hash. ``description`` defaults to the one
    ``domain.descriptions.describe`` gives the entry's kind and references."""
    entry_id = entry_id_for(account.business_id, origin, kind)
    seq, balance_after = account.last_seq + 1, account.balance + points
    occurred_at = occurred_at or at
    entry = seal(
        LedgerEntry(
            entry_id=entry_id,
            business_id=account.business_id,
            account_id=account.account_id,
            customer_id=account.customer_id,
            seq=seq,
            kind=kind,
            points=points,
            balance_after=balance_after,
            source=source,
            source_ref=source_ref,
            event_id=event_id,
            occurred_at=occurred_at,
            recorded_at=at,
            amount=amount,
            currency=currency,
            rates=rates,
            related_entry_id=related_entry_id,
            attribution=attribution,
            reason=reason,
            prev_hash=account.last_hash,
            entry_hash="",
            stamps=stamps,
            stamps_balance_after=account.stamps + stamps,
            reward_id=reward_id,
            reward_description=reward_description,
            category_ids=category_ids,
            description=description
            or describe(kind, source, source_ref, reason, reward_description, level_after),
            level_before=level_before,
            level_after=level_after,
            referred_account_id=referred_account_id,
        )
    )
    activity_at = occurred_at if kind in ACTIVITY_KINDS else None
    after = account.posted(points, entry.entry_hash, activity_at, stamps)
    if kind is EntryKind.LEVEL_CHANGE:
        after = replace(after, level=level_after)
    return after, entry
