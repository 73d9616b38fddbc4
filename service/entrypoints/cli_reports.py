"""``loyalty report ...``: the operators' queries, as a table or (``--json``) as the API answers
them. Days are ISO 8601 dates (2026-03-01), UTC, both ends included."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from pydantic import BaseModel

from adapters.http import report_cursors as cursors
from adapters.http.schemas import reports as out
from domain.errors import InvalidRequest, LoyaltyError
from domain.ledger import Bucket
from domain.reports import DayRange, ExpiringQuery, LevelQuery, MovementQuery, ReferralQuery
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment
from service.use_cases.reports import Reports

report_app = typer.Typer(
    help="Operators' queries of one business, a page at a time (--cursor: the last page's "
    "next cursor). Days are ISO 8601 dates (YYYY-MM-DD), UTC, both ends included.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 date (YYYY-MM-DD)") from error


AsJson = Annotated[bool, typer.Option("--json", help="The API's JSON answer.")]
Limit = Annotated[int, typer.Option(help="Rows per page (1-200).")]
Cursor = Annotated[str | None, typer.Option(help="The previous page's next cursor.")]
Account = Annotated[UUID | None, typer.Option("--account", help="One account only.")]
From = Annotated[
    date,
    typer.Option("--from", parser=_day, help="First UTC day, ISO 8601 (2026-03-01), included."),
]
To = Annotated[
    date, typer.Option("--to", parser=_day, help="Last UTC day, ISO 8601 (2026-03-31), included.")
]


def _run(work: Callable[[Reports], Awaitable[T]]) -> T:
    async def run() -> T:
        async with opened(from_environment(), Database) as container:
            return await work(await container.reports.async_())

    try:
        return asyncio.run(run())
    except LoyaltyError as error:
        typer.echo(f"refused: {error.detail}", err=True)
        raise typer.Exit(2) from error


def _days(first: date, last: date) -> DayRange:
    try:
        return DayRange(first, last)
    except InvalidRequest as error:
        raise typer.BadParameter(error.detail, param_hint="--from/--to") from error


def _after(decode: Callable[[str], T], cursor: str | None) -> T | None:
    try:
        return None if cursor is None else decode(cursor)
    except cursors.InvalidCursor as error:
        raise typer.BadParameter("not a cursor of this report", param_hint="--cursor") from error


def _show(answer: BaseModel, as_json: bool, header: Sequence[str], rows: list[list[Any]]) -> None:
    if as_json:
        typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2))
        return
    cells = [list(header)] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    next_cursor = getattr(answer, "next_cursor", None)
    if next_cursor:
        typer.echo(f"next page: --cursor {next_cursor}")


@report_app.command("expiring")
def expiring(
    business: str,
    within_days: Annotated[int, typer.Option(help="Days ahead (1-3660).")] = 7,
    account: Account = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    as_json: AsJson = False,
) -> None:
    """Points in lots expiring within --within-days (already expired, not yet swept,
    included), soonest first, and the total over the window."""
    query = ExpiringQuery(
        business, within_days, account, limit, _after(cursors.expiring_after, cursor)
    )
    answer = out.expiring_out(_run(lambda reports: reports.expiring(query)))
    rows = [[r.expires_at.isoformat(), r.customer_id, r.account_id, r.points] for r in answer.lots]
    _show(answer, as_json, ("expires_at", "customer", "account", "points"), rows)
    if not as_json:
        total = answer.total
        typer.echo(
            f"total before {answer.until.isoformat()}: {total.points} points in"
            f" {total.lots} lots of {total.accounts} accounts"
        )


@report_app.command("referrals")
def referrals(
    business: str,
    from_: From,
    to: To,
    account: Account = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    as_json: AsJson = False,
) -> None:
    """Referral bonuses less reversals per account over the days, the referred accounts a
    referrer's entries name, and the total."""
    query = ReferralQuery(
        business, _days(from_, to), account, limit, _after(cursors.referrals_after, cursor)
    )
    answer = out.referrals_out(_run(lambda reports: reports.referrals(query)))
    rows = [
        [r.customer_id, r.account_id, r.points, r.bonuses, r.reversals, len(r.referred_account_ids)]
        for r in answer.earnings
    ]
    header = ("customer", "account", "points", "bonuses", "reversals", "referred")
    _show(answer, as_json, header, rows)
    if not as_json:
        t = answer.total
        typer.echo(
            f"total: {t.points} points, {t.bonuses} bonuses, {t.reversals} reversals,"
            f" {t.accounts} accounts"
        )


@report_app.command("movements")
def movements(
    business: str,
    from_: From,
    to: To,
    limit: Limit = 50,
    cursor: Cursor = None,
    as_json: AsJson = False,
) -> None:
    """Points moved per UTC day and store, by bucket (earned, spent, expired, reversed...)."""
    query = MovementQuery(
        business, _days(from_, to), limit, _after(cursors.movements_after, cursor)
    )
    answer = out.movements_out(_run(lambda reports: reports.movements(query)))
    buckets = [bucket.value for bucket in Bucket]
    rows = [
        [r.day.isoformat(), r.store_id, *(r.points[b] for b in buckets), r.entries]
        for r in answer.movements
    ]
    _show(answer, as_json, ("day", "store", *buckets, "entries"), rows)


@report_app.command("levels")
def levels(
    business: str, limit: Limit = 50, cursor: Cursor = None, as_json: AsJson = False
) -> None:
    """Members (cards not closed) per level; "-" is the base level."""
    query = LevelQuery(business, limit, _after(cursors.levels_after, cursor))
    answer = out.levels_out(_run(lambda reports: reports.levels(query)))
    rows = [[r.level, r.members] for r in answer.levels]
    _show(answer, as_json, ("level", "members"), rows)
