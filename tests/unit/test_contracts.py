"""Message contracts: the committed schema files match the code; the edge parses money exactly."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters.kafka.parsing import CONTRACTS, Rejection, canonical_text, parse_event, payload_hash
from adapters.kafka.schema_export import ASYNCAPI_FILE, asyncapi_document, contract_files
from domain.events import EventKind, InboundEvent
from tests.support.events import bill, bill_refund, customer_return, encode, sale

pytestmark = pytest.mark.unit

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "contracts"
REGENERATE = "run `.venv/bin/python -m adapters.kafka.schema_export` and commit deploy/contracts"

MONEY_FIELDS = [
    (EventKind.SALE_COMPLETED, lambda: sale("b1", "c1", "1"), "total_amount"),
    (EventKind.CUSTOMER_RETURN_CREATED, lambda: customer_return("b1", "s1", "1"), "refund_amount"),
    (EventKind.BILL_PAID, lambda: bill("b1", "c1", "1"), "amount"),
    (EventKind.BILL_REFUNDED, lambda: bill_refund("b1", "bill-1", "1"), "refund_amount"),
]


def accepted(kind: EventKind, raw: bytes) -> InboundEvent:
    event = parse_event(kind, raw)
    assert not isinstance(event, Rejection), event
    return event


def rejected(kind: EventKind, raw: bytes) -> Rejection:
    outcome = parse_event(kind, raw)
    assert isinstance(outcome, Rejection), outcome
    return outcome


def test_the_contracts_directory_holds_exactly_the_exported_files() -> None:
    committed = sorted(p.name for p in CONTRACTS_DIR.iterdir() if p.is_file())

    assert committed == sorted(contract_files()), f"contract files differ: {REGENERATE}"


@pytest.mark.parametrize("name", sorted(contract_files()))
def test_each_committed_contract_file_equals_what_the_code_exports(name: str) -> None:
    path = CONTRACTS_DIR / name

    assert path.is_file(), f"{name} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == contract_files()[name], (
        f"{name} is out of date with adapters/kafka/contracts.py: {REGENERATE}"
    )


def test_the_asyncapi_document_refers_every_channel_to_an_exported_schema() -> None:
    document = asyncapi_document()
    messages = document["components"]["messages"]

    assert document["asyncapi"] == "3.0.0"
    addresses = sorted(c["address"] for c in document["channels"].values())
    topics = [name.removesuffix(".json") for name in contract_files() if name != ASYNCAPI_FILE]
    inbound = [kind.value for kind in EventKind]
    assert addresses == sorted([*topics, *(topic + ".dlq" for topic in inbound)])
    for message in messages.values():
        if "$ref" in message["payload"]:
            assert (CONTRACTS_DIR / message["payload"]["$ref"]).is_file()
        else:  # a dead letter: the original bytes, with headers saying why and whence
            assert {"x-dlq-code", "x-origin-topic"} <= set(message["headers"]["required"])
    assert {"dev", "production"} <= set(document["servers"])
    assert {o["action"] for o in document["operations"].values()} == {"receive", "send"}


@pytest.mark.parametrize(("kind", "make", "field"), MONEY_FIELDS)
@pytest.mark.parametrize(
    ("value", "exact"),
    [(0.1, "0.1"), ("0.1", "0.1"), (19.99, "19.99"), (100, "100"), ("1234567.891", "1234567.891")],
)
def test_money_is_exact_whether_sent_as_a_json_number_or_a_decimal_string(
    kind: EventKind, make: Any, field: str, value: float | str, exact: str
) -> None:
    payload = {**make(), field: value}

    event = accepted(kind, encode(payload))

    assert event.amount == Decimal(exact)
    assert str(event.amount) == exact


@pytest.mark.parametrize(
    "raw_amount", [b"-1", b'"-0.01"', b"NaN", b'"NaN"', b'"Infinity"', b"1e10", b'"ten"', b"true"]
)
def test_money_that_is_negative_not_finite_too_large_or_not_a_number_is_rejected(
    raw_amount: bytes,
) -> None:
    raw = encode({**sale("b1", "c1", "1"), "total_amount": "__AMOUNT__"})
    raw = raw.replace(b'"__AMOUNT__"', raw_amount)

    assert rejected(EventKind.SALE_COMPLETED, raw).code in {"schema_violation", "invalid_json"}


@pytest.mark.parametrize("moment", ["2026-06-01T12:00:00", "2026-06-01 12:00", "2026-06-01"])
def test_a_timestamp_without_an_offset_is_rejected(moment: str) -> None:
    rejection = rejected(
        EventKind.SALE_COMPLETED, encode(sale("b1", "c1", "1", occurred_at=moment))
    )

    assert rejection.code == "schema_violation"
    assert "occurred_at" in rejection.detail


@pytest.mark.parametrize("moment", ["2026-06-01T12:00:00Z", "2026-06-01T14:00:00+02:00"])
def test_a_timestamp_with_an_offset_is_accepted(moment: str) -> None:
    event = accepted(EventKind.SALE_COMPLETED, encode(sale("b1", "c1", "1", occurred_at=moment)))

    assert event.occurred_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("moment", "in_utc"),
    [
        ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00"),
        ("1999-12-31T20:00:00-04:00", "2000-01-01T00:00:00+00:00"),
        ("2999-12-31T23:59:59.999999Z", "2999-12-31T23:59:59.999999+00:00"),
        ("3000-01-01T00:30:00+01:00", "2999-12-31T23:30:00+00:00"),
        ("2026-06-01t12:00:00.5z", "2026-06-01T12:00:00.500000+00:00"),
    ],
)
def test_occurred_at_is_accepted_from_2000_up_to_3000_utc_whatever_the_offset(
    moment: str, in_utc: str
) -> None:
    event = accepted(EventKind.SALE_COMPLETED, encode(sale("b1", "c1", "1", occurred_at=moment)))

    assert event.occurred_at.astimezone(UTC).isoformat() == in_utc


@pytest.mark.parametrize(
    "moment",
    ["1999-12-31T23:59:59.999999Z", "2000-01-01T03:59:59+04:00", "3000-01-01T00:00:00Z"],
)
def test_occurred_at_outside_2000_to_3000_utc_is_a_schema_violation(moment: str) -> None:
    rejection = rejected(
        EventKind.SALE_COMPLETED, encode(sale("b1", "c1", "1", occurred_at=moment))
    )

    assert rejection.code == "schema_violation"
    assert "occurred_at" in rejection.detail and "2000-01-01T00:00:00Z" in rejection.detail


@pytest.mark.parametrize(
    ("token", "exact"),
    [
        ("12.50000", "12.5"),
        ("1E+2", "100"),
        ("1000000000", "1000000000"),
        ('"1000000000.0000"', "1000000000"),
        ("0", "0"),
        ('"0.0001"', "0.0001"),
    ],
)
def test_money_at_the_edges_of_the_contract_is_accepted_at_its_exact_value(
    token: str, exact: str
) -> None:
    raw = encode({**sale("b1", "c1", "1"), "total_amount": "__AMOUNT__"})

    event = accepted(EventKind.SALE_COMPLETED, raw.replace(b'"__AMOUNT__"', token.encode()))

    assert event.amount == Decimal(exact)


def test_money_as_a_json_integer_hashes_as_it_did_when_integers_were_not_decimals() -> None:
    as_number = json.loads(encode(sale("b1", "c1", "1")))
    as_number["total_amount"] = 100
    as_text = {**as_number, "total_amount": "100"}

    number = accepted(EventKind.SALE_COMPLETED, encode(as_number))
    text = accepted(EventKind.SALE_COMPLETED, encode(as_text))

    assert number.payload_hash == text.payload_hash
    assert '"total_amount": "100"' in canonical_text(
        CONTRACTS[EventKind.SALE_COMPLETED].model_validate(as_number)
    )


def test_unknown_fields_are_ignored_and_do_not_change_the_payload_hash() -> None:
    payload = sale("b1", "c1", "12.50")
    extended = {**payload, "loyalty_tier": "gold", "lines": [{"sku": "x", "qty": 2}]}

    plain = accepted(EventKind.SALE_COMPLETED, encode(payload))
    with_extras = accepted(EventKind.SALE_COMPLETED, encode(extended))

    assert with_extras == plain
    assert with_extras.payload_hash == plain.payload_hash


def test_identifiers_with_control_characters_are_a_schema_violation() -> None:
    from adapters.kafka.parsing import Rejection, parse_event
    from domain.events import EventKind

    payload = (
        b'{"event_id": "e\\u0000", "occurred_at": "2026-01-01T00:00:00Z", "business_id": "b",'
        b' "sale_id": "s", "customer_id": null, "total_amount": "1", "currency": "EUR"}'
    )
    rejected = parse_event(EventKind.SALE_COMPLETED, payload)
    assert isinstance(rejected, Rejection) and rejected.code == "schema_violation"
    assert "event_id" in rejected.detail


def _reference_payload_hash(model: BaseModel) -> str:
    """The payload hash as first written (the inbox holds hashes made this way)."""

    def canonical(value: object) -> object:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if isinstance(value, UUID):
            return str(value)
        raise TypeError(type(value).__name__)

    text = json.dumps(model.model_dump(), default=canonical, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


_identifiers = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=16
).filter(lambda s: s.strip() == s and s)
_maybe_identifiers = st.none() | _identifiers
_money = st.decimals(min_value=0, max_value=10**9, places=4) | (
    st.sampled_from(["1E+2", "12.50", "0.000", "7"]).map(Decimal)
)
_moments = st.datetimes(
    min_value=datetime(2000, 1, 2),
    max_value=datetime(2999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5))]),
).map(datetime.isoformat)
_any_event = st.fixed_dictionaries(
    {
        "event_id": _identifiers,
        "occurred_at": _moments,
        "business_id": _identifiers,
        "sale_id": _identifiers,
        "return_id": _identifiers,
        "bill_id": _identifiers,
        "refund_id": _identifiers,
        "cancellation_id": _identifiers,
        "customer_id": _maybe_identifiers,
        "total_amount": _money,
        "amount": _money,
        "refund_amount": _money,
        "currency": st.sampled_from(["EUR", "USD"]),
        "store_id": _maybe_identifiers,
        "terminal_id": _maybe_identifiers,
        "staff_id": _maybe_identifiers,
        "receipt_number": _maybe_identifiers,
        "loyalty_redemption_id": st.none() | st.uuids(),
    }
)


@given(st.sampled_from(list(CONTRACTS.values())), _any_event)
def test_the_payload_hash_is_the_one_the_inbox_already_holds(
    contract: type[BaseModel], document: dict[str, object]
) -> None:
    model = contract.model_validate(document)
    assert payload_hash(model) == _reference_payload_hash(model)
