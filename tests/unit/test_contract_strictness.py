"""The exported schemas are exactly as strict as the parser: a near-valid message passes the
JSON Schema (read as an upstream validator reads it) exactly when the service accepts it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.kafka.contract_catalogue import CONTRACTS as CATALOGUE
from adapters.kafka.customer_events import INVALID_IDENTIFIER
from adapters.kafka.line_items import ITEMS_DO_NOT_ADD_UP
from adapters.kafka.parsing import Rejection, parse_intake
from adapters.kafka.schema_export import contract_schemas
from adapters.kafka.schema_export import example as example_of
from domain.events import EventKind
from tests.support.contract_schemas import schema_accepts, validator_for

pytestmark = pytest.mark.unit

BEYOND_A_SCHEMA = {ITEMS_DO_NOT_ADD_UP, INVALID_IDENTIFIER}

INBOUND = [kind.value for kind in EventKind]
MONEY = [
    "abc", "-5", "5.12345", "12.5", "0", "0.0001", "1000000000", "1000000000.0000",
    "1000000000.01", "1e3", " 5", "5 ", "05", "+5", "", "1,5", "٣", "12.", ".5", "NaN",
    Decimal("12.5"), Decimal(7), Decimal(-1), Decimal("1E+2"), Decimal("1000000001"),
    Decimal("1E+10"), True, None, [], {},
]  # fmt: skip
TEXT = [
    "x", " ", "", "\t a\n", "a\x00b", "a\x7f", "x" * 200, "x" * 201, " " + "x" * 200 + " ",
    "\x85", "\u3000x\u3000", "a b", "é", "\u2028x", None, Decimal(5), True, ["x"],
]  # fmt: skip
TIMES = [
    "2026-06-01T12:00:00Z", "2026-06-01T12:00:00", "2026-06-01 12:00:00Z", "2026-06-01",
    "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00+01:00",
    "2100-02-29T00:00:00Z", "2400-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
    "2026-06-01T24:00:00Z", "2026-06-01T23:59:60Z", "2026-06-01T12:60:00Z",
    "2026-06-01T12:00:00.123456789Z", "2026-06-01T12:00:00.1234567890Z",
    "2026-06-01T12:00:00.Z", "2026-06-01t12:00:00z", "2026-06-01T12:00:00+23:59",
    "2026-06-01T12:00:00+24:00", "2026-06-01T12:00:00-00:00", "1999-06-01T12:00:00Z",
    "3001-01-01T00:00:00Z", "1700000000", Decimal(1700000000), "2026-06-01T12:00Z", None,
]  # fmt: skip
UUIDS = [
    "00000000-0000-0000-0000-00000000000A", "0000000000000000000000000000000a",
    "{00000000-0000-0000-0000-00000000000a}", "urn:uuid:00000000-0000-0000-0000-00000000000a",
    "URN:UUID:00000000-0000-0000-0000-00000000000a", "{0000000000000000000000000000000a}",
    "0000000-00000-0000-0000-00000000000A", "abcdefghijklmnop", "g" * 32, None, 5,
]  # fmt: skip
CURRENCIES = ["EUR", "eur", "EURO", "EUR\n", "", "E1R", None]
LINES = [
    {"sku": "A", "quantity": "1", "unit_price": "5", "amount": "5"},
    {"sku": "A", "quantity": "0", "unit_price": "5", "amount": "5"},
    {"sku": "A", "quantity": Decimal(0), "unit_price": "5", "amount": "5"},
    {"sku": "A", "quantity": "2", "unit_price": "5"},
    {"sku": "A", "quantity": "1"},
    {"sku": "A", "amount": "1"},
    {"sku": "A", "quantity": "1", "amount": "1"},
    {"sku": "A", "quantity": None, "amount": None},
    {"sku": " ", "amount": "1"},
    {"sku": "A", "amount": "-1"},
    "A",
]
KINDS = ["created", "updated", "Created", "deleted", "", " created", None, 1]
PHONES = ["+44 7911 123456", "07911 123456", "+447911123456", "12", "phone", *TEXT]


def _pool(field: str) -> list[Any]:
    if field.endswith("amount"):
        return MONEY
    if field == "occurred_at":
        return TIMES
    if field == "loyalty_redemption_id":
        return UUIDS
    if field == "currency":
        return CURRENCIES
    if field == "type":
        return KINDS
    if field == "phone":
        return PHONES
    if field == "items":
        return [[], None, "x", *([line] for line in LINES), [LINES[0]] * 1001]
    return TEXT


def _fields(topic: str) -> list[str]:
    return sorted(contract_schemas()[f"{topic}.json"]["properties"])


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    topic = draw(st.sampled_from(INBOUND))
    document = dict(example_of(topic))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(_fields(topic)))
        if draw(st.booleans()) and field in document:
            del document[field]
        else:
            document[field] = draw(st.sampled_from(_pool(field)))
    return topic, document


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00{value}\x00"
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


def _raw(document: dict[str, Any]) -> bytes:
    """The message's bytes, each ``Decimal`` written as a JSON number exactly as given."""
    text = json.dumps(_marked(document), ensure_ascii=False)
    return re.sub(r'"\\u0000([^"\\]*)\\u0000"', r"\1", text).encode()


def _parser_accepts(topic: str, raw: bytes) -> bool:
    outcome = parse_intake(EventKind(topic), raw)
    # Lines adding up to the total is a rule over several fields, not a schema's business;
    # nor is whether a text is a valid phone number, card number or e-mail address.
    return not isinstance(outcome, Rejection) or outcome.code in BEYOND_A_SCHEMA


@settings(max_examples=300, deadline=None)
@given(near_valid())
@example(("sale.completed", {**example_of("sale.completed"), "total_amount": "abc"}))
@example(("sale.completed", {**example_of("sale.completed"), "total_amount": "-5"}))
@example(("sale.completed", {**example_of("sale.completed"), "occurred_at": "2026-06-01T12:00:00"}))
@example(("customer.updated", {**example_of("customer.updated"), "type": "deleted"}))
@example(("customer.updated", {**example_of("customer.updated"), "customer_id": None}))
@example(("customer.updated", {**example_of("customer.updated"), "card_number": " "}))
def test_the_schema_accepts_a_near_valid_message_exactly_when_the_parser_does(
    case: tuple[str, dict[str, Any]],
) -> None:
    topic, document = case
    raw = _raw(document)

    assert schema_accepts(topic, raw) == _parser_accepts(topic, raw), raw


@pytest.mark.parametrize(
    ("field", "token"),
    [
        ("total_amount", "-0"),  # JSON Schema compares numbers by value: -0 is 0
        ("total_amount", "0.00001"),  # multipleOf 0.0001 fails on floats in most validators
        ("occurred_at", '"2000-01-01T00:30:00+01:00"'),  # the range is UTC: the offset decides
    ],
)
def test_the_known_gaps_are_only_ever_the_schema_accepting_what_the_parser_refuses(
    field: str, token: str
) -> None:
    document = {**example_of("sale.completed"), "items": None, field: "__X__"}
    raw = json.dumps(document).replace('"__X__"', token).encode()

    assert schema_accepts("sale.completed", raw)
    assert not _parser_accepts("sale.completed", raw)


@pytest.mark.parametrize("topic", sorted(CATALOGUE))
def test_each_contract_s_example_passes_its_schema_and_the_parser(topic: str) -> None:
    document = example_of(topic)

    assert validator_for(topic).is_valid(document)
    if topic in INBOUND:
        assert not isinstance(
            parse_intake(EventKind(topic), json.dumps(document).encode()), Rejection
        )
