"""Identifiers on real PostgreSQL: inline enrolment keeps the phone and the name beside the
account (its customer id opaque), the till finds the account by phone, card and e-mail, two
inline enrolments of one phone racing give one account, and an identifier another account
holds is refused."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.phone_numbers import identifiers_of, phone_identifier
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import EnrolCustomer
from domain.errors import AlreadyEnrolled
from domain.events import EventKind
from domain.identifiers import IdentifierTaken, card, email
from service.entrypoints.cli import app
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.identifiers import Identifiers
from tests.integration.conftest import given_programme
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

PHONE = "07911 123456"
SALE = EventKind.SALE_COMPLETED


async def a_shop(uows: PostgresUnitOfWorkFactory) -> str:
    shop = f"ids-{uuid.uuid4().hex[:8]}"
    await given_programme(uows, shop, inline_enrolment=True)
    return shop


async def test_inline_enrolment_keeps_the_phone_and_name_outside_the_account_row(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())

    view = await accounts.enrol(
        EnrolCustomer(shop, identifiers=(phone_identifier(PHONE),), name="Ann")
    )

    account_id = view.account.account_id
    assert view.account.customer_id.startswith("cust_")
    stored = await pool.fetch(
        "SELECT kind, value FROM customer_identifiers WHERE business_id = $1", shop
    )
    assert [tuple(r) for r in stored] == [("phone", "+447911123456")]
    name = await pool.fetchval(
        "SELECT name FROM customer_profiles WHERE business_id = $1 AND account_id = $2",
        shop,
        account_id,
    )
    assert name == "Ann"
    again = await accounts.account(shop, account_id)
    assert (again.name, [i.value for i in again.identifiers]) == ("Ann", ["+447911123456"])
    ledger = await pool.fetch("SELECT customer_id FROM ledger_entries WHERE business_id = $1", shop)
    assert {r["customer_id"] for r in ledger} <= {view.account.customer_id}


async def test_the_till_finds_the_account_by_each_identifier_in_any_format(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())
    given = identifiers_of(
        phone_number="+44 7911 123456", card_number="6011 0000 0000 0004", email_address="A@B.io"
    )
    enrolled = await accounts.enrol(EnrolCustomer(shop, "c-1", identifiers=given))
    till = Identifiers(accounts)

    for typed in (
        phone_identifier("07911-123456"),
        card("6011-0000-0000-0004"),
        email("  a@b.IO "),
    ):
        found = await till.account_by_identifier(shop, typed)
        assert found.account.account_id == enrolled.account.account_id


async def test_two_inline_enrolments_of_one_phone_racing_give_one_account(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())
    command = EnrolCustomer(shop, identifiers=(phone_identifier(PHONE),))

    results = await asyncio.gather(
        *(accounts.enrol(command) for _ in range(4)), return_exceptions=True
    )

    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1, results
    assert all(isinstance(r, AlreadyEnrolled) for r in lost), lost
    assert {r.account_id for r in lost if isinstance(r, AlreadyEnrolled)} <= {
        won[0].account.account_id
    }
    count = await pool.fetchval("SELECT count(*) FROM accounts WHERE business_id = $1", shop)
    assert count == 1


async def test_an_identifier_another_account_holds_is_refused(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())
    given = (email("ann@example.com"),)
    await accounts.enrol(EnrolCustomer(shop, "c-1", identifiers=given))

    with pytest.raises(IdentifierTaken):
        await accounts.enrol(EnrolCustomer(shop, "c-2", identifiers=given))
    assert await accounts.statement(shop, "c-2") is None


async def test_the_migration_makes_legacy_gb_phones_e164_unless_another_account_has_that_one(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())
    ids = [
        (await accounts.enrol(EnrolCustomer(shop, f"c-{i}"))).account.account_id for i in range(4)
    ]
    legacy = ["07911123456", "00447911654321", "+447911222222", "07911222222"]
    await pool.executemany(
        "INSERT INTO customer_identifiers (business_id, kind, value, account_id)"
        " VALUES ($1, 'phone', $2, $3)",
        [(shop, value, account) for value, account in zip(legacy, ids, strict=True)],
    )

    await pool.execute(
        _migration_update().replace(
            "WHERE kind = 'phone'", f"WHERE business_id = '{shop}' AND kind = 'phone'"
        )
    )

    rows = await pool.fetch(
        "SELECT value FROM customer_identifiers WHERE business_id = $1 ORDER BY value", shop
    )
    assert [r["value"] for r in rows] == [
        "+447911123456",
        "+447911222222",
        "+447911654321",
        "07911222222",  # its E.164 form is another account's: left for a merge
    ]


def _migration_update() -> str:
    """The UPDATE of migration 0027, run again on this test's rows alone."""
    path = Path(__file__).parents[2] / "deploy/migrations/0027_identifiers_only.sql"
    text = path.read_text()
    start = text.index("UPDATE customer_identifiers")
    return text[start : text.index(";", start)]


async def test_a_sale_naming_a_known_phone_or_card_but_no_customer_earns_for_that_account(
    uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = await a_shop(uow_factory)
    accounts = Accounts(uow_factory, SystemClock())
    view = await accounts.enrol(EnrolCustomer(shop, identifiers=(phone_identifier(PHONE),)))
    await Identifiers(accounts).add_identifier(shop, view.account.account_id, card("12345678"))

    await apply_events(
        [
            parsed(SALE, sale(shop, None, "10.00", customer_phone="+44 7911 123456")),
            parsed(SALE, sale(shop, None, "5.00", card_number="1234-5678", customer_phone="12")),
            parsed(SALE, sale(shop, None, "7.00", customer_email="nobody@example.com")),
        ]
    )

    after = await accounts.account(shop, view.account.account_id)
    assert after.account.balance == 15


def test_loyalty_enroll_takes_identifiers_and_loyalty_account_shows_them(database_url: str) -> None:
    shop = f"ids-{uuid.uuid4().hex[:8]}"
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    enrol = ["enroll", shop, "c-1", "--phone", "07911 123456", "--card", "1234 5678"]

    enrolled = CliRunner().invoke(app, [*enrol, "--name", "Ann"], env=env)
    refused = CliRunner().invoke(app, ["enroll", shop, "c-2", "--phone", "12"], env=env)
    shown = CliRunner().invoke(app, ["account", shop, "c-1", "--json"], env=env)

    assert enrolled.exit_code == 0, enrolled.output
    assert refused.exit_code == 2
    document = json.loads(shown.stdout[shown.stdout.index("{") :])
    assert (document["name"], document["phone"]) == ("Ann", "+447911123456")
    assert {"kind": "card", "value": "12345678"} in document["identifiers"]
