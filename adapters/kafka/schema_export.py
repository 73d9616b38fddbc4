"""The message contracts as files: a JSON Schema per topic and an AsyncAPI 3.0 document.

The committed copies in ``deploy/contracts`` are checked against the models by a unit test;
after changing a contract, regenerate them with ``python -m adapters.kafka.schema_export``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.parsing import CONTRACTS
from domain.ledger import EntryKind

LEDGER_TOPIC = "loyalty.ledger"
ASYNCAPI_FILE = "asyncapi.json"
DEFAULT_DIRECTORY = Path("deploy/contracts")  # relative to the repository root
# The contracts' own version, bumped when a message changes, not with every release.
CONTRACTS_VERSION = "1.3.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class _Topic:
    name: str
    model: type[BaseModel]
    action: Literal["receive", "send"]

    @property
    def file_name(self) -> str:
        return f"{self.name}.json"

    @property
    def channel_id(self) -> str:
        first, *rest = re.split(r"[^A-Za-z0-9]+", self.name)
        return first + "".join(word.capitalize() for word in rest)

    def schema(self) -> dict[str, Any]:
        # What we accept from upstream is described as validated (money as number or
        # string); what we publish, as serialised (money as a decimal string).
        mode: JsonSchemaMode = "validation" if self.action == "receive" else "serialization"
        return {"$schema": JSON_SCHEMA_DIALECT, **self.model.model_json_schema(mode=mode)}


TOPICS = (
    *(_Topic(kind.value, model, "receive") for kind, model in CONTRACTS.items()),
    _Topic(LEDGER_TOPIC, LedgerEntryPublished, "send"),
)


def contract_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every message, keyed by its file name (the topic's default name)."""
    return {topic.file_name: topic.schema() for topic in TOPICS}


def _message(topic: _Topic) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": topic.model.__name__,
        "summary": (topic.model.__doc__ or "").strip().splitlines()[0].replace("``", ""),
        "contentType": "application/json",
        "payload": {"$ref": f"./{topic.file_name}"},
    }
    if topic.name == LEDGER_TOPIC:
        message["headers"] = {
            "type": "object",
            "properties": {
                "content-type": {"const": "application/json"},
                "x-entry-kind": {"enum": [kind.value for kind in EntryKind]},
            },
        }
        message["bindings"] = {
            "kafka": {
                "key": {"type": "string", "format": "uuid", "description": "The account id."},
                "bindingVersion": "0.5.0",
            }
        }
    return message


def asyncapi_document() -> dict[str, Any]:
    """An AsyncAPI 3.0 document: the inbound topics and the ledger topic."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        name, channel = topic.model.__name__, topic.channel_id
        messages[name] = _message(topic)
        channels[channel] = {
            "address": topic.name,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[topic.action + channel[0].upper() + channel[1:]] = {
            "action": topic.action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Loyalty points service",
            "version": CONTRACTS_VERSION,
            "description": (
                "Earns and reverses loyalty points from sales and bill events, and publishes "
                "every ledger entry. Topic names are the defaults; each is configurable. "
                "Unparseable or invalid messages go to '<topic>.dlq'."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def contract_files() -> dict[str, str]:
    """Every contract file's name and exact text, as ``write_contract_schemas`` writes them."""
    documents = {**contract_schemas(), ASYNCAPI_FILE: asyncapi_document()}
    return {name: _render(document) for name, document in documents.items()}


def write_contract_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in contract_files().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    for path in write_contract_schemas(target):
        print(path)
