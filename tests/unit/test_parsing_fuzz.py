"""No record stops a partition: parsing answers an event or a rejection for any input at all.

The inputs are any bytes, and any JSON a producer could send: every field of a valid
message replaced by valid and invalid times, decimals and strings (all of unicode, NUL,
lone surrogates escaped in JSON, huge text), nested junk and wrong types. An accepted event
keeps every promise the contract makes, and a message within the contract is accepted.
Line items are fuzzed the same way, field by field inside a line.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, model_validator

from adapters.kafka.contracts import MONEY_PATTERN, RFC3339
from adapters.kafka.parsing import CONTRACTS, Rejection, parse_event, read_batch
from domain.batch_state import BatchChanges
from domain.events import (
    EARLIEST_OCCURRED_AT,
    LATEST_OCCURRED_AT,
    EventKind,
    InboundEvent,
    PurchaseCompleted,
)
from ports.intake import ReadBatch
from service.use_cases.replay import replay_topic
from tests.support.events import (
    bill,
    bill_refund,
    customer_return,
    encode,
    item,
    returned,
    sale,
    sale_cancelled,
)
from tests.support.hostile_inputs import Hostile, hostile_records

pytestmark = pytest.mark.unit

CODES = {
    "empty_message",
    "invalid_utf8",
    "invalid_json",
    "schema_violation",
    "items_do_not_add_up",
    "unparseable",
}
HOSTILE = hostile_records("shop-1", "ann")
TEMPLATES: dict[EventKind, dict[str, Any]] = {  # made once: generation must be repeatable
    EventKind.SALE_COMPLETED: sale(
        "shop-1", "ann", "12.50", items=[item("a", "10", category="c"), item("b", "2.50")]
    ),
    EventKind.CUSTOMER_RETURN_CREATED: customer_return(
        "shop-1", "sale-1", "2.50", items=[returned("a", quantity="1"), returned("b", amount="1")]
    ),
    EventKind.BILL_PAID: bill("shop-1", "ann", "30", items=[item("dish", "30", quantity="2")]),
    EventKind.BILL_REFUNDED: bill_refund("shop-1", "bill-1", "5.5"),
    EventKind.SALE_CANCELLED: sale_cancelled("shop-1", "sale-1", customer_id="ann"),
}
ITEM_FIELDS = sorted({*item("a", "1"), "category", "discount"})
FIELDS = sorted({name for model in CONTRACTS.values() for name in model.model_fields})
kinds = st.sampled_from(list(CONTRACTS))  # the ledger's (tests/unit/test_customer_updates.py)


def outcome_of(kind: EventKind, raw: bytes | None) -> InboundEvent | Rejection:
    """Parse, and check the outcome keeps the contract: a rejection a dead letter can carry,
    or an event whose every value the database and the date arithmetic can hold."""
    outcome = parse_event(kind, raw)
    if isinstance(outcome, Rejection):
        assert outcome.code in CODES
        assert outcome.detail and len(outcome.detail) <= 500
        outcome.detail.encode("utf-8")  # it becomes a header of the dead letter
        return outcome
    instant = outcome.occurred_at.astimezone(UTC)
    assert EARLIEST_OCCURRED_AT <= instant < LATEST_OCCURRED_AT
    assert outcome.amount.is_finite() and not outcome.amount.is_signed()
    assert outcome.amount <= 10**9 and outcome.amount == outcome.amount.quantize(Decimal("0.0001"))
    texts = [outcome.event_id, outcome.business_id, outcome.reference, outcome.currency]
    attribution = outcome.attribution
    skus = [i.sku for i in outcome.items]
    categories = (
        [i.category for i in outcome.items] if isinstance(outcome, PurchaseCompleted) else []
    )
    for text in [*texts, outcome.customer_id, *attribution.__dict__.values(), *skus, *categories]:
        if text is not None:
            assert 1 <= len(text) <= 200 and text.encode("utf-8")
            assert not any(ord(c) < 0x20 or c == "\x7f" for c in text)
    if isinstance(outcome, PurchaseCompleted):
        for line in outcome.items:
            assert 0 < line.quantity <= 10**9
            for money in (line.quantity, line.unit_price, line.discount, line.amount):
                assert money.is_finite() and not money.is_signed() and money <= 10**9
                assert money == money.quantize(Decimal("0.0001"))
        if outcome.items:
            assert sum(line.amount for line in outcome.items) == outcome.amount
    else:
        for back in outcome.items:
            assert (back.quantity is None) != (back.amount is None)
            assert back.quantity is None or back.quantity > 0
    return outcome


# Raw JSON text for one value: what json.dumps writes, and what it never would.
json_strings = st.text(st.characters(codec=None), max_size=40).map(json.dumps)
unescaped_strings = st.text(st.characters(codec=None), max_size=40).map(
    lambda s: json.dumps(s, ensure_ascii=False)  # raw surrogates: not UTF-8 once encoded
)
number_tokens = (
    st.integers().map(str)
    | st.decimals().map(str)  # "NaN", "sNaN", "Infinity", "-0", "1E+400", ...
    | st.floats().map(repr)
    | st.sampled_from(["-0", "-0.0", "1e400", "1E+999999999", "1e-999999999", "NaN", "-Infinity"])
)
moment_texts = (
    st.from_regex(RFC3339, fullmatch=True)  # any digits in the right places, months 99 too
    | st.builds(
        lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
        st.datetimes(),
        st.integers(min_value=-1439, max_value=1439),
    ).map(datetime.isoformat)
    | st.datetimes().map(datetime.isoformat)  # no offset
    | st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"])
)
decimal_texts = (
    st.from_regex(MONEY_PATTERN, fullmatch=True)
    | st.decimals().map(str)
    | st.from_regex(r"[-+ ]?[0-9_.eE١٢]{0,14}", fullmatch=True)
)
scalars = (
    st.sampled_from(["null", "true", "false"])
    | number_tokens
    | json_strings
    | unescaped_strings
    | moment_texts.map(json.dumps)
    | decimal_texts.map(json.dumps)
    | st.integers(min_value=1, max_value=100_000).map(lambda n: json.dumps("x" * n))
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
        | st.dictionaries(json_strings, inner, max_size=4).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
        )
    ),
    max_leaves=12,
)

# Each kind of value as likely as the rest, whichever field it lands in.
field_values = st.one_of(
    moment_texts.map(json.dumps), decimal_texts.map(json.dumps), number_tokens, scalars, json_values
)


@st.composite
def item_lists(draw: st.DrawFn, lines: list[dict[str, Any]]) -> str:
    """The template's lines as raw JSON, with fields inside one line replaced or dropped."""
    texts = [{name: json.dumps(value) for name, value in line.items()} for line in lines]
    target = texts[draw(st.integers(0, len(texts) - 1))]
    for name in draw(st.lists(st.sampled_from(ITEM_FIELDS), min_size=1, max_size=3)):
        target[name] = draw(field_values)
    for name in draw(st.lists(st.sampled_from(sorted(target)), max_size=1)):
        target.pop(name, None)
    objects = ["{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in t.items()) + "}" for t in texts]
    return "[" + ", ".join(objects) + "]"


@st.composite
def producer_messages(draw: st.DrawFn) -> tuple[EventKind, bytes]:
    """A valid message of some kind with fields replaced, dropped or added, as bytes."""
    kind = draw(kinds)
    fields = {name: json.dumps(value) for name, value in TEMPLATES[kind].items()}
    for name in draw(st.lists(st.sampled_from(FIELDS) | json_strings.map(json.loads), max_size=4)):
        fields[name] = draw(field_values)
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2)):
        fields.pop(name, None)
    if "items" in TEMPLATES[kind] and draw(st.booleans()):
        fields["items"] = draw(item_lists(TEMPLATES[kind]["items"]))
    text = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"
    raw = text.encode("utf-8", "surrogatepass")
    cut = draw(st.none() | st.integers(min_value=0, max_value=len(raw)))
    return kind, raw if cut is None else raw[:cut]


@given(kinds, st.binary(max_size=2_000))
@example(EventKind.SALE_COMPLETED, b"\xff")
@example(EventKind.BILL_PAID, b"[" * 100_000)
def test_any_bytes_parse_to_an_event_or_a_rejection(kind: EventKind, raw: bytes) -> None:
    outcome_of(kind, raw)


@settings(max_examples=500)
@given(producer_messages())
def test_any_json_a_producer_could_send_parses_to_an_event_or_a_rejection(
    message: tuple[EventKind, bytes],
) -> None:
    outcome_of(*message)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_every_known_hostile_record_is_rejected_with_its_code(hostile: Hostile) -> None:
    outcome = outcome_of(EventKind.SALE_COMPLETED, hostile.raw)

    assert isinstance(outcome, Rejection), f"{hostile.name} was accepted"
    assert outcome.code == hostile.code, outcome


@st.composite
def valid_messages(draw: st.DrawFn) -> tuple[EventKind, dict[str, Any], datetime, Decimal]:
    """Messages inside the contract: any instant in range at any offset, any money value."""
    kind = draw(kinds)
    instant = draw(
        st.datetimes(
            min_value=EARLIEST_OCCURRED_AT.replace(tzinfo=None),
            max_value=LATEST_OCCURRED_AT.replace(tzinfo=None) - timedelta(microseconds=1),
            timezones=st.just(UTC),
        )
    )
    offset = timezone(timedelta(minutes=draw(st.integers(min_value=-1439, max_value=1439))))
    amount = draw(st.decimals(min_value=0, max_value=10**9, places=4))
    as_text = draw(st.booleans())
    payload = dict(TEMPLATES[kind])
    money_field = next((f for f in ("total_amount", "amount", "refund_amount") if f in payload), "")
    payload["occurred_at"] = instant.astimezone(offset).isoformat()
    if not money_field:  # a cancellation: its amount is the sale's rest, resolved when applied
        return kind, payload, instant, Decimal(0)
    # A JSON number is spliced in as text after encoding, so it is written exactly.
    payload[money_field] = format(amount, "f") if as_text else "__money__"
    if kind in (EventKind.SALE_COMPLETED, EventKind.BILL_PAID):  # one line of the whole total
        payload["items"] = [{**item("a", "1"), "amount": payload[money_field]}]
    return kind, payload, instant, amount


@given(valid_messages())
def test_every_message_inside_the_contract_is_accepted_exactly(
    message: tuple[EventKind, dict[str, Any], datetime, Decimal],
) -> None:
    kind, payload, instant, amount = message
    raw = json.dumps(payload).replace('"__money__"', format(amount, "f")).encode()

    event = outcome_of(kind, raw)

    assert not isinstance(event, Rejection), event
    assert event.occurred_at == instant
    assert event.amount == amount


class _Exploding(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def explode(cls, data: object) -> object:
        raise ZeroDivisionError("a gap nobody foresaw")


def test_an_unforeseen_error_while_parsing_is_a_rejection_that_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(CONTRACTS, EventKind.SALE_COMPLETED, _Exploding)

    outcome = parse_event(EventKind.SALE_COMPLETED, b"{}")

    assert outcome == Rejection("unparseable", "ZeroDivisionError: a gap nobody foresaw")


async def test_a_replay_counts_every_hostile_record_as_a_dead_letter_and_applies_the_rest() -> None:
    goods = [sale("shop-1", "ann", "1.00") for _ in HOSTILE]
    raws = [raw for h, g in zip(HOSTILE, goods, strict=True) for raw in (h.raw, encode(g))]
    applied: list[str] = []

    async def apply(events: list[InboundEvent]) -> BatchChanges:
        applied.extend(e.event_id for e in events)
        return BatchChanges()

    async def batches() -> AsyncIterator[ReadBatch]:
        yield read_batch(EventKind.SALE_COMPLETED, raws)

    summary = await replay_topic(batches(), None, apply, dry_run=False)  # type: ignore[arg-type]

    assert summary.dead_lettered == len(HOSTILE)
    assert summary.events == 2 * len(HOSTILE)
    assert applied == [g["event_id"] for g in goods]
