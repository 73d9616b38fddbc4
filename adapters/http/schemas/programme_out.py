"""The programme as the API shows it: its settings and every rule version, with each
version's item rules and stamp card."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from adapters.http.schemas.redeem_limits import RedeemLimitOut
from adapters.http.schemas.referral_in import ReferralOut
from adapters.http.schemas.responses import DecimalString
from adapters.http.schemas.tiers import TiersOut
from domain.stamps import StampBasis


class ItemRulesOut(BaseModel):
    """The shape `item_rules` is set with; all empty: every line at the version's rates."""

    category_multipliers: dict[str, DecimalString]
    sku_multipliers: dict[str, DecimalString]
    excluded_categories: list[str]
    excluded_skus: list[str]
    min_spend: DecimalString | None


class StampCardOut(BaseModel):
    target: int
    basis: StampBasis
    categories: list[str]
    skus: list[str]
    min_spend: DecimalString | None
    stamps_per_award: int
    reward_id: str | None


class RuleOut(BaseModel):
    version: int
    effective_from: datetime
    earn_rate: DecimalString
    redemption_rate: DecimalString
    multiplier: DecimalString
    multiplier_from: datetime | None
    multiplier_until: datetime | None
    max_discount: DecimalString | None
    min_balance_to_redeem: int
    item_rules: ItemRulesOut
    stamp_card: StampCardOut | None
    tiers: TiersOut | None = Field(default=None, description="Levels; null: none.")
    referral: ReferralOut | None = Field(default=None, description="Referral bonuses; null: none.")


class ProgrammeOut(BaseModel):
    name: str
    active: bool
    inline_enrolment: bool
    welcome_bonus: int
    hold_minutes: int
    points_validity_days: int | None
    pending_days: int
    inactivity_days: int | None
    redeem_limit: RedeemLimitOut | None = Field(
        default=None, description="The most an account may redeem per period; null: no limit."
    )
    active_rule: RuleOut | None = Field(description="The version in force now.")
    versions: list[RuleOut] = Field(description="Every version, oldest first.")
