"""The compatibility gate: each contract against its last released copy, and the checker."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.kafka.contract_catalogue import CONTRACTS
from adapters.kafka.contract_check import breaking_changes
from adapters.kafka.schema_export import render, schema

pytestmark = pytest.mark.unit

RELEASED = Path(__file__).resolve().parents[2] / "deploy" / "contracts" / "released"


def _semver(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.stem.split("."))


def _releases(topic: str) -> list[Path]:
    return sorted((RELEASED / topic).glob("*.json"), key=_semver)


@pytest.mark.parametrize("topic", sorted(CONTRACTS))
def test_the_current_version_of_each_contract_is_released_exactly_as_exported(topic: str) -> None:
    copy_ = RELEASED / topic / f"{CONTRACTS[topic].version}.json"

    assert copy_.is_file(), f"release it: python -m adapters.kafka.schema_export ({copy_})"
    assert copy_.read_text() == render(schema(topic)), (
        f"{topic} changed but kept version {CONTRACTS[topic].version}: bump it in"
        " adapters/kafka/contract_catalogue.py (a released contract never changes)"
    )


@pytest.mark.parametrize("topic", sorted(CONTRACTS))
def test_no_contract_breaks_its_last_release_unless_its_major_version_moved(topic: str) -> None:
    current = CONTRACTS[topic]
    older = [p for p in _releases(topic) if _semver(p) < _semver(Path(current.version + ".json"))]
    if not older:
        return
    last = json.loads(older[-1].read_text())
    if current.major > _semver(older[-1])[0]:
        return

    assert breaking_changes(last, schema(topic), current.direction) == []


def _sale() -> dict[str, Any]:
    return copy.deepcopy(schema("sale.completed"))


def _ledger() -> dict[str, Any]:
    return copy.deepcopy(schema("loyalty.ledger"))


def test_a_schema_compared_with_itself_has_no_breaking_change() -> None:
    for topic in CONTRACTS:
        assert breaking_changes(schema(topic), schema(topic), CONTRACTS[topic].direction) == []


def test_an_inbound_contract_that_requires_a_new_field_breaks_producers() -> None:
    new = _sale()
    new["required"].append("store_id")

    assert breaking_changes(_sale(), new, "receive") == ["$: store_id is now required"]


def test_an_inbound_contract_that_narrows_money_or_drops_a_type_breaks_producers() -> None:
    new = _sale()
    new["properties"]["total_amount"]["anyOf"].pop(0)  # no JSON numbers any more
    new["properties"]["customer_id"] = {"type": "string"}  # null no longer allowed

    problems = breaking_changes(_sale(), new, "receive")

    assert any("total_amount" in p for p in problems)
    assert any("customer_id" in p for p in problems)


def test_an_inbound_contract_may_widen_and_drop_a_required_field() -> None:
    new = _sale()
    new["required"].remove("currency")
    new["properties"]["store_id"] = {}

    assert breaking_changes(_sale(), new, "receive") == []


def test_an_outbound_contract_that_removes_a_field_or_adds_an_enum_value_breaks_consumers() -> None:
    new = _ledger()
    del new["properties"]["points"]
    new["required"].remove("points")
    sources = new["$defs"]["Source"]["enum"]
    sources.append("brand_new_source")

    problems = breaking_changes(_ledger(), new, "send")

    assert any("points" in p for p in problems)
    assert any("brand_new_source" in p for p in problems)


def test_an_outbound_contract_may_add_a_value_to_an_open_enum_but_not_to_a_closed_one() -> None:
    new = _ledger()
    new["$defs"]["EntryKind"]["enum"].append("brand_new_kind")  # kind is x-open-enum
    closed = _ledger()
    closed["properties"]["kind"].pop("x-open-enum")
    closed_and_grown = copy.deepcopy(closed)
    closed_and_grown["$defs"]["EntryKind"]["enum"].append("brand_new_kind")

    assert breaking_changes(_ledger(), new, "send") == []
    assert any("brand_new_kind" in p for p in breaking_changes(closed, closed_and_grown, "send"))


def test_an_outbound_contract_may_add_a_field() -> None:
    new = _ledger()
    new["properties"]["campaign_id"] = {"type": "string"}

    assert breaking_changes(_ledger(), new, "send") == []
