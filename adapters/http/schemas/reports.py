"""Answers of the reports (``/v1/reports/...``), and how the domain's pages map onto them."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from adapters.http import report_cursors as cursors
from domain.reports import ExpiringPage, LevelPage, MovementPage, ReferralPage

NEXT = "Pass as `cursor` for the next page; null on the last page."


class ExpiringLotOut(BaseModel):
    account_id: UUID
    customer_id: str
    lot_id: UUID
    points: int = Field(description="Points left in the lot, which expire unless spent first.")
    expires_at: datetime


class ExpiringTotalOut(BaseModel):
    points: int
    lots: int
    accounts: int


class ExpiringPageOut(BaseModel):
    until: datetime = Field(description="Lots expiring before this moment are listed.")
    lots: list[ExpiringLotOut] = Field(description="Soonest to expire first.")
    total: ExpiringTotalOut = Field(description="Over the whole window, not only this page.")
    next_cursor: str | None = Field(description=NEXT)


class ReferralEarningOut(BaseModel):
    account_id: UUID
    customer_id: str
    points: int = Field(description="Net: bonuses less reversals.")
    bonuses: int
    reversals: int
    referred_account_ids: list[UUID]


class ReferralTotalOut(BaseModel):
    points: int
    bonuses: int
    reversals: int
    accounts: int


class ReferralPageOut(BaseModel):
    earnings: list[ReferralEarningOut] = Field(description="By account id.")
    total: ReferralTotalOut = Field(description="Over the whole range, not only this page.")
    next_cursor: str | None = Field(description=NEXT)


class MovementOut(BaseModel):
    day: date = Field(description="The UTC day the entries occurred on.")
    store_id: str | None = Field(description="Null: entries without a store (back office).")
    points: dict[str, int] = Field(description="Points by bucket, every bucket listed.")
    entries: int


class MovementPageOut(BaseModel):
    movements: list[MovementOut] = Field(description="By day, then store.")
    next_cursor: str | None = Field(description=NEXT)


class LevelCountOut(BaseModel):
    level: str | None = Field(description="Null: the base level.")
    members: int


class LevelPageOut(BaseModel):
    levels: list[LevelCountOut] = Field(description="The base level first, then by name.")
    next_cursor: str | None = Field(description=NEXT)


def expiring_out(page: ExpiringPage) -> ExpiringPageOut:
    return ExpiringPageOut(
        until=page.until,
        lots=[ExpiringLotOut(**vars(lot)) for lot in page.lots],
        total=ExpiringTotalOut(**vars(page.total)),
        next_cursor=cursors.expiring_cursor(page.next_after),
    )


def referrals_out(page: ReferralPage) -> ReferralPageOut:
    return ReferralPageOut(
        earnings=[ReferralEarningOut(**vars(row)) for row in page.earnings],
        total=ReferralTotalOut(**vars(page.total)),
        next_cursor=cursors.referrals_cursor(page.next_after),
    )


def movements_out(page: MovementPage) -> MovementPageOut:
    return MovementPageOut(
        movements=[
            MovementOut(
                day=row.day,
                store_id=row.store_id,
                points={bucket.value: points for bucket, points in row.points},
                entries=row.entries,
            )
            for row in page.movements
        ],
        next_cursor=cursors.movements_cursor(page.next_after),
    )


def levels_out(page: LevelPage) -> LevelPageOut:
    return LevelPageOut(
        levels=[LevelCountOut(level=row.level, members=row.members) for row in page.levels],
        next_cursor=cursors.levels_cursor(page.next_after),
    )
