"""What the programme's redeem limit leaves an account in the period holding ``now``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.programme import Programme
from domain.redeem_limits import LimitUse, limit_use, period_bounds
from ports.unit_of_work import UnitOfWork


async def period_use(
    uow: UnitOfWork,
    programme: Programme | None,
    business_id: str,
    account_id: UUID,
    now: datetime,
) -> LimitUse | None:
    """None when the programme sets no limit (and nothing is read). A redemption calls it
    after locking the account, so what it reads includes every committed redemption and no
    other can be made on the account until this transaction ends."""
    limit = programme.redeem_limit if programme else None
    if limit is None:
        return None
    since, until = period_bounds(limit.period, now)
    used = await uow.redeem_limits.used_in_period(business_id, account_id, since, until, now)
    return limit_use(limit, used, now)
