"""Commands of the reward catalogue and of redeeming its rewards at the till."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.ledger import Attribution


@dataclass(frozen=True)
class RedeemReward:
    """Redeem catalogue reward ``reward_id`` (None: the one the stamp card in force names),
    held with ``hold``; the key and fingerprint as for ``Redeem``."""

    business_id: str
    account_id: UUID
    reward_id: str | None
    idempotency_key: str
    request_fingerprint: str
    hold: bool = False
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class SetReward:
    """Create or update a catalogue reward; ``active`` None keeps it as it is (new: active)."""

    business_id: str
    reward_id: str
    description: str
    points_cost: int | None = None
    stamps_cost: int | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None
    stock: int | None = None
    active: bool | None = None
