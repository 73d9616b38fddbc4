"""Turning domain objects into JSON-ready dicts and terminal text for the CLI."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.http.presenters import item_rules_out, stamp_card_out
from domain.accounts import Account
from domain.ledger import LedgerEntry
from domain.programme import Programme, RuleVersion
from service.use_cases.accounts import AccountStatement


def aware(moment: datetime | None) -> datetime | None:
    """Command-line times without an offset are taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def programme(p: Programme) -> dict[str, Any]:
    shown = asdict(p)
    for version, rule in zip(shown["rules"], p.rules, strict=True):
        version.update(_card_rules(rule))
    return _plain(shown)  # type: ignore[no-any-return]


def _card_rules(rule: RuleVersion) -> dict[str, Any]:
    """A version's item rules and stamp card in the shape the API shows them (its presenters)."""
    card = rule.stamp_card
    return {
        "item_rules": item_rules_out(rule.item_rules).model_dump(mode="json"),
        "stamp_card": None if card is None else stamp_card_out(card).model_dump(mode="json"),
    }


def account(a: Account) -> dict[str, Any]:
    return _plain(asdict(a))  # type: ignore[no-any-return]


def entry(e: LedgerEntry) -> dict[str, Any]:
    return _plain(asdict(e))  # type: ignore[no-any-return]


def statement(s: AccountStatement) -> dict[str, Any]:
    return {
        **account(s.account),
        "phone": next((i.value for i in s.identifiers if i.kind == "phone"), None),
        "name": s.name,
        "identifiers": [{"kind": i.kind.value, "value": i.value} for i in s.identifiers],
        "recent_entries": [entry(e) for e in s.recent_entries],
    }


def _who_line(s: AccountStatement) -> list[str]:
    known = ([s.name] if s.name else []) + [f"{i.kind} {i.value}" for i in s.identifiers]
    return [f"known as: {', '.join(known)}"] if known else []


def _stamp_line(s: AccountStatement) -> list[str]:
    card = s.stamp_card
    if card is None:
        return [f"stamps: {s.account.stamps}"] if s.account.stamps else []
    return [f"stamps: {s.account.stamps} of {card.target}"]


def statement_text(s: AccountStatement) -> str:
    a = s.account
    lines = [
        f"account {a.account_id}  customer {a.customer_id}  ({a.status})",
        *_who_line(s),
        f"balance: {a.balance} points",
        *_stamp_line(s),
        "recent entries:",
    ]
    for e in s.recent_entries:
        stamps = f"  stamps {e.stamps:+} -> {e.stamps_balance_after}" if e.stamps else ""
        lines.append(
            f"  #{e.seq:<4} {e.occurred_at:%Y-%m-%d %H:%M} {e.kind:<16} {e.points:>+8}"
            f"  -> {e.balance_after:>8}  {e.source}:{e.source_ref}{stamps}"
        )
    return "\n".join(lines)


def summary_table(summary: dict[str, Any]) -> str:
    """A flat summary as aligned ``name  value`` lines; a nested count (replay's skipped,
    by reason) as one line per key under its name."""
    rows: list[tuple[str, str]] = []
    for name, value in summary.items():
        if isinstance(value, dict):
            rows.append((name, str(sum(value.values())) if value else "0"))
            rows.extend((f"  {key}", str(count)) for key, count in sorted(value.items()))
        else:
            rows.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    width = max((len(name) for name, _ in rows), default=0)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
