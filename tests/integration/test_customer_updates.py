"""customer.updated applied on PostgreSQL: enrolment, the inbox, event-time order, conflicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adapters.kafka.parsing import parse_intake
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.customer_updates import CustomerUpdate
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import entries, inbox_outcome

pytestmark = pytest.mark.integration

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PHONES = ["+447911123456", "+447911234567", "+447911111222"]
_ids = count()


def update(business: str, minutes: int = 0, **fields: Any) -> CustomerUpdate:
    document = {
        "event_id": f"u-{next(_ids)}",
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "business_id": business,
        "customer_id": "ann",
        "type": "updated",
        **fields,
    }
    parsed = parse_intake(EventKind.CUSTOMER_UPDATED, json.dumps(document).encode())
    assert isinstance(parsed, CustomerUpdate), parsed
    return parsed


async def profile(pool: asyncpg.Pool, business: str, customer: str = "ann") -> dict[str, Any]:
    """The customer's name and identifiers as stored (None: no account)."""
    account_id = await pool.fetchval(
        "SELECT account_id FROM accounts WHERE business_id = $1 AND customer_id = $2",
        business,
        customer,
    )
    name = await pool.fetchval(
        "SELECT name FROM customer_profiles WHERE business_id = $1 AND account_id = $2",
        business,
        account_id,
    )
    held = await pool.fetch(
        "SELECT kind, value FROM customer_identifiers WHERE business_id = $1 AND account_id = $2"
        " ORDER BY kind, value",
        business,
        account_id,
    )
    return {"account": account_id, "name": name, "identifiers": [tuple(r) for r in held]}


async def test_a_created_customer_is_enrolled_once_with_its_name_and_identifiers(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    await given_programme(uow_factory, "shop")
    created = update(
        "shop", type="created", name="Ann", phone="07911 123456", card_number="1234-5678"
    )

    await apply_events([created])
    again = await apply_events([created])

    assert again.duplicates == [created]
    stored = await profile(pool, "shop")
    assert stored["name"] == "Ann"
    assert stored["identifiers"] == [("card", "12345678"), ("phone", "+447911123456")]
    assert [e["kind"] for e in await entries(pool, "shop", "ann")] == ["card_created"]
    assert await inbox_outcome(pool, "shop", created.event_id) == ("applied", None)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_without_a_programme_or_an_account_an_update_is_skipped_with_its_reason(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch
) -> None:
    created = update("nowhere", type="created", name="Ann")
    updated = update("nowhere", name="Ann")

    await apply_events([created, updated])

    assert await inbox_outcome(pool, "nowhere", created.event_id) == ("skipped", "no_programme")
    assert await inbox_outcome(pool, "nowhere", updated.event_id) == ("skipped", "no_account")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_an_identifier_another_account_holds_dead_letters_the_update_and_changes_nothing(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    await given_programme(uow_factory, "shop")
    for customer in ("ann", "bob"):
        await given_customer(uow_factory, "shop", customer)
    await apply_events([update("shop", 0, customer_id="bob", phone=PHONES[0])])
    taking = update("shop", 1, name="Ann", phone=PHONES[0], email="ann@example.com")

    changes = await apply_events([taking])

    assert [reason.split(":")[0] for _, reason in changes.failed] == ["identifier_taken"]
    assert (
        await pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", taking.event_id) == 0
    )  # a dead letter: redriven once the phone is settled, it applies
    assert await profile(pool, "shop") == {
        "account": (await profile(pool, "shop"))["account"],
        "name": None,
        "identifiers": [],
    }


_changes = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.none() | st.sampled_from(["Ann", "Anne", "A. N."]),
            "phone": st.none() | st.sampled_from(PHONES),
            "email": st.none() | st.just("ann@example.com"),
        },
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=_changes, order=st.randoms(use_true_random=False))
async def test_updates_in_any_arrival_order_apply_only_when_newer_than_the_last_applied(
    pool: asyncpg.Pool,
    uow_factory: PostgresUnitOfWorkFactory,
    apply_events: ApplyEventBatch,
    changes: list[dict[str, Any]],
    order: Any,
) -> None:
    business = f"shop-{next(_ids)}"  # one database for every example: a business each
    await given_programme(uow_factory, business)
    await given_customer(uow_factory, business, "ann")
    updates = [update(business, minutes, **fields) for minutes, fields in enumerate(changes, 1)]
    arrival = list(zip(range(1, len(changes) + 1), changes, updates, strict=True))
    order.shuffle(arrival)
    model: dict[str, Any] = {"name": None, "phone": None, "email": None}
    last = 0

    for minutes, fields, event in arrival:  # one batch each, as from a lagging partition
        await apply_events([event])
        if minutes >= last:  # the rule: older than the last applied changes nothing
            model.update(fields)
            last = minutes
        else:
            outcome = await inbox_outcome(pool, business, event.event_id)
            assert outcome == ("skipped", "older_than_last_update")

    stored = await profile(pool, business)
    assert stored["name"] == model["name"]
    held = [(k, model[k]) for k in ("email", "phone") if model[k] is not None]
    assert stored["identifiers"] == held
    ledger = "SELECT count(*) FROM ledger_entries WHERE business_id = $1"
    assert await pool.fetchval(ledger, business) == 1  # its enrolment's card_created only
