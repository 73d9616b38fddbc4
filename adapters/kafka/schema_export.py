"""The message contracts as files: a JSON Schema per topic and an AsyncAPI 3.0 document.

The committed copies in ``deploy/contracts`` are checked against the models by a unit test;
after changing a contract, bump its version in ``contract_catalogue`` and regenerate them with
``python -m adapters.kafka.schema_export`` (which also releases the new version: a copy in
``deploy/contracts/released/<topic>/<version>.json`` that the compatibility gate compares with).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from adapters.kafka import asyncapi
from adapters.kafka.contract_catalogue import CONTRACTS as CATALOGUE
from adapters.kafka.contract_catalogue import LEDGER_TOPIC, schema_id
from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.parsing import INTAKE_CONTRACTS
from domain.ledger import Bucket, EntryKind, Source

ASYNCAPI_FILE = "asyncapi.json"
RELEASED = "released"
DEFAULT_DIRECTORY = Path("deploy/contracts")  # relative to the repository root
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MODELS: dict[str, type[BaseModel]] = {
    **{kind.value: model for kind, model in INTAKE_CONTRACTS.items()},
    LEDGER_TOPIC: LedgerEntryPublished,
}


def ledger_example() -> dict[str, Any]:
    """One earn entry as the relay publishes it (every field, money as decimal strings)."""
    at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    entry = LedgerEntryPublished(
        entry_id=UUID("0b9e6a3c-5a0f-4c7e-9a57-1f0d3c2b9e01"),
        business_id="shop-1",
        account_id=UUID("6f1c2d3e-4b5a-4978-8f6e-5d4c3b2a1f00"),
        customer_id="cust-42",
        seq=2,
        kind=EntryKind.EARN,
        points=259,
        balance_after=259,
        source=Source.SALE,
        source_ref="s-1",
        event_id="e-1",
        occurred_at=at,
        recorded_at=at,
        amount=Decimal("259.90"),
        currency="EUR",
        rule_version=1,
        earn_rate=Decimal(1),
        multiplier=Decimal(1),
        redemption_rate=Decimal(100),
        related_entry_id=None,
        store_id="store-7",
        terminal_id=None,
        staff_id=None,
        actor=None,
        description="Purchase s-1",
        bucket=Bucket.PURCHASE,
    )
    return entry.model_dump(mode="json")


def example(topic: str) -> dict[str, Any]:
    return ledger_example() if topic == LEDGER_TOPIC else CATALOGUE[topic].examples[0]


def schema(topic: str) -> dict[str, Any]:
    # What we accept from upstream is described as validated (money as number or
    # string); what we publish, as serialised (money as a decimal string).
    contract = CATALOGUE[topic]
    mode: JsonSchemaMode = "validation" if contract.direction == "receive" else "serialization"
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(topic, contract.version),
        **MODELS[topic].model_json_schema(mode=mode),
        "title": f"{topic} {contract.version}",
        "x-contract-version": contract.version,
        "examples": [example(topic)],
    }


def contract_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every message, keyed by its file name (the topic's default name)."""
    return {f"{topic}.json": schema(topic) for topic in MODELS}


def asyncapi_document() -> dict[str, Any]:
    """An AsyncAPI 3.0 document: the inbound topics, their dead letters and the ledger topic."""
    messages = {
        topic: (
            model.__name__,
            (model.__doc__ or "").strip().splitlines()[0].replace("``", ""),
            example(topic),
        )
        for topic, model in MODELS.items()
    }
    return asyncapi.asyncapi_document(messages)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def contract_files() -> dict[str, str]:
    """Every contract file's name and exact text, as ``write_contract_schemas`` writes them."""
    documents = {**contract_schemas(), ASYNCAPI_FILE: asyncapi_document()}
    return {name: render(document) for name, document in documents.items()}


def released_path(directory: Path, topic: str, version: str) -> Path:
    return directory / RELEASED / topic / f"{version}.json"


def write_contract_schemas(directory: Path, release: bool = False) -> list[Path]:
    """The current files; with ``release``, also each version's released copy not kept yet
    (an existing one is never rewritten: a released contract does not change)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in contract_files().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for topic, contract in CATALOGUE.items() if release else ():
        copy = released_path(directory, topic, contract.version)
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(render(schema(topic)), encoding="utf-8")
            written.append(copy)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    for path in write_contract_schemas(target, release=target == DEFAULT_DIRECTORY):
        print(path)
