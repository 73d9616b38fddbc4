"""Response bodies: points as integers; money and rates as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, PlainSerializer

from domain.accounts import AccountStatus
from domain.ledger import Bucket, EntryKind, Source
from domain.redemption import RedemptionStatus

DecimalString = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]


class IdentifierOut(BaseModel):
    kind: Literal["phone", "card", "email"]
    value: str


class AccountOut(BaseModel):
    account_id: UUID
    customer_id: str
    status: AccountStatus
    balance: int
    held: int
    available: int = Field(description="Spendable now: not pending, not expired, not held.")
    pending: int = Field(description="Earned inside the return window, spendable later.")
    phone: str | None = Field(description="The account's phone in E.164, if it has one.")
    name: str | None
    identifiers: list[IdentifierOut] = Field(
        default_factory=list, description="How the till finds the account."
    )
    stamps: int = Field(
        default=0, description="Stamps on the card (below zero only after a return)."
    )
    stamp_target: int | None = Field(
        default=None, description="Stamps a full card needs; null: no stamp card runs."
    )
    stamps_to_go: int | None = Field(
        default=None, description="Stamps still needed for a full card (0: one is full)."
    )
    level: str | None = Field(default=None, description="The member's level; null: the base level.")
    level_benefits: str | None = Field(
        default=None, description="What the level gives, as the programme in force says."
    )
    referral_code: str | None = Field(
        default=None, description="The code a new customer gives to name this account."
    )
    referred_by: UUID | None = Field(
        default=None, description="The account that referred this one at enrolment, if any."
    )


class QuoteOut(BaseModel):
    points_requested: int
    points_to_take: int
    discount: DecimalString
    capped: bool
    balance: int
    held: int
    available: int
    balance_after: int
    blocked: str | None = Field(description="Why it cannot go ahead, e.g. insufficient_points.")
    blocked_detail: str | None
    limit_left: int | None = Field(
        default=None,
        description="Points still redeemable this period under the redeem limit; null: no limit.",
    )


class RedemptionOut(BaseModel):
    redemption_id: UUID
    account_id: UUID
    points: int
    discount: DecimalString
    capped: bool
    status: RedemptionStatus
    created_at: datetime
    expires_at: datetime | None
    captured_at: datetime | None
    cancelled_at: datetime | None
    sale_amount: DecimalString | None
    sale_reference: str | None


class RedemptionCreatedOut(RedemptionOut):
    quote: QuoteOut | None


class EntryOut(BaseModel):
    entry_id: UUID
    seq: int
    kind: EntryKind
    points: int
    balance_after: int
    source: Source
    source_ref: str
    occurred_at: datetime
    recorded_at: datetime
    amount: DecimalString | None
    currency: str | None
    rule_version: int | None
    related_entry_id: UUID | None
    reason: str | None
    store_id: str | None
    terminal_id: str | None
    actor: str | None
    device_id: str | None = None
    stamps: int = 0
    stamps_balance_after: int = 0
    reward_id: str | None = None
    reward_description: str | None = None
    category_ids: list[str] = Field(default_factory=list)
    bucket: Bucket = Field(
        description="What moved the points (purchase, referral, bonus, admin, redemption,"
        " expiry, reversal, level, account): a function of `kind`."
    )
    description: str = Field(description="A human label for the entry.")
    level_before: str | None = None
    level_after: str | None = None
    referred_account_id: UUID | None = None


class TransactionPageOut(BaseModel):
    entries: list[EntryOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class ReadyOut(BaseModel):
    status: str
    checks: dict[str, bool]
