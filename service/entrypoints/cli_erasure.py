"""Erasure commands: erase a customer's personal data; clear attribution past its retention."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Annotated, Any

import typer

from domain.erasure import ChainBroken, EraseCustomer, ErasureResult
from domain.errors import AccountNotFound
from service.entrypoints.cli_json import AlwaysJson, AsJson
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment

_DURATION = re.compile(r"^\s*(\d+)\s*([dh]?)\s*$")


def _duration(text: str) -> timedelta:
    """``90d``, ``36h`` or a bare number of days."""
    matched = _DURATION.match(text)
    if not matched:
        raise typer.BadParameter(f"{text!r} is not a duration such as 90d or 36h")
    number, unit = int(matched[1]), matched[2] or "d"
    return timedelta(hours=number) if unit == "h" else timedelta(days=number)


def shown(result: ErasureResult) -> dict[str, Any]:
    return {
        "business_id": result.business_id,
        "account_id": str(result.account_id),
        "customer_id": result.customer_id,
        "erased": result.erased,
        "resealed_entries": result.reseal.entries if result.reseal else 0,
        "old_head": result.reseal.old_head if result.reseal else None,
        "new_head": result.reseal.new_head if result.reseal else None,
        "entry_id": str(result.entry.entry_id) if result.entry else None,
    }


def erase(
    business: str,
    customer: Annotated[str, typer.Argument(help="Customer id, account id or identifier.")],
    actor: Annotated[str, typer.Option(help="Who asked (recorded on the erased entry).")] = "cli",
    as_json: AlwaysJson = False,
) -> None:
    """Erase a customer's personal data, keeping balance and entries: identifiers and profile
    deleted, IP addresses and user agents nulled, a phone-made customer id replaced by an
    opaque one (the chain re-sealed after a clean verify) and an erased entry written. Exit 1:
    no such customer, or the account's chain does not verify."""

    async def run() -> ErasureResult:
        async with opened(from_environment(), Database) as container:
            erasures = await container.erasures.async_()
            return await erasures.erase(EraseCustomer(business, customer, actor=actor))

    try:
        result = asyncio.run(run())
    except (AccountNotFound, ChainBroken) as error:
        typer.echo(f"refused: {error.detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(json.dumps(shown(result), indent=2))


def erase_attribution(
    older_than: Annotated[
        str | None,
        typer.Option(
            help="Age past which to clear, e.g. 90d or 36h (default: the setting"
            " LOYALTY_ATTRIBUTION_RETENTION_DAYS, 90 days)."
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Null the IP address and user agent on ledger entries older than the retention."""

    given = _duration(older_than) if older_than is not None else None

    async def run() -> int:
        container = from_environment()
        age = given or timedelta(days=container.settings().attribution_retention_days)
        async with opened(container, Database) as ready:
            return await (await ready.erasures.async_()).erase_attribution(age)

    cleared = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps({"entries_cleared": cleared}))
    else:
        typer.echo(f"cleared the IP address and user agent of {cleared} entries")
