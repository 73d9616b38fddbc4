"""Mapping between asyncpg records and domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.accounts import Account, AccountStatus
from domain.ledger import Attribution, EntryKind, LedgerEntry, RateSnapshot, Source
from domain.programme import EventTimeSettings, Programme, RuleVersion

Row = Mapping[str, Any]

LEDGER_COLUMNS = (
    "business_id, entry_id, account_id, customer_id, seq, kind, points, balance_after, source,"
    " source_ref, event_id, occurred_at, recorded_at, amount, currency, rule_version, earn_rate,"
    " multiplier, redemption_rate, related_entry_id, store_id, terminal_id, staff_id, actor,"
    " ip_address, user_agent, reason, prev_hash, entry_hash"
)


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
        phone=row.get("phone"),
        name=row.get("name"),
        last_hash=row["last_hash"],
        last_activity_at=row.get("last_activity_at"),
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


def entry_from(row: Row) -> LedgerEntry:
    return LedgerEntry(
        entry_id=row["entry_id"],
        business_id=row["business_id"],
        account_id=row["account_id"],
        customer_id=row["customer_id"],
        seq=row["seq"],
        kind=EntryKind(row["kind"]),
        points=row["points"],
        balance_after=row["balance_after"],
        source=Source(row["source"]),
        source_ref=row["source_ref"],
        event_id=row["event_id"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        amount=row["amount"],
        currency=row["currency"],
        rates=rates_from(row),
        related_entry_id=row["related_entry_id"],
        attribution=Attribution(
            store_id=row["store_id"],
            terminal_id=row["terminal_id"],
            staff_id=row["staff_id"],
            actor=row["actor"],
            ip_address=row["ip_address"],
            user_agent=row["user_agent"],
        ),
        reason=row["reason"],
        prev_hash=row["prev_hash"],
        entry_hash=row["entry_hash"],
    )


def entry_columns(entry: LedgerEntry) -> tuple[Any, ...]:
    a = entry.attribution
    return (
        entry.business_id,
        entry.entry_id,
        entry.account_id,
        entry.customer_id,
        entry.seq,
        entry.kind.value,
        entry.points,
        entry.balance_after,
        entry.source.value,
        entry.source_ref,
        entry.event_id,
        entry.occurred_at,
        entry.recorded_at,
        entry.amount,
        entry.currency,
        *rates_columns(entry.rates),
        entry.related_entry_id,
        a.store_id,
        a.terminal_id,
        a.staff_id,
        a.actor,
        a.ip_address,
        a.user_agent,
        entry.reason,
        entry.prev_hash,
        entry.entry_hash,
    )


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
    )
