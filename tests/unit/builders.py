"""Small constructors for domain objects, with defaults a test only overrides when it cares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.accounts import Account, AccountStatus
from domain.batch import BatchChanges, BatchState, apply_batch
from domain.events import EventKind, PurchaseCompleted, RefundIssued
from domain.ledger import Attribution, Source
from domain.programme import Programme, RuleVersion

BUSINESS = "shop-1"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
RECORDED_AT = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
ATTRIBUTION = Attribution(store_id="store-7", terminal_id="till-2", staff_id="staff-9")


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def rule(
    version: int = 1,
    *,
    effective_from: datetime = T0,
    earn_rate: str = "1",
    redemption_rate: str = "100",
    multiplier: str = "1",
    multiplier_from: datetime | None = None,
    multiplier_until: datetime | None = None,
) -> RuleVersion:
    return RuleVersion(
        version=version,
        effective_from=effective_from,
        earn_rate=Decimal(earn_rate),
        redemption_rate=Decimal(redemption_rate),
        multiplier=Decimal(multiplier),
        multiplier_from=multiplier_from,
        multiplier_until=multiplier_until,
    )


def programme(
    *rules: RuleVersion,
    active: bool = True,
    welcome_bonus: int = 0,
    business_id: str = BUSINESS,
) -> Programme:
    return Programme(
        business_id=business_id,
        name="Points",
        active=active,
        welcome_bonus=welcome_bonus,
        rules=rules or (rule(),),
    )


def account_id_of(customer_id: str, business_id: str = BUSINESS) -> UUID:
    return uuid5(NAMESPACE_URL, f"account:{business_id}:{customer_id}")


def account(
    customer_id: str = "c1",
    *,
    status: AccountStatus = AccountStatus.ACTIVE,
    balance: int = 0,
    last_seq: int = 0,
    business_id: str = BUSINESS,
) -> Account:
    return Account(
        business_id=business_id,
        account_id=account_id_of(customer_id, business_id),
        customer_id=customer_id,
        status=status,
        balance=balance,
        last_seq=last_seq,
    )


def state(prog: Programme | None = None, *accounts: Account) -> BatchState:
    """A batch state holding ``prog`` (a default programme unless given) and ``accounts``."""
    prog = prog if prog is not None else programme()
    return BatchState(
        programmes={prog.business_id: prog},
        accounts={(a.business_id, a.account_id): a for a in accounts},
    )


def sale(
    reference: str,
    amount: str | Decimal,
    *,
    customer_id: str | None = "c1",
    occurred_at: datetime = T0,
    event_id: str | None = None,
    payload_hash: str | None = None,
    currency: str = "EUR",
    business_id: str = BUSINESS,
) -> PurchaseCompleted:
    event_id = event_id or f"ev-sale-{reference}"
    return PurchaseCompleted(
        kind=EventKind.SALE_COMPLETED,
        event_id=event_id,
        payload_hash=payload_hash or f"hash:{event_id}:{amount}:{customer_id}",
        business_id=business_id,
        occurred_at=occurred_at,
        source=Source.SALE,
        reference=reference,
        customer_id=customer_id,
        amount=Decimal(amount),
        currency=currency,
        attribution=ATTRIBUTION,
    )


def customer_return(
    reference: str,
    of_sale: str,
    amount: str | Decimal,
    *,
    occurred_at: datetime | None = None,
    event_id: str | None = None,
    payload_hash: str | None = None,
    currency: str = "EUR",
    customer_id: str | None = "c1",
    business_id: str = BUSINESS,
) -> RefundIssued:
    event_id = event_id or f"ev-return-{reference}"
    return RefundIssued(
        kind=EventKind.CUSTOMER_RETURN_CREATED,
        event_id=event_id,
        payload_hash=payload_hash or f"hash:{event_id}:{of_sale}:{amount}",
        business_id=business_id,
        occurred_at=occurred_at or at(days=1),
        source=Source.RETURN,
        reference=reference,
        purchase_source=Source.SALE,
        purchase_reference=of_sale,
        amount=Decimal(amount),
        currency=currency,
        customer_id=customer_id,
        attribution=ATTRIBUTION,
    )


def apply(batch_state: BatchState, *events: PurchaseCompleted | RefundIssued) -> BatchChanges:
    return apply_batch(batch_state, list(events), RECORDED_AT)
