"""The ``loyalty`` command line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from adapters.http.auth import Role as TokenRole
from domain.commands import EnrolCustomer, SetProgramme
from domain.errors import AlreadyEnrolled, InvalidRequest
from domain.programme_limits import check_programme_terms
from service.entrypoints import cli_operator, presenters
from service.entrypoints.containers import Container, container_for
from service.entrypoints.logging import configure_logging
from service.entrypoints.runtime import Role, resolve, serve_until_signalled
from service.entrypoints.settings import Settings

app = typer.Typer(help="Loyalty points service.", no_args_is_help=True)
program_app = typer.Typer(help="Configure a business's loyalty programme.", no_args_is_help=True)
app.add_typer(program_app, name="program")
cli_operator.register(app)

T = TypeVar("T")


def _container() -> Container:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return container_for(settings)


def _with_database(work: Callable[[Container], Awaitable[T]]) -> T:
    async def run() -> T:
        container = _container()
        await resolve(container.init_resources())
        try:
            return await work(container)
        finally:
            await resolve(container.shutdown_resources())

    return asyncio.run(run())


@app.command()
def dev(
    kafka_port: Annotated[int, typer.Option(help="Port of the embedded broker.")] = 9092,
    postgres_port: Annotated[int, typer.Option(help="Port of the embedded PostgreSQL.")] = 55432,
    http_port: Annotated[int, typer.Option(help="Port of the HTTP API.")] = 8080,
) -> None:
    """Start embedded PostgreSQL and Kafka (unless configured), migrate, and serve."""
    from service.entrypoints.dev import DevOptions, embedded_services, how_to_try_it, prepare

    options = DevOptions(kafka_port=kafka_port, postgres_port=postgres_port, http_port=http_port)
    with embedded_services(options) as settings:
        configure_logging(settings.log_format, settings.log_level)
        prepare(settings)
        typer.echo(how_to_try_it(settings))
        asyncio.run(serve_until_signalled(container_for(settings), Role.ALL))


@app.command()
def serve(
    role: Annotated[Role, typer.Option(help="What this process runs.")] = Role.ALL,
) -> None:
    """Run the consumers, outbox relay and HTTP API (by role) until SIGINT or SIGTERM."""
    asyncio.run(serve_until_signalled(_container(), role))


@app.command()
def token(
    business: Annotated[str, typer.Option(help="The business the token acts for.")],
    role: Annotated[TokenRole, typer.Option(help="What the bearer may do.")] = TokenRole.CASHIER,
    terminal: Annotated[str | None, typer.Option(help="A paired POS terminal.")] = None,
    store: Annotated[str | None, typer.Option(help="The store of the terminal.")] = None,
    subject: Annotated[str, typer.Option(help="Who acts (the sub claim).")] = "dev-user",
    ttl: Annotated[
        int | None,
        typer.Option(help="Seconds the token is valid (default 8 h, or the maximum lifetime)."),
    ] = None,
) -> None:
    """Mint an HS256 bearer token with LOYALTY_JWT_SECRET (development), with the audience,
    issuer and lifetime the API is configured to demand."""
    from adapters.http.auth import mint_token

    settings = Settings()
    if not settings.jwt_secret:
        typer.echo("LOYALTY_JWT_SECRET is not set (loyalty dev sets it for you)", err=True)
        raise typer.Exit(1)
    longest = settings.jwt_max_lifetime_seconds
    if ttl is not None and longest is not None and ttl > longest:
        typer.echo(f"--ttl {ttl} exceeds LOYALTY_JWT_MAX_LIFETIME_SECONDS ({longest})", err=True)
        raise typer.Exit(2)
    seconds = ttl if ttl is not None else min(8 * 3600, longest or 8 * 3600)
    token = mint_token(
        settings.jwt_secret,
        business,
        role,
        subject,
        terminal,
        store,
        seconds,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    typer.echo(token)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from adapters.postgres.migrations import apply_migrations

    applied = apply_migrations(Settings().database_url)
    typer.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


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
        datetime | None, typer.Option("--from", help="Multiplier window start.")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Multiplier window end.")] = None,
    max_discount: Annotated[
        Decimal | None, typer.Option(parser=_decimal, help="Cap per transaction.")
    ] = None,
    min_balance: Annotated[int, typer.Option(help="Minimum balance to redeem.")] = 0,
    welcome_bonus: Annotated[int | None, typer.Option(help="Points on enrolment.")] = None,
    effective_from: Annotated[datetime | None, typer.Option(help="Default: now.")] = None,
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
    )
    try:  # the programme's own bounds, before any connection is opened
        check_programme_terms(command)
    except InvalidRequest as error:
        typer.echo(f"refused: {error.detail}", err=True)
        raise typer.Exit(2) from error

    async def work(c: Container) -> None:
        programme = await (await resolve(c.programmes())).set(command)
        typer.echo(json.dumps(presenters.programme(programme), indent=2))

    _with_database(work)


@app.command()
def enroll(business: str, customer: str) -> None:
    """Enrol a customer in a business's programme."""

    async def work(c: Container) -> None:
        try:
            view = await (await resolve(c.accounts())).enrol(EnrolCustomer(business, customer))
        except AlreadyEnrolled as error:
            typer.echo(f"already enrolled: account {error.account_id}", err=True)
            raise typer.Exit(1) from error
        typer.echo(json.dumps(presenters.account(view.account), indent=2))

    _with_database(work)


@app.command()
def account(
    business: str,
    customer: str,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    limit: Annotated[int, typer.Option(help="How many recent entries.")] = 20,
) -> None:
    """Show a customer's balance and recent ledger entries."""

    async def work(c: Container) -> Any:
        return await (await resolve(c.accounts())).statement(business, customer, limit)

    statement = _with_database(work)
    if statement is None:
        typer.echo(f"no account for customer {customer} of {business}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(presenters.statement(statement), indent=2))
    else:
        typer.echo(presenters.statement_text(statement))


@app.command()
def verify(
    business: Annotated[str | None, typer.Option(help="Check one business only.")] = None,
    outbox_max_age: Annotated[
        float, typer.Option(help="Seconds an entry may wait in the outbox.")
    ] = 300.0,
    parked_max_age: Annotated[
        float, typer.Option(help="Seconds a return may wait for its sale before a notice.")
    ] = 7 * 24 * 3600.0,
) -> None:
    """Recompute hash chains and check every ledger invariant, all in one snapshot; exit 1
    naming each breach. Notices (worth a look, no invariant broken) leave the exit at 0."""
    from service.use_cases.verification import verify_ledger

    async def work(c: Container) -> Any:
        return await verify_ledger(
            await resolve(c.uow_factory()), business, outbox_max_age, parked_max_age
        )

    report = _with_database(work)
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


@app.command()
def publish(
    topic: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    key: Annotated[str | None, typer.Option(help="Message key.")] = None,
) -> None:
    """Publish a file to a topic: as is, or each element when it holds a JSON array."""
    from adapters.kafka.raw_producer import publish_raw

    raw = file.read_bytes()
    try:
        document = json.loads(raw, parse_float=Decimal)
    except ValueError:
        document = None  # not JSON: sent as is, to see the dead-letter topic at work
    if isinstance(document, list):
        payloads = [json.dumps(item, default=str).encode() for item in document]
    else:
        payloads = [raw.strip()]
    asyncio.run(publish_raw(Settings().kafka_bootstrap_servers, topic, payloads, key))
    typer.echo(f"published {len(payloads)} message(s) to {topic}")
