"""``LOYALTY_PHONE_REGION``: a phone number without a country code is read in the service's
region, the same at the till, in a sale naming a phone and in customer.updated; GB when unset,
and a region no phone numbers are known for is refused at start."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from adapters.kafka.parsing import parse_intake
from domain.customer_updates import CustomerUpdate
from domain.events import EventKind, PurchaseCompleted
from domain.identifiers import phone
from service.entrypoints.settings import Settings
from tests.support.events import encode, sale
from tests.unit.http.conftest import SHOP, a_programme, bearer, two_shops

pytestmark = pytest.mark.unit

BERLIN_MOBILE = "0151 23456789"  # national format: valid in DE, not in GB


def test_a_sale_naming_a_national_number_is_read_in_the_region_given() -> None:
    raw = encode(sale("shop", None, "10", customer_phone=BERLIN_MOBILE))

    in_germany = parse_intake(EventKind.SALE_COMPLETED, raw, "DE")
    by_default = parse_intake(EventKind.SALE_COMPLETED, raw)

    assert isinstance(in_germany, PurchaseCompleted)
    assert in_germany.identifiers == (phone("+4915123456789"),)
    assert isinstance(by_default, PurchaseCompleted)
    assert by_default.identifiers == ()  # not a GB number: ignored, the sale goes on
    assert in_germany.payload_hash == by_default.payload_hash


def test_customer_updated_reads_its_phone_in_the_region_given() -> None:
    document = {
        "event_id": "u-1",
        "occurred_at": "2026-06-01T12:00:00Z",
        "business_id": "shop",
        "customer_id": "ann",
        "type": "updated",
        "phone": BERLIN_MOBILE,
    }
    update = parse_intake(EventKind.CUSTOMER_UPDATED, json.dumps(document).encode(), "DE")

    assert isinstance(update, CustomerUpdate)
    assert [value for _, value in update.identifiers] == [phone("+4915123456789")]


async def test_the_till_reads_national_numbers_in_the_service_region() -> None:
    shop = two_shops()
    shop.store.programmes[SHOP] = a_programme(inline_enrolment=True)
    transport = httpx.ASGITransport(app=shop.app(phone_region="DE"))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        enrolled = await client.post(
            "/v1/accounts", json={"phone": BERLIN_MOBILE}, headers=bearer()
        )
        found = await client.get(
            "/v1/accounts", params={"phone": "+49 151 23456789"}, headers=bearer()
        )

    assert enrolled.status_code == 201, enrolled.text
    assert found.json()["account_id"] == enrolled.json()["account_id"]
    assert found.json()["identifiers"] == [{"kind": "phone", "value": "+4915123456789"}]


def test_the_setting_defaults_to_gb_and_refuses_a_region_without_phone_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOYALTY_PHONE_REGION", raising=False)
    assert Settings(_env_file=None).phone_region == "GB"  # type: ignore[call-arg]
    monkeypatch.setenv("LOYALTY_PHONE_REGION", "DE")
    assert Settings(_env_file=None).phone_region == "DE"  # type: ignore[call-arg]
    monkeypatch.setenv("LOYALTY_PHONE_REGION", "XX")
    with pytest.raises(ValidationError, match="not a region"):
        Settings(_env_file=None)  # type: ignore[call-arg]
