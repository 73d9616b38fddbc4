"""Erasure on real PostgreSQL: a customer enrolled at the till by phone, who earned and
redeemed from a known address and browser, leaves no trace of them in any table once erased,
while the balance, the entries and a verifying chain stay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.postgres.erasure import PostgresErasure
from adapters.postgres.outbox import PostgresOutbox
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.erasure import ChainBroken, EraseCustomer
from domain.events import EventKind
from ports.publishing import OUTBOX_SHARDS
from service.entrypoints.cli import app as cli
from service.entrypoints.containers import Container
from service.use_cases.erasure import Erasures
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.conftest import given_customer, given_programme
from tests.integration.http_client import SECRET, auth
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

SHOP = "erasure-shop"
ADMIN, CASHIER = auth(SHOP, "admin"), auth(SHOP, "cashier")
PHONE_DIGITS, NAME = "7911123456", "Ada Lovelace"
IP, AGENT = "203.0.113.77", "AdaTill/9.9 (erasure-probe)"
PERSONAL = (PHONE_DIGITS, NAME, IP, AGENT)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def erasures(pool: asyncpg.Pool, clock: FakeClock) -> Erasures:
    return Erasures(PostgresErasure(pool), clock)


@pytest.fixture
async def api(
    uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock, erasures: Erasures
) -> AsyncIterator[httpx.AsyncClient]:
    container = Container()
    container.uow_factory.override(uow_factory)
    container.clock.override(clock)
    app = create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=clock,
        registry=CollectorRegistry(),
        erasures=erasures,
    )
    transport = httpx.ASGITransport(app=app, client=(IP, 40123))
    headers = {"User-Agent": AGENT}
    async with httpx.AsyncClient(transport=transport, base_url="http://pos", headers=headers) as c:
        yield c


async def enrolled_earned_and_redeemed(
    api: httpx.AsyncClient, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> dict[str, str]:
    """Enrolled inline by phone, earned 251 on a sale, redeemed 100 at the till."""
    programme = {"earn_rate": "2", "redemption_rate": "100", "inline_enrolment": True}
    assert (await api.put("/v1/program", json=programme, headers=ADMIN)).status_code == 200
    enrol = {"phone": f"+44 {PHONE_DIGITS}", "name": NAME}
    made = await api.post("/v1/accounts", json=enrol, headers=CASHIER)
    assert made.status_code == 201, made.text
    account = made.json()
    bought = sale(SHOP, account["customer_id"], "125.50", occurred_at=clock.now().isoformat())
    await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, bought)])
    redeem = await api.post(
        f"/v1/accounts/{account['account_id']}/redemptions",
        json={"points": 100},
        headers={**CASHIER, "Idempotency-Key": "erasure-redeem-1"},
    )
    assert redeem.status_code == 201, redeem.text
    return {"account_id": account["account_id"], "customer_id": account["customer_id"]}


async def personal_data_anywhere(pool: asyncpg.Pool) -> list[str]:
    """Every (table.column, needle) of a text, JSON or array column holding any of PERSONAL."""
    columns = await pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
        " AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')"
    )
    found = []
    for table, column in columns:
        for needle in PERSONAL:
            hit = await pool.fetchval(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE $1',
                f"%{needle}%",
            )
            if hit:
                found.append(f"{table}.{column}: {needle}")
    return found


async def pending_messages(pool: asyncpg.Pool) -> list[bytes]:
    """The loyalty.ledger messages the relay would publish now (rendered as it renders them)."""
    bodies = []
    async with pool.acquire() as connection, connection.transaction():
        outbox = PostgresOutbox(connection)
        for shard in range(OUTBOX_SHARDS):
            bodies += [m.body for _, m in await outbox.claim_pending(shard, 10_000)]
    return bodies


async def test_erasing_a_customer_enrolled_by_phone_leaves_no_personal_data_in_any_table(
    api: httpx.AsyncClient,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
    pool: asyncpg.Pool,
) -> None:
    account = await enrolled_earned_and_redeemed(api, uow_factory, clock)
    assert await personal_data_anywhere(pool)  # the probe finds what is there
    before = (await api.get(f"/v1/accounts/{account['account_id']}", headers=CASHIER)).json()

    erased = await api.post(f"/v1/admin/customers/{account['account_id']}/erasure", headers=ADMIN)

    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] is True
    assert await personal_data_anywhere(pool) == []
    assert not any(n.encode() in body for body in await pending_messages(pool) for n in PERSONAL)
    after = (await api.get(f"/v1/accounts/{account['account_id']}", headers=CASHIER)).json()
    assert (after["balance"], after["available"]) == (before["balance"], before["available"])
    report = await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=3600)
    assert report.ok, report.breaches
    kinds = await pool.fetch(
        "SELECT kind, points FROM ledger_entries WHERE business_id = $1 ORDER BY seq", SHOP
    )
    assert (kinds[-1]["kind"], kinds[-1]["points"]) == ("erased", 0)


async def test_a_second_erasure_is_a_no_op(
    api: httpx.AsyncClient,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
    pool: asyncpg.Pool,
) -> None:
    account = await enrolled_earned_and_redeemed(api, uow_factory, clock)
    path = f"/v1/admin/customers/{account['account_id']}/erasure"
    first = await api.post(path, headers=ADMIN)
    entries = await pool.fetchval("SELECT count(*) FROM ledger_entries")

    again = await api.post(path, headers=ADMIN)

    assert again.status_code == 200 and again.json()["erased"] is False
    assert again.json()["customer_id"] == first.json()["customer_id"]
    assert await pool.fetchval("SELECT count(*) FROM ledger_entries") == entries


async def test_a_phone_customer_id_is_replaced_and_the_chain_resealed_on_the_record(
    uow_factory: PostgresUnitOfWorkFactory, erasures: Erasures, pool: asyncpg.Pool
) -> None:
    await given_programme(uow_factory, SHOP, welcome_bonus=10)
    await given_customer(uow_factory, SHOP, f"phone:+44{PHONE_DIGITS}")  # as written before #18
    old_head = await pool.fetchval("SELECT last_hash FROM accounts WHERE business_id = $1", SHOP)

    result = await erasures.erase(EraseCustomer(SHOP, f"phone:+44{PHONE_DIGITS}", actor="dpo"))

    assert result.customer_id.startswith("erased_") and result.reseal is not None
    ids = await pool.fetch("SELECT DISTINCT customer_id FROM ledger_entries")
    assert [r["customer_id"] for r in ids] == [result.customer_id]
    reseal = await pool.fetchrow("SELECT * FROM chain_reseals WHERE business_id = $1", SHOP)
    assert (reseal["old_head"], reseal["new_head"], reseal["entries"]) == (
        old_head,
        result.reseal.new_head,
        2,
    )
    assert (await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=3600)).ok
    assert await personal_data_anywhere(pool) == []


async def test_an_account_whose_chain_does_not_verify_is_not_resealed(
    uow_factory: PostgresUnitOfWorkFactory, erasures: Erasures, pool: asyncpg.Pool
) -> None:
    await given_programme(uow_factory, SHOP, welcome_bonus=10)
    await given_customer(uow_factory, SHOP, "phone:+447911123999")
    async with pool.acquire() as superuser:
        await superuser.execute("SET session_replication_role = replica")  # triggers off
        await superuser.execute(
            "UPDATE ledger_entries SET points = 1000 WHERE kind <> 'card_created'"
        )

    with pytest.raises(ChainBroken):
        await erasures.erase(EraseCustomer(SHOP, "phone:+447911123999"))

    assert await pool.fetchval("SELECT count(*) FROM chain_reseals") == 0
    assert (
        await pool.fetchval("SELECT count(*) FROM accounts WHERE customer_id LIKE 'phone:%'") == 1
    )


async def test_the_ledger_refuses_every_other_change_even_while_erasing(
    uow_factory: PostgresUnitOfWorkFactory, pool: asyncpg.Pool
) -> None:
    await given_programme(uow_factory, SHOP, welcome_bonus=10)
    await given_customer(uow_factory, SHOP, "amy")
    refused = (
        (True, "UPDATE ledger_entries SET points = points + 1"),
        (True, "UPDATE ledger_entries SET customer_id = 'x', reason = 'y'"),
        (True, "DELETE FROM ledger_entries"),
        (False, "UPDATE ledger_entries SET customer_id = 'x'"),
        (False, "UPDATE ledger_entries SET ip_address = NULL"),
    )
    for erasing, statement in refused:
        async with pool.acquire() as connection, connection.transaction():
            if erasing:
                await connection.execute("SET LOCAL loyalty.erasing = 'on'")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)


async def test_attribution_older_than_the_retention_is_cleared_and_newer_kept(
    api: httpx.AsyncClient,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
    erasures: Erasures,
    pool: asyncpg.Pool,
) -> None:
    account = await enrolled_earned_and_redeemed(api, uow_factory, clock)
    clock.advance(days=91)
    late = await api.post(
        f"/v1/accounts/{account['account_id']}/redemptions",
        json={"points": 100},
        headers={**CASHIER, "Idempotency-Key": "erasure-redeem-late"},
    )
    assert late.status_code == 201, late.text

    cleared = await erasures.erase_attribution(timedelta(days=90))

    kept = await pool.fetch(
        "SELECT recorded_at FROM ledger_entries"
        " WHERE ip_address IS NOT NULL OR user_agent IS NOT NULL"
    )
    assert cleared >= 2 and kept and all(r["recorded_at"] == clock.now() for r in kept)
    assert await erasures.erase_attribution(timedelta(days=90)) == 0
    assert (await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=10**9)).ok


@pytest.fixture
async def enrolled_by_phone_before(uow_factory: PostgresUnitOfWorkFactory) -> None:
    await given_programme(uow_factory, SHOP)
    await given_customer(uow_factory, SHOP, "phone:+447911123777")


def test_loyalty_erase_and_erase_attribution_on_the_command_line(
    database_url: str, enrolled_by_phone_before: None
) -> None:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    runner = CliRunner()

    erased = runner.invoke(cli, ["erase", SHOP, "phone:+447911123777", "--actor", "dpo"], env=env)
    again = runner.invoke(cli, ["erase", SHOP, "phone:+447911123777"], env=env)
    swept = runner.invoke(cli, ["erase-attribution", "--older-than", "90d", "--json"], env=env)

    assert erased.exit_code == 0, erased.output
    shown = json.loads(erased.stdout)
    assert shown["erased"] is True and shown["customer_id"].startswith("erased_")
    assert again.exit_code == 1 and "No account" in again.stderr  # its old id is gone
    assert swept.exit_code == 0 and json.loads(swept.stdout) == {"entries_cleared": 0}
