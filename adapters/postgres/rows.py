"""Mapping between asyncpg records and domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.postgres.card_rules import (
    item_rules_from,
    referral_from,
    stamp_card_from,
    tiers_from,
)
from domain.accounts import Account, AccountStatus
from domain.ledger import ENTRY_FIELDS, RateSnapshot, entry_from_record, entry_values
from domain.programme import EventTimeSettings, Programme, RuleVersion
from domain.redeem_limits import LimitPeriod, RedeemLimit

Row = Mapping[str, Any]

# Each entry field's SQL type; domain.ledger.ENTRY_FIELDS orders the columns, so a field added
# to entries fails here, at import, until it has a type (and a column, by migration).
_SQL_TYPES = {
    "entry_id": "uuid",
    "business_id": "text",
    "account_id": "uuid",
    "customer_id": "text",
    "seq": "bigint",
    "kind": "text",
    "points": "bigint",
    "balance_after": "bigint",
    "source": "text",
    "source_ref": "text",
    "event_id": "text",
    "occurred_at": "timestamptz",
    "recorded_at": "timestamptz",
    "amount": "numeric",
    "currency": "text",
    "rule_version": "integer",
    "earn_rate": "numeric",
    "multiplier": "numeric",
    "redemption_rate": "numeric",
    "related_entry_id": "uuid",
    "store_id": "text",
    "terminal_id": "text",
    "staff_id": "text",
    "actor": "text",
    "ip_address": "text",
    "user_agent": "text",
    "reason": "text",
    "prev_hash": "text",
    "entry_hash": "text",
    "device_id": "text",
    "stamps": "bigint",
    "stamps_balance_after": "bigint",
    "reward_id": "text",
    "reward_description": "text",
    "category_ids": "text[]",
    "description": "text",
    "level_before": "text",
    "level_after": "text",
    "referred_account_id": "uuid",
}
ENTRY_TYPES = {name: _SQL_TYPES[name] for name in ENTRY_FIELDS}
"""The ledger_entries columns in ``entry_values`` order, with their SQL types."""

# The JSON row type of set-based inserts (see ``json_rows``), and the columns to name.
ENTRY_ROW = ", ".join(f"{name} {sql_type}" for name, sql_type in ENTRY_TYPES.items())
LEDGER_COLUMNS = ", ".join(ENTRY_TYPES)

# A row in, an entry out, and back: by the entry's one flat shape.
entry_columns = entry_values
entry_from = entry_from_record


def qualified(alias: str, columns: str) -> str:
    """``columns`` ("a, b, ...") each prefixed with a table alias: ``alias.a, alias.b, ...``."""
    return ", ".join(f"{alias}.{column.strip()}" for column in columns.split(","))


def account_from(row: Row) -> Account:
    return Account(
        business_id=row["business_id"],
        account_id=row["account_id"],
        customer_id=row["customer_id"],
        status=AccountStatus(row["status"]),
        balance=row["balance"],
        last_seq=row["last_seq"],
        last_hash=row["last_hash"],
        last_activity_at=row.get("last_activity_at"),
        stamps=row.get("stamps", 0),
        level=row["level"],  # every read that may save balances must carry it
    )


def rates_from(row: Row) -> RateSnapshot | None:
    if row["rule_version"] is None:
        return None
    return RateSnapshot(
        rule_version=row["rule_version"],
        earn_rate=row["earn_rate"],
        multiplier=row["multiplier"],
        redemption_rate=row["redemption_rate"],
    )


def rates_columns(rates: RateSnapshot | None) -> tuple[Any, Any, Any, Any]:
    if rates is None:
        return (None, None, None, None)
    return (rates.rule_version, rates.earn_rate, rates.multiplier, rates.redemption_rate)


def rule_from(row: Row) -> RuleVersion:
    return RuleVersion(
        version=row["version"],
        effective_from=row["effective_from"],
        earn_rate=row["earn_rate"],
        redemption_rate=row["redemption_rate"],
        multiplier=row["multiplier"],
        multiplier_from=row["multiplier_from"],
        multiplier_until=row["multiplier_until"],
        max_discount=row["max_discount"],
        min_balance_to_redeem=row["min_balance_to_redeem"],
        settings=EventTimeSettings(row["active"], row["points_validity_days"], row["pending_days"]),
        item_rules=item_rules_from(row["item_rules"]),
        stamp_card=stamp_card_from(row["stamp_card"]),
        tiers=tiers_from(row["tiers"]),
        referral=referral_from(row["referral"]),
    )


def programme_from(row: Row, rules: list[RuleVersion]) -> Programme:
    return Programme(
        business_id=row["business_id"],
        name=row["name"],
        active=row["active"],
        inline_enrolment=row["inline_enrolment"],
        welcome_bonus=row["welcome_bonus"],
        hold_minutes=row["hold_minutes"],
        points_validity_days=row["points_validity_days"],
        pending_days=row["pending_days"],
        inactivity_days=row["inactivity_days"],
        rules=tuple(sorted(rules, key=lambda r: r.version)),
        redeem_limit=_redeem_limit_from(row["redeem_limit_points"], row["redeem_limit_period"]),
    )


def _redeem_limit_from(points: int | None, period: str | None) -> RedeemLimit | None:
    if points is None or period is None:
        return None
    return RedeemLimit(points, LimitPeriod(period))
