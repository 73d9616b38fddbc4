"""Ledger commands: configure a programme, enrol a customer, show an account, verify the
ledger."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

import typer

from adapters.phone_numbers import identifiers_of
from domain.commands import EnrolCustomer, SetProgramme
from domain.errors import AlreadyEnrolled, InvalidRequest
from domain.ledger import Bucket, EntryKind
from domain.programme_revision import check_set_programme
from domain.reports import history_kinds
from service.entrypoints import cli_card_options as card
from service.entrypoints import cli_limit_options as limits
from service.entrypoints import cli_moments as moments
from service.entrypoints import cli_progress, presenters
from service.entrypoints import cli_referral_options as referrals
from service.entrypoints import cli_tier_options as levels
from service.entrypoints.cli_json import AlwaysJson, AsJson
from service.entrypoints.cli_verify_metrics import MetricsFile, recorded
from service.entrypoints.containers import Container
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment

program_app = typer.Typer(help="Configure a business's loyalty programme.", no_args_is_help=True)

T = TypeVar("T")


def _on_the_database(work: Callable[[Container], Awaitable[T]]) -> T:
    """``work`` with the database open; a ledger command needs no broker."""

    async def run() -> T:
        async with opened(from_environment(), Database) as container:
            return await work(container)

    return asyncio.run(run())


def _decimal(text: str) -> Decimal:
    """Any decimal as written (NaN and infinities too): the programme's check says what a
    rate may be, in the same words as over HTTP."""
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise typer.BadParameter(f"{text!r} is not a decimal number") from error


@program_app.command("set")
def program_set(
    business: str,
    earn_rate: Annotated[
        Decimal, typer.Option(parser=_decimal, help="Points per currency unit spent.")
    ],
    redemption_rate: Annotated[
        Decimal, typer.Option(parser=_decimal, help="Points per currency unit of discount.")
    ],
    multiplier: Annotated[
        Decimal, typer.Option(parser=_decimal, help="Earn multiplier.")
    ] = Decimal(1),
    from_: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            parser=moments.moment,
            metavar="TIME",
            help=moments.described("Multiplier window start."),
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment, metavar="TIME", help=moments.described("Multiplier window end.")
        ),
    ] = None,
    max_discount: Annotated[
        Decimal | None, typer.Option(parser=_decimal, help="Cap per transaction.")
    ] = None,
    min_balance: Annotated[int, typer.Option(help="Minimum balance to redeem.")] = 0,
    welcome_bonus: Annotated[int | None, typer.Option(help="Points on enrolment.")] = None,
    effective_from: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment,
            metavar="TIME",
            help=moments.described("When the new version takes effect (default: now)."),
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Programme name.")] = None,
    active: Annotated[
        bool | None,
        typer.Option(
            "--active/--inactive",
            help="Run or pause earning and redeeming from --effective-from on (default: as is).",
        ),
    ] = None,
    validity_days: Annotated[
        int | None, typer.Option(help="Days an earned lot lasts (0: never expires).")
    ] = None,
    pending_days: Annotated[
        int | None, typer.Option(help="Return window: days earned points stay pending.")
    ] = None,
    inactivity_days: Annotated[
        int | None, typer.Option(help="All points expire after this many quiet days (0: off).")
    ] = None,
    category_multiplier: card.CategoryMultiplier = None,
    sku_multiplier: card.SkuMultiplier = None,
    exclude_category: card.ExcludeCategory = None,
    exclude_sku: card.ExcludeSku = None,
    min_spend: card.MinSpend = None,
    no_item_rules: card.NoItemRules = False,
    stamp_target: card.StampTarget = None,
    stamp_basis: card.StampBasisOption = None,
    stamp_category: card.StampCategory = None,
    stamp_sku: card.StampSku = None,
    stamp_min_spend: card.StampMinSpend = None,
    stamps_per_award: card.StampsPerAward = None,
    stamp_reward: card.StampReward = None,
    no_stamp_card: card.NoStampCard = False,
    redeem_limit: limits.RedeemLimitOption = None,
    no_redeem_limit: limits.NoRedeemLimit = False,
    tiers: levels.TiersOption = None,
    no_tiers: levels.NoTiers = False,
    referral: referrals.ReferralOption = None,
    no_referral: referrals.NoReferral = False,
    as_json: AlwaysJson = False,
) -> None:
    """Create or update a programme with a new rule version; what is not given stays as is."""
    command = SetProgramme(
        business_id=business,
        earn_rate=earn_rate,
        redemption_rate=redemption_rate,
        name=name,
        active=active,
        welcome_bonus=welcome_bonus,
        points_validity_days=validity_days,
        pending_days=pending_days,
        inactivity_days=inactivity_days,
        multiplier=multiplier,
        multiplier_from=presenters.aware(from_),
        multiplier_until=presenters.aware(until),
        max_discount=max_discount,
        min_balance_to_redeem=min_balance,
        effective_from=presenters.aware(effective_from),
        item_rules=card.item_rules_from(
            category_multiplier,
            sku_multiplier,
            exclude_category,
            exclude_sku,
            min_spend,
            no_item_rules,
        ),
        stamp_card=card.stamp_card_from(
            stamp_target,
            stamp_basis,
            stamp_category,
            stamp_sku,
            stamp_min_spend,
            stamps_per_award,
            stamp_reward,
            no_stamp_card,
        ),
        redeem_limit=limits.redeem_limit_from(redeem_limit, no_redeem_limit),
        tiers=levels.tiers_from(tiers, no_tiers),
        referral=referrals.referral_from(referral, no_referral),
    )
    try:  # the programme's own bounds, before any connection is opened
        check_set_programme(command)
    except InvalidRequest as error:
        typer.echo(f"refused: {error.detail}", err=True)
        raise typer.Exit(2) from error

    async def work(c: Container) -> None:
        programme = await (await c.programmes.async_()).set(command)
        typer.echo(json.dumps(presenters.programme(programme), indent=2))

    _on_the_database(work)


def enroll(
    business: str,
    customer: str,
    referral_code: referrals.ReferralCode = None,
    as_json: AlwaysJson = False,
    phone: Annotated[str | None, typer.Option(help="A phone the till finds them by.")] = None,
    card_number: Annotated[str | None, typer.Option("--card", help="A card number.")] = None,
    email: Annotated[str | None, typer.Option(help="An e-mail address.")] = None,
    name: Annotated[str | None, typer.Option(help="What the customer is called.")] = None,
) -> None:
    """Enrol a customer in a business's programme (naming who referred them, if anyone)."""

    async def work(c: Container) -> None:
        try:
            known = identifiers_of(phone_number=phone, card_number=card_number, email_address=email)
            command = EnrolCustomer(
                business, customer, known, name=name, referral_code=referral_code
            )
            view = await (await c.accounts.async_()).enrol(command)
        except AlreadyEnrolled as error:
            typer.echo(f"already enrolled: account {error.account_id}", err=True)
            raise typer.Exit(1) from error
        except InvalidRequest as error:
            typer.echo(f"refused: {error.detail}", err=True)
            raise typer.Exit(2) from error
        shown = presenters.account(view.account)
        shown.update(referral_code=view.referral_code, referred_by=view.referred_by)
        shown.update(name=view.name, identifiers=[dataclasses.asdict(i) for i in view.identifiers])
        typer.echo(json.dumps(shown, indent=2, default=str))

    _on_the_database(work)


def account(
    business: str,
    customer: str,
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(help="How many recent entries.")] = 20,
    kind: Annotated[
        list[EntryKind] | None, typer.Option(help="Only entries of this kind (repeatable).")
    ] = None,
    bucket: Annotated[
        list[Bucket] | None, typer.Option(help="Only entries of this bucket (repeatable).")
    ] = None,
) -> None:
    """Show a customer's balance and recent ledger entries."""
    kinds = history_kinds(kind or (), bucket or ())

    async def work(c: Container) -> Any:
        return await (await c.accounts.async_()).statement(business, customer, limit, kinds)

    statement = _on_the_database(work)
    if statement is None:
        typer.echo(f"no account for customer {customer} of {business}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(presenters.statement(statement), indent=2))
    else:
        typer.echo(presenters.statement_text(statement))


def verify(
    business: Annotated[str | None, typer.Option(help="Check one business only.")] = None,
    outbox_max_age: Annotated[
        float, typer.Option(help="Seconds an entry may wait in the outbox.")
    ] = 300.0,
    parked_max_age: Annotated[
        float, typer.Option(help="Seconds a return may wait for its sale before a notice.")
    ] = 7 * 24 * 3600.0,
    as_json: AsJson = False,
    metrics_file: MetricsFile = None,
) -> None:
    """Recompute hash chains and check every ledger invariant, all in one snapshot; exit 1
    naming each breach (exit 3: the database unreachable). Notices (worth a look, no
    invariant broken) leave the exit at 0."""
    from service.use_cases.verification import verify_ledger

    async def work(c: Container) -> Any:
        return await verify_ledger(
            await c.uow_factory.async_(), business, outbox_max_age, parked_max_age
        )

    with recorded(metrics_file) as done, cli_progress.spinner("verifying the ledger", as_json):
        report = _on_the_database(work)
    done(report)
    if as_json:
        shown = {"ok": report.ok, **dataclasses.asdict(report)}
        typer.echo(json.dumps(shown, indent=2))
        raise typer.Exit(0 if report.ok else 1)
    for breach in report.breaches:
        typer.echo(f"BREACH: {breach}", err=True)
    for notice in report.notices:
        typer.echo(f"NOTICE: {notice}", err=True)
    typer.echo(
        f"checked {report.entries_checked} entries over {report.accounts_checked} accounts:"
        f" {len(report.breaches)} breach(es), {len(report.notices)} notice(s)"
    )
    if not report.ok:
        raise typer.Exit(1)
