"""customer.updated: parsing at the edge, the rules of what changes, and applying on fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.kafka.customer_events import INVALID_IDENTIFIER
from adapters.kafka.parsing import Rejection, parse_intake
from domain.customer_updates import KEEP, CustomerUpdate, identifier_changes, is_older
from domain.events import EventKind
from domain.identifiers import Identifier, IdentifierKind
from domain.ledger import EntryKind
from domain.outcomes import Outcome, SkipReason
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, account_id_of
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

KIND = EventKind.CUSTOMER_UPDATED
PHONE = Identifier(IdentifierKind.PHONE, "+447911123456")
OTHER_PHONE = Identifier(IdentifierKind.PHONE, "+447911654321")
CARD = Identifier(IdentifierKind.CARD, "12345678")
EMAIL = Identifier(IdentifierKind.EMAIL, "ann@example.com")
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def message(event_id: str = "u-1", minutes: int = 0, **fields: Any) -> dict[str, Any]:
    moment = (T0 + timedelta(minutes=minutes)).isoformat()
    base = {"event_id": event_id, "occurred_at": moment, "business_id": BUSINESS}
    return {**base, "customer_id": "c1", "type": "updated", **fields}


def parse(document: dict[str, Any]) -> CustomerUpdate | Rejection:
    outcome = parse_intake(KIND, json.dumps(document).encode())
    assert isinstance(outcome, CustomerUpdate | Rejection)
    return outcome


def update(**fields: Any) -> CustomerUpdate:
    parsed = parse(message(**fields))
    assert isinstance(parsed, CustomerUpdate), parsed
    return parsed


def test_a_field_left_out_is_kept_and_one_sent_as_null_is_removed() -> None:
    parsed = update(name="Ann", phone="07911 123456", email=None)

    assert parsed.name == "Ann"
    assert dict(parsed.identifiers) == {IdentifierKind.PHONE: PHONE, IdentifierKind.EMAIL: None}
    assert update().name is KEEP and update().identifiers == ()
    assert update(name=None).name is None


def test_left_out_and_null_are_different_payloads_and_formatting_is_not() -> None:
    left_out, null = update(), update(name=None)
    spaced = parse_intake(KIND, json.dumps(message(name=None), indent=2).encode())

    assert left_out.payload_hash != null.payload_hash
    assert isinstance(spaced, CustomerUpdate) and spaced.payload_hash == null.payload_hash


def test_the_same_phone_typed_two_ways_is_one_identifier_though_another_payload() -> None:
    assert update(phone="07911 123456").payload_hash != update(phone="+447911123456").payload_hash
    assert dict(update(phone="07911 123456").identifiers) == dict(
        update(phone="+447911123456").identifiers
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12"), ("phone", "not a phone"), ("card_number", "12ab"), ("email", "ann")],
)
def test_an_identifier_that_is_not_one_is_dead_lettered_without_its_value(
    field: str, value: str
) -> None:
    outcome = parse({**message(), field: value})

    assert isinstance(outcome, Rejection) and outcome.code == INVALID_IDENTIFIER
    assert outcome.detail.startswith(f"{field}: ") and value not in outcome.detail


@pytest.mark.parametrize(
    "broken",
    [{"type": "deleted"}, {"customer_id": None}, {"customer_id": " "}, {"name": ""}],
)
def test_a_malformed_update_is_a_schema_violation(broken: dict[str, Any]) -> None:
    outcome = parse({**message(), **broken})

    assert isinstance(outcome, Rejection) and outcome.code == "schema_violation"


_values: st.SearchStrategy[Any] = (
    st.none() | st.text(max_size=30) | st.integers() | st.booleans() | st.just([])
)
_fields = st.sampled_from(
    ["event_id", "occurred_at", "customer_id", "type", "name", "phone", "email", "card_number"]
)


@given(st.dictionaries(_fields, _values, max_size=4), st.lists(_fields, max_size=2))
def test_any_update_a_producer_could_send_parses_to_an_update_or_a_rejection(
    replaced: dict[str, Any], dropped: list[str]
) -> None:
    document = {**message(name="Ann", phone="+447911123456"), **replaced}
    for name in dropped:
        document.pop(name, None)

    outcome = parse(document)

    if isinstance(outcome, Rejection):
        assert outcome.code in {"schema_violation", INVALID_IDENTIFIER}
    else:
        assert outcome.customer_id and outcome.created == (document["type"] == "created")
        assert all(v is None or v.kind is k for k, v in outcome.identifiers)


_identifiers = st.sampled_from([PHONE, OTHER_PHONE, CARD, EMAIL])
_named = st.dictionaries(
    st.sampled_from(list(IdentifierKind)),
    st.none() | st.sampled_from([PHONE, OTHER_PHONE, CARD, EMAIL]),
).map(lambda named: {k: v for k, v in named.items() if v is None or v.kind is k})


@given(st.sets(_identifiers), _named)
def test_after_an_update_each_named_kind_holds_exactly_its_value_and_the_rest_is_untouched(
    held: set[Identifier], named: dict[IdentifierKind, Identifier | None]
) -> None:
    change = identifier_changes(
        CustomerUpdate(KIND, "u", "h", BUSINESS, "c1", T0, False, KEEP, tuple(named.items())),
        held,
    )
    after = (held - set(change.remove)) | set(change.add)

    for kind in IdentifierKind:
        of_kind = {i for i in after if i.kind is kind}
        if kind in named:
            assert of_kind == ({named[kind]} if named[kind] is not None else set())
        else:
            assert of_kind == {i for i in held if i.kind is kind}
    assert not set(change.add) & held and set(change.remove) <= held


def test_only_an_update_older_than_the_last_one_applied_is_older() -> None:
    at_t0 = update()

    assert not is_older(at_t0, None)
    assert not is_older(at_t0, T0)  # the same instant: the later arrival wins
    assert is_older(at_t0, T0 + timedelta(microseconds=1))


def shop(*customers: str) -> FakeUnitOfWorkFactory:
    store = FakeStore(programmes={BUSINESS: make_programme()})
    store.accounts = {(a.business_id, a.account_id): a for a in map(account, customers)}
    return FakeUnitOfWorkFactory(store)


async def test_on_fakes_an_update_applies_once_and_an_older_one_after_it_changes_nothing() -> None:
    uows = shop("c1")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    newer = update(event_id="u-2", minutes=5, name="Ann", phone="+447911123456")
    older = update(event_id="u-1", minutes=1, name="Old", phone=None)

    first = await apply([newer, newer])
    second = await apply([older, newer])

    assert first.outcome_of(newer) == Outcome.applied() and first.duplicates == [newer]
    assert second.outcome_of(older) == Outcome.skipped(SkipReason.OLDER_THAN_LAST_UPDATE)
    assert second.duplicates == [newer]
    c1 = (BUSINESS, account_id_of("c1"))
    assert uows.store.profiles[c1] == "Ann"
    assert uows.store.identifiers == {(BUSINESS, PHONE): account_id_of("c1")}
    assert uows.store.entries == []  # no ledger entry: no account was opened


async def test_on_fakes_a_created_customer_gets_an_account_opened_by_card_created() -> None:
    uows = shop()
    created = update(type="created", customer_id="c9", card_number="1234 5678")

    changes = await ApplyEventBatch(uows, FakeClock(RECORDED_AT))([created])

    assert changes.outcome_of(created) == Outcome.applied()
    assert [e.kind for e in uows.store.entries] == [EntryKind.CARD_CREATED]
    assert uows.store.entries[0].occurred_at == T0
    assert list(uows.store.identifiers) == [(BUSINESS, CARD)]


async def test_on_fakes_an_identifier_another_account_holds_dead_letters_the_whole_update() -> None:
    uows = shop("c1", "c2")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    await apply([update(event_id="u-1", customer_id="c2", phone="+447911123456")])
    taking = update(event_id="u-2", minutes=1, name="Ann", phone="+447911123456")

    changes = await apply([taking])

    assert [(e, reason.split(":")[0]) for e, reason in changes.failed] == [
        (taking, "identifier_taken")
    ]
    assert changes.outcome_of(taking) is None
    assert (BUSINESS, account_id_of("c1")) not in uows.store.profiles


async def test_on_fakes_an_event_id_reused_with_another_payload_is_a_conflict() -> None:
    uows = shop("c1")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    await apply([update(event_id="u-1", name="Ann")])
    reused = update(event_id="u-1", minutes=1, name="Mallory", phone="+447911123456")

    changes = await apply([reused])

    assert changes.conflicts == [reused] and changes.inbox == []
    assert uows.store.profiles[(BUSINESS, account_id_of("c1"))] == "Ann"
    assert uows.store.identifiers == {}


async def test_on_fakes_an_update_for_a_customer_merged_away_lands_on_the_survivor() -> None:
    uows = shop("c1", "c2")
    uows.store.forwards[(BUSINESS, "c2")] = account_id_of("c1")
    moved = update(customer_id="c2", phone="+447911123456")

    changes = await ApplyEventBatch(uows, FakeClock(RECORDED_AT))([moved])

    assert changes.outcome_of(moved) == Outcome.applied()
    assert uows.store.identifiers == {(BUSINESS, PHONE): account_id_of("c1")}
