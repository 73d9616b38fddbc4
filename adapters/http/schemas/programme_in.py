"""The body that sets a programme: its settings and a new rule version, with the version's
item rules and stamp card."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from pydantic import Field, StrictBool, model_validator

from adapters.http.schemas.card_rules_in import ItemRulesIn, StampCardIn
from adapters.http.schemas.redeem_limits import RedeemLimitIn
from adapters.http.schemas.referral_in import ReferralIn
from adapters.http.schemas.requests import DecimalText, Moment, RequestBody, Text, WholeInt
from adapters.http.schemas.tiers import TiersIn
from domain import programme_limits as limits
from domain.commands import UNCHANGED, SetProgramme, Unchanged
from domain.errors import InvalidRequest
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.levels import TierPolicy
from domain.redeem_limits import RedeemLimit
from domain.referrals import ReferralPolicy
from domain.stamps import StampCard


def _decimal_setting(limit: limits.DecimalLimit, what: str) -> Any:
    """A decimal string, read as is: what it may be is the programme's own check (the
    bounds are in the schema for clients to read, not checked a second time here)."""
    return Field(
        description=f"{what}: {limit.describe()}.",
        json_schema_extra={"examples": ["1.5"]},
    )


def _int_setting(limit: limits.IntLimit, what: str) -> Any:
    return Field(
        default=None,
        description=f"{what}: {limit.describe()}.",
        json_schema_extra={"minimum": limit.least, "maximum": limit.most},
    )


KEPT = "Absent: as the version in force at effective_from has it; null: none."


class ProgrammeIn(RequestBody):
    """Programme settings and the rates of a new rule version. Their bounds are checked by
    the programme's own rules (``check_programme_terms``), the same check the CLI and the
    use case make."""

    earn_rate: DecimalText = _decimal_setting(limits.EARN_RATE, "Points per currency unit spent")
    redemption_rate: DecimalText = _decimal_setting(
        limits.REDEMPTION_RATE, "Points per currency unit of discount"
    )
    name: Text | None = None
    active: StrictBool | None = Field(
        default=None, description="Run or pause from effective_from on; default: as is."
    )
    inline_enrolment: StrictBool | None = None
    welcome_bonus: WholeInt | None = _int_setting(limits.WELCOME_BONUS, "Points on enrolment")
    hold_minutes: WholeInt | None = _int_setting(limits.HOLD_MINUTES, "Minutes a hold lasts")
    points_validity_days: WholeInt | None = _int_setting(
        limits.POINTS_VALIDITY_DAYS, "Days an earned lot lasts; 0 turns expiry off"
    )
    pending_days: WholeInt | None = _int_setting(
        limits.PENDING_DAYS, "Return window: days earned points stay pending"
    )
    inactivity_days: WholeInt | None = _int_setting(
        limits.INACTIVITY_DAYS, "All points expire after this many quiet days; 0: never"
    )
    multiplier: DecimalText = Field(
        default=Decimal(1), description=f"Earn multiplier: {limits.MULTIPLIER.describe()}."
    )
    multiplier_from: Moment | None = None
    multiplier_until: Moment | None = None
    max_discount: DecimalText | None = Field(
        default=None,
        description=f"Cap per transaction: {limits.MAX_DISCOUNT.describe()}.",
    )
    min_balance_to_redeem: WholeInt = Field(
        default=0,
        description=f"Minimum balance to redeem: {limits.MIN_BALANCE_TO_REDEEM.describe()}.",
        json_schema_extra={
            "minimum": limits.MIN_BALANCE_TO_REDEEM.least,
            "maximum": limits.MIN_BALANCE_TO_REDEEM.most,
        },
    )
    effective_from: Moment | None = Field(default=None, description="Default: now.")

    item_rules: ItemRulesIn | None = Field(default=None, description=f"Line item rules. {KEPT}")
    stamp_card: StampCardIn | None = Field(default=None, description=f"Stamp card. {KEPT}")
    redeem_limit: RedeemLimitIn | None = Field(
        default=None, description="Redeem limit per period. Absent: kept; null: none."
    )
    tiers: TiersIn | None = Field(default=None, description=f"Levels. {KEPT}")

    def tiers_to_set(self) -> TierPolicy | Unchanged | None:
        """Absent keeps the levels; an explicit null removes them."""
        if "tiers" not in self.model_fields_set:
            return UNCHANGED
        return None if self.tiers is None else self.tiers.policy()

    referral: ReferralIn | None = Field(default=None, description=f"Referral bonuses. {KEPT}")

    def referral_to_set(self) -> ReferralPolicy | Unchanged | None:
        """Absent keeps the referral bonuses; an explicit null removes them."""
        if "referral" not in self.model_fields_set:
            return UNCHANGED
        return None if self.referral is None else self.referral.policy()

    def item_rules_to_set(self) -> ItemRules | Unchanged:
        """Absent keeps the rules; an explicit null (or `{}`) sets none."""
        if "item_rules" not in self.model_fields_set:
            return UNCHANGED
        return NO_ITEM_RULES if self.item_rules is None else self.item_rules.rules()

    def stamp_card_to_set(self) -> StampCard | Unchanged | None:
        """Absent keeps the card; an explicit null removes it."""
        if "stamp_card" not in self.model_fields_set:
            return UNCHANGED
        return None if self.stamp_card is None else self.stamp_card.card()

    def redeem_limit_to_set(self) -> RedeemLimit | Unchanged | None:
        """Absent keeps the limit; an explicit null removes it."""
        if "redeem_limit" not in self.model_fields_set:
            return UNCHANGED
        return None if self.redeem_limit is None else self.redeem_limit.limit()

    def command(self, business_id: str) -> SetProgramme:
        """The command this body asks of ``business_id``'s programme."""
        return SetProgramme(
            business_id=business_id,
            earn_rate=self.earn_rate,
            redemption_rate=self.redemption_rate,
            name=self.name,
            active=self.active,
            inline_enrolment=self.inline_enrolment,
            welcome_bonus=self.welcome_bonus,
            hold_minutes=self.hold_minutes,
            points_validity_days=self.points_validity_days,
            pending_days=self.pending_days,
            inactivity_days=self.inactivity_days,
            multiplier=self.multiplier,
            multiplier_from=self.multiplier_from,
            multiplier_until=self.multiplier_until,
            max_discount=self.max_discount,
            min_balance_to_redeem=self.min_balance_to_redeem,
            effective_from=self.effective_from,
            item_rules=self.item_rules_to_set(),
            stamp_card=self.stamp_card_to_set(),
            redeem_limit=self.redeem_limit_to_set(),
            tiers=self.tiers_to_set(),
            referral=self.referral_to_set(),
        )

    @model_validator(mode="after")
    def _within_the_programmes_bounds(self) -> Self:
        try:
            limits.check_programme_terms(
                self,
                item_rules=self.item_rules.rules() if self.item_rules else None,
                stamp_card=self.stamp_card.card() if self.stamp_card else None,
            )
        except InvalidRequest as error:
            raise ValueError(error.detail) from error
        return self
