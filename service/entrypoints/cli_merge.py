"""``loyalty merge``: merge one customer's account into another's."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from domain.errors import LoyaltyError
from domain.ledger import Attribution
from domain.merges import MergeAccounts, MergeResult
from service.entrypoints.cli_json import AlwaysJson
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment


def shown(result: MergeResult) -> dict[str, Any]:
    into = next(e for e in result.posting.entries if e.account_id == result.survivor.account_id)
    return {
        "business_id": result.survivor.business_id,
        "account_id": str(result.survivor.account_id),
        "customer_id": result.survivor.customer_id,
        "merged_account_id": str(result.merged.account_id),
        "merged_customer_id": result.merged.customer_id,
        "points_moved": result.moved_points,
        "stamps_moved": result.moved_stamps,
        "balance": result.survivor.balance,
        "merge_in_entry_id": str(into.entry_id),
    }


def merge(
    business: str,
    survivor: Annotated[str, typer.Argument(help="Customer id of the account that stays.")],
    merged: Annotated[str, typer.Argument(help="Customer id of the account merged away.")],
    actor: Annotated[str, typer.Option(help="Who asked (recorded on the entries).")] = "cli",
    as_json: AlwaysJson = False,
) -> None:
    """Merge MERGED's account into SURVIVOR's: its balance, stamps and lots (with their dates)
    move by merge_out / merge_in entries, its identifiers, sales and referrals move, it is
    closed, and later events for MERGED land on SURVIVOR. Exit 1: no such customer, either
    account closed (merged before), the same account, a hold still live, or one referred the
    other and a return could still take the bonuses back."""

    async def run() -> MergeResult:
        async with opened(from_environment(), Database) as container:
            operations = await container.operations.async_()
            stays = await operations.account_by_customer(business, survivor)
            goes = await operations.account_by_customer(business, merged)
            command = MergeAccounts(
                business,
                stays.account.account_id,
                goes.account.account_id,
                Attribution(actor=actor),
            )
            result: MergeResult = await operations.merge(command)
            return result

    try:
        result = asyncio.run(run())
    except LoyaltyError as error:
        typer.echo(f"refused ({error.code}): {error.detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(json.dumps(shown(result), indent=2))
