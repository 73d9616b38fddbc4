"""A what-if simulation's report: two shadow ledgers' totals, side by side.

The numbers come from ledgers that started equal and took the same events and the same
carried entries; only the programme differed, so every difference is the proposal's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

HEADLINE = ("issued", "reversed", "redeemed", "expired", "outstanding", "stamps", "rewards")


@dataclass(frozen=True)
class DayTotals:
    issued: int = 0
    outstanding: int = 0
    """Points outstanding at the end of the day (every account of the business)."""


@dataclass(frozen=True)
class LedgerTotals:
    """One shadow ledger over the window: points issued (earned and referral bonuses),
    reversed, redeemed and expired (positive numbers), and what is left at the end."""

    issued: int = 0
    reversed: int = 0
    redeemed: int = 0
    expired: int = 0
    outstanding: int = 0
    value: Decimal = Decimal(0)
    """The outstanding points at the redemption rate in force at the end."""
    stamps: int = 0
    rewards: int = 0
    """Stamp cards filled (each fill unlocks the card's reward)."""
    refused: int = 0
    """Carried redemptions or adjustments this ledger's balance could not have afforded."""
    levels: Mapping[str, int] = field(default_factory=dict)
    by_store: Mapping[str, int] = field(default_factory=dict)
    by_category: Mapping[str, int] = field(default_factory=dict)
    by_day: Mapping[str, DayTotals] = field(default_factory=dict)
    balances: Mapping[str, int] = field(default_factory=dict)
    """Each member's balance at the end, by customer id."""

    def headline(self, name: str) -> int:
        return int(getattr(self, name))


@dataclass(frozen=True)
class Line:
    section: str
    key: str
    current: int | Decimal
    proposed: int | Decimal

    @property
    def difference(self) -> int | Decimal:
        return self.proposed - self.current


@dataclass(frozen=True)
class Mover:
    customer_id: str
    current: int
    proposed: int

    @property
    def difference(self) -> int:
        return self.proposed - self.current


@dataclass(frozen=True)
class SimulationReport:
    lines: tuple[Line, ...]
    movers: tuple[Mover, ...]
    days: tuple[tuple[str, DayTotals, DayTotals], ...]
    """(day, current, proposed) in day order: the chart's series."""

    @property
    def unchanged(self) -> bool:
        return all(not line.difference for line in self.lines) and not self.movers

    def as_dict(self) -> dict[str, object]:
        sections: dict[str, dict[str, dict[str, int | str]]] = {}
        for line in self.lines:
            sections.setdefault(line.section, {})[line.key] = {
                "current": _plain(line.current),
                "proposed": _plain(line.proposed),
                "difference": _plain(line.difference),
            }
        return {
            "unchanged": self.unchanged,
            **sections,
            "movers": [
                {"customer_id": m.customer_id, "current": m.current, "proposed": m.proposed}
                for m in self.movers
            ],
        }


def compare(current: LedgerTotals, proposed: LedgerTotals, top: int = 10) -> SimulationReport:
    """Every line both ledgers have (a key only one has counts as 0 in the other), and the
    ``top`` members whose end balance differs most (ties by customer id)."""
    lines = [
        Line("totals", name, current.headline(name), proposed.headline(name)) for name in HEADLINE
    ]
    lines.append(Line("totals", "value", current.value, proposed.value))
    lines.append(Line("totals", "refused", current.refused, proposed.refused))
    for section in ("levels", "by_store", "by_category"):
        lines.extend(_side_by_side(section, getattr(current, section), getattr(proposed, section)))
    days = sorted(set(current.by_day) | set(proposed.by_day))
    empty = DayTotals()
    series = tuple((d, current.by_day.get(d, empty), proposed.by_day.get(d, empty)) for d in days)
    for day, now, then in series:
        lines.append(Line("by_day", f"{day} issued", now.issued, then.issued))
        lines.append(Line("by_day", f"{day} outstanding", now.outstanding, then.outstanding))
    members = sorted(set(current.balances) | set(proposed.balances))
    movers = [Mover(m, current.balances.get(m, 0), proposed.balances.get(m, 0)) for m in members]
    moved = sorted(
        (m for m in movers if m.difference), key=lambda m: (-abs(m.difference), m.customer_id)
    )
    return SimulationReport(tuple(lines), tuple(moved[:top]), series)


def _plain(value: int | Decimal) -> int | str:
    """Points as JSON numbers; money as a string, as everywhere in the API."""
    return str(value) if isinstance(value, Decimal) else value


def _side_by_side(
    section: str, current: Mapping[str, int], proposed: Mapping[str, int]
) -> list[Line]:
    return [
        Line(section, key, current.get(key, 0), proposed.get(key, 0))
        for key in sorted(set(current) | set(proposed))
    ]
