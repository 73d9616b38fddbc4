"""Domain objects into response bodies."""

from __future__ import annotations

from datetime import datetime

from adapters.http.cursor import encode_cursor
from adapters.http.schemas import (
    AccountOut,
    EntryOut,
    QuoteOut,
    RedemptionCreatedOut,
    RedemptionOut,
    TransactionPageOut,
)
from adapters.http.schemas.programme_out import ItemRulesOut, ProgrammeOut, RuleOut, StampCardOut
from adapters.http.schemas.redeem_limits import redeem_limit_out
from adapters.http.schemas.referral_in import referral_out
from adapters.http.schemas.responses import IdentifierOut
from adapters.http.schemas.tiers import tiers_out
from domain.descriptions import describe
from domain.identifiers import IdentifierKind
from domain.item_rules import ItemRules
from domain.ledger import ENTRY_FIELDS, LedgerEntry, entry_values
from domain.programme import Programme, RuleVersion
from domain.redemption import Redemption, RedemptionQuote
from domain.stamps import StampCard
from domain.views import AccountView, RedemptionResult, TransactionPage


def rule_out(rule: RuleVersion) -> RuleOut:
    return RuleOut(
        version=rule.version,
        effective_from=rule.effective_from,
        earn_rate=rule.earn_rate,
        redemption_rate=rule.redemption_rate,
        multiplier=rule.multiplier,
        multiplier_from=rule.multiplier_from,
        multiplier_until=rule.multiplier_until,
        max_discount=rule.max_discount,
        min_balance_to_redeem=rule.min_balance_to_redeem,
        item_rules=item_rules_out(rule.item_rules),
        stamp_card=stamp_card_out(rule.stamp_card) if rule.stamp_card else None,
        tiers=tiers_out(rule.tiers),
        referral=referral_out(rule.referral),
    )


def item_rules_out(rules: ItemRules) -> ItemRulesOut:
    return ItemRulesOut(
        category_multipliers=dict(rules.category_multipliers),
        sku_multipliers=dict(rules.sku_multipliers),
        excluded_categories=sorted(rules.excluded_categories),
        excluded_skus=sorted(rules.excluded_skus),
        min_spend=rules.min_spend,
    )


def stamp_card_out(card: StampCard) -> StampCardOut:
    return StampCardOut(
        target=card.target,
        basis=card.basis,
        categories=sorted(card.categories),
        skus=sorted(card.skus),
        min_spend=card.min_spend,
        stamps_per_award=card.stamps_per_award,
        reward_id=card.reward_id,
    )


def programme_out(programme: Programme, now: datetime) -> ProgrammeOut:
    active = programme.rule_at(now)
    return ProgrammeOut(
        name=programme.name,
        active=programme.active,
        inline_enrolment=programme.inline_enrolment,
        welcome_bonus=programme.welcome_bonus,
        hold_minutes=programme.hold_minutes,
        points_validity_days=programme.points_validity_days,
        pending_days=programme.pending_days,
        inactivity_days=programme.inactivity_days,
        redeem_limit=redeem_limit_out(programme.redeem_limit),
        active_rule=rule_out(active) if active else None,
        versions=[rule_out(rule) for rule in sorted(programme.rules, key=lambda r: r.version)],
    )


def account_out(view: AccountView) -> AccountOut:
    account = view.account
    return AccountOut(
        account_id=account.account_id,
        customer_id=account.customer_id,
        status=account.status,
        balance=account.balance,
        held=view.held,
        available=view.available,
        pending=view.pending,
        phone=next((i.value for i in view.identifiers if i.kind is IdentifierKind.PHONE), None),
        name=view.name,
        identifiers=[IdentifierOut(kind=i.kind.value, value=i.value) for i in view.identifiers],
        stamps=account.stamps,
        stamp_target=view.stamp_card.target if view.stamp_card else None,
        stamps_to_go=view.stamps_to_go,
        level=account.level,
        level_benefits=view.level.benefits if view.level else None,
        referral_code=view.referral_code,
        referred_by=view.referred_by,
    )


def quote_out(quote: RedemptionQuote) -> QuoteOut:
    return QuoteOut(
        points_requested=quote.points_requested,
        points_to_take=quote.points_to_take,
        discount=quote.discount,
        capped=quote.capped,
        balance=quote.balance,
        held=quote.held,
        available=quote.available,
        balance_after=quote.balance_after,
        blocked=quote.blocked.value if quote.blocked else None,
        blocked_detail=quote.detail,
        limit_left=quote.limit_left,
    )


def redemption_out(redemption: Redemption, now: datetime) -> RedemptionOut:
    return RedemptionOut(
        redemption_id=redemption.redemption_id,
        account_id=redemption.account_id,
        points=redemption.points,
        discount=redemption.discount,
        capped=redemption.capped,
        status=redemption.status_at(now),
        created_at=redemption.created_at,
        expires_at=redemption.expires_at,
        captured_at=redemption.captured_at,
        cancelled_at=redemption.cancelled_at,
        sale_amount=redemption.sale_amount,
        sale_reference=redemption.sale_reference,
    )


def redemption_created_out(result: RedemptionResult, now: datetime) -> RedemptionCreatedOut:
    shown = redemption_out(result.redemption, now)
    quote = quote_out(result.quote) if result.quote else None
    return RedemptionCreatedOut(**shown.model_dump(), quote=quote)


def entry_out(entry: LedgerEntry) -> EntryOut:
    """The entry's fields the response names, taken by name from the entry's flat shape."""
    fields = dict(zip(ENTRY_FIELDS, entry_values(entry), strict=True))
    description = entry.description or describe(  # entries written before carry none
        entry.kind, entry.source, entry.source_ref, entry.reason, entry.reward_description
    )
    return EntryOut.model_validate({**fields, "bucket": entry.bucket, "description": description})


def page_out(page: TransactionPage) -> TransactionPageOut:
    cursor = page.next_before_seq
    return TransactionPageOut(
        entries=[entry_out(entry) for entry in page.entries],
        next_cursor=encode_cursor(cursor) if cursor is not None else None,
    )
