"""The pipeline end to end: raw JSON on a real broker in, ledger rows and ledger events out."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance, inbox_outcome
from tests.support.events import bill, bill_refund, customer_return, encode, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
async def shop(db: asyncpg.Pool, service: Service) -> str:
    uow_factory = PostgresUnitOfWorkFactory(db)
    await given_programme(uow_factory, "pipeline-shop", earn_rate="1")
    for customer in ("ann", "ben", "cid", "dee"):
        await given_customer(uow_factory, "pipeline-shop", customer)
    return "pipeline-shop"


async def publish(settings: Settings, topic: str, *payloads: dict[str, Any]) -> None:
    await produce(settings.kafka_bootstrap_servers, topic, [encode(p) for p in payloads])


async def balance_becomes(db: asyncpg.Pool, shop: str, customer: str, expected: int) -> None:
    await eventually(lambda: balance(db, shop, customer), lambda b: b == expected)


async def test_every_event_type_earns_or_reverses_and_reaches_the_ledger_topic(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    bought = sale(shop, "ann", "40.00")
    dined = bill(shop, "ann", "60.00")
    await publish(s, s.topic_sale_completed, bought)
    await publish(s, s.topic_bill_paid, dined)
    await balance_becomes(db, shop, "ann", 100)

    await publish(
        s, s.topic_customer_return_created, customer_return(shop, bought["sale_id"], "10")
    )
    await publish(s, s.topic_bill_refunded, bill_refund(shop, dined["bill_id"], "30"))
    await balance_becomes(db, shop, "ann", 100 - 10 - 30)

    account_id = await db.fetchval(
        "SELECT account_id FROM accounts WHERE business_id = $1 AND customer_id = 'ann'", shop
    )
    key = str(account_id).encode()
    # Other customers' card_created entries count towards at_least too: read until ann's five.
    records = await read_topic(
        s.kafka_bootstrap_servers,
        s.topic_ledger,
        at_least=5,
        done=lambda found: sum(r.key == key for r in found) >= 5,
    )
    mine = [r for r in records if r.key == key]
    kinds = sorted((json.loads(r.value)["kind"], json.loads(r.value)["points"]) for r in mine)
    assert kinds == [  # the card_created entry of ann's enrolment first
        ("card_created", 0),
        ("earn", 40),
        ("earn", 60),
        ("reversal", -30),
        ("reversal", -10),
    ]
    assert [json.loads(r.value)["seq"] for r in mine] == sorted(
        json.loads(r.value)["seq"] for r in mine
    ), "entries of one account are published in order"


async def test_a_return_published_before_its_sale_is_applied_once_the_sale_arrives(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    bought = sale(shop, "ben", "50.00")
    early = customer_return(shop, bought["sale_id"], "20.00")
    await publish(s, s.topic_customer_return_created, early)
    await eventually(
        lambda: db.fetchval("SELECT status FROM inbox WHERE event_id = $1", early["event_id"]),
        lambda status: status == "parked",
    )

    await publish(s, s.topic_sale_completed, bought)

    await balance_becomes(db, shop, "ben", 30)
    assert await inbox_outcome(db, shop, early["event_id"]) == ("applied", None)


async def test_two_partial_returns_then_the_rest_reverse_exactly_what_was_earned(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    bought = sale(shop, "cid", "10.00")
    await publish(s, s.topic_sale_completed, bought)
    await balance_becomes(db, shop, "cid", 10)
    returns = [customer_return(shop, bought["sale_id"], a) for a in ("3.33", "3.33", "3.34")]
    await publish(s, s.topic_customer_return_created, returns[0], returns[1])
    await balance_becomes(db, shop, "cid", 10 - 6)  # floor(10 * 6.66 / 10) = 6, not 3 + 3 + ...

    await publish(s, s.topic_customer_return_created, returns[2])

    await balance_becomes(db, shop, "cid", 0)


async def test_malformed_messages_go_to_the_dead_letter_topic_and_good_ones_are_applied(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    bad: list[bytes] = []
    for i in range(100):
        variant = i % 5
        if variant == 0:
            bad.append(b"\xff\xfe not utf-8 %d" % i)
        elif variant == 1:
            bad.append(b"{not json %d" % i)
        elif variant == 2:
            bad.append(encode({**sale(shop, "dee", "1"), "total_amount": "-5"}))
        elif variant == 3:
            bad.append(encode({k: v for k, v in sale(shop, "dee", "1").items() if k != "sale_id"}))
        else:
            bad.append(b"[1, 2, 3]")
    good = [sale(shop, "dee", "1.50") for _ in range(50)]
    mixed: list[bytes] = []
    for i, payload in enumerate(good):
        mixed.extend([encode(payload), bad[2 * i], bad[2 * i + 1]])
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, mixed)

    await balance_becomes(db, shop, "dee", 50)
    letters = await read_topic(
        s.kafka_bootstrap_servers, s.topic_sale_completed + s.dead_letter_suffix, at_least=100
    )
    assert sorted(r.value for r in letters) == sorted(bad)
    for letter in letters:
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["x-origin-topic"] == s.topic_sale_completed
        assert int(headers["x-origin-offset"]) >= 0 and headers["x-origin-partition"].isdigit()
        assert headers["x-dlq-code"] in {"invalid_utf8", "invalid_json", "schema_violation"}
        assert headers["x-dlq-reason"].startswith(headers["x-dlq-code"] + ": ")

    await publish(s, s.topic_sale_completed, sale(shop, "dee", "7"))  # still consuming
    await balance_becomes(db, shop, "dee", 57)


async def test_a_reused_event_id_with_another_payload_is_dead_lettered(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    original = sale(shop, "ann", "5.00")
    await publish(s, s.topic_sale_completed, original)
    await eventually(
        lambda: db.fetchval("SELECT status FROM inbox WHERE event_id = $1", original["event_id"]),
        lambda status: status == "applied",
    )
    tampered = {**original, "total_amount": "500.00"}

    await publish(s, s.topic_sale_completed, tampered, original)

    dlq = s.topic_sale_completed + s.dead_letter_suffix
    letters = await eventually(
        lambda: read_topic(s.kafka_bootstrap_servers, dlq, at_least=101, timeout=2),
        lambda records: any(dict(r.headers)["x-dlq-code"] == b"event_id_reused" for r in records),
    )
    reused = [r for r in letters if dict(r.headers)["x-dlq-code"] == b"event_id_reused"]
    assert [json.loads(r.value)["total_amount"] for r in reused] == ["500.00"]
