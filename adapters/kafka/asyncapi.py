"""The AsyncAPI 3.0 document: servers, every topic with its Kafka bindings (key, partitions,
group), the dead-letter topics with their headers, and an example per message."""

from __future__ import annotations

import re
from typing import Any

from adapters.kafka.contract_catalogue import CONTRACTS, LEDGER_TOPIC, Contract
from adapters.kafka.dead_letters import REDRIVE_COUNT
from domain.ledger import EntryKind

BINDING = "0.5.0"
PARTITIONS = 3  # LOYALTY_TOPIC_PARTITIONS' default, what `loyalty dev` creates
GROUP_ID = "loyalty-points"  # LOYALTY_CONSUMER_GROUP's default
DLQ_CODES = [
    "empty_message",
    "invalid_utf8",
    "invalid_json",
    "schema_violation",
    "unparseable",
    "items_do_not_add_up",
    "invalid_identifier",
    "event_id_reused",
    "processing_failed",
]
_TEXT = {"type": "string"}
DLQ_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["x-dlq-reason", "x-dlq-code", "x-dlq-at", "x-origin-topic"],
    "properties": {
        "x-dlq-reason": {**_TEXT, "description": "`<code>: <detail>`, at most 4000 characters."},
        "x-dlq-code": {"enum": DLQ_CODES, "description": "Why the message was refused."},
        "x-dlq-at": {**_TEXT, "format": "date-time", "description": "When, ISO 8601 in UTC."},
        "x-origin-topic": {**_TEXT, "description": "The topic the message was read from."},
        "x-origin-partition": {**_TEXT, "pattern": "^[0-9]+$"},
        "x-origin-offset": {**_TEXT, "pattern": "^[0-9]+$"},
        "x-origin-timestamp": {**_TEXT, "description": "The record's timestamp, ms since 1970."},
        REDRIVE_COUNT: {
            **_TEXT,
            "pattern": "^[0-9]+$",
            "description": "Times `loyalty dlq redrive` sent it back; kept on a new dead"
            " letter so a letter cannot loop for ever.",
        },
    },
}


def channel_id(topic: str) -> str:
    first, *rest = re.split(r"[^A-Za-z0-9]+", topic)
    return first + "".join(word.capitalize() for word in rest)


def _key(contract: Contract, uuid: bool) -> dict[str, Any]:
    key: dict[str, Any] = {"type": "string", "description": contract.key}
    return {"kafka": {"key": {**key, "format": "uuid"} if uuid else key, "bindingVersion": BINDING}}


def _message(topic: str, model_name: str, summary: str, example: dict[str, Any]) -> dict[str, Any]:
    contract = CONTRACTS[topic]
    message: dict[str, Any] = {
        "name": model_name,
        "title": f"{topic} {contract.version}",
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": f"./{topic}.json"},
        "bindings": _key(contract, uuid=topic == LEDGER_TOPIC),
        "examples": [{"name": "example", "payload": example}],
    }
    if topic == LEDGER_TOPIC:
        message["headers"] = {
            "type": "object",
            "properties": {
                "content-type": {"const": "application/json"},
                "x-entry-kind": {"enum": [kind.value for kind in EntryKind]},
            },
        }
    return message


def _dead_letter(topic: str) -> dict[str, Any]:
    return {
        "name": f"{channel_id(topic)}DeadLetter",
        "title": f"{topic}.dlq",
        "summary": f"A {topic} message the service refused: its bytes and key unchanged.",
        "payload": {"description": "The original value, byte for byte (it may not be JSON)."},
        "headers": DLQ_HEADERS,
        "bindings": {
            "kafka": {"key": {"description": "The original key."}, "bindingVersion": BINDING}
        },
        "examples": [
            {
                "name": "refused",
                "headers": {
                    "x-dlq-reason": "invalid_json: Expecting value: line 1 column 1 (char 0)",
                    "x-dlq-code": "invalid_json",
                    "x-dlq-at": "2026-06-01T12:00:01.000000+00:00",
                    "x-origin-topic": topic,
                    "x-origin-partition": "0",
                    "x-origin-offset": "41",
                    "x-origin-timestamp": "1780315200000",
                },
            }
        ],
    }


def _channel(address: str, message_name: str) -> dict[str, Any]:
    return {
        "address": address,
        "messages": {message_name: {"$ref": f"#/components/messages/{message_name}"}},
        "bindings": {
            "kafka": {"topic": address, "partitions": PARTITIONS, "bindingVersion": BINDING}
        },
    }


def _operation(action: str, channel: str, message_name: str, group: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{message_name}"}],
    }
    if group:
        group_id = {"type": "string", "enum": [GROUP_ID], "description": "LOYALTY_CONSUMER_GROUP"}
        operation["bindings"] = {"kafka": {"groupId": group_id, "bindingVersion": BINDING}}
    return operation


SERVERS = {
    "dev": {
        "host": "127.0.0.1:9092",
        "protocol": "kafka",
        "description": "The embedded broker `loyalty dev` starts (plaintext, no auth).",
    },
    "production": {
        "host": "{bootstrap}",
        "protocol": "kafka-secure",
        "description": "Your cluster, as LOYALTY_KAFKA_BOOTSTRAP_SERVERS names it (TLS/SASL"
        " per the LOYALTY_KAFKA_* settings).",
        "variables": {"bootstrap": {"default": "kafka.example.internal:9093"}},
    },
}


def asyncapi_document(messages: dict[str, tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """``messages``: per topic, its model name, summary and example payload."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for topic, (name, summary, example) in messages.items():
        contract, channel = CONTRACTS[topic], channel_id(topic)
        components[name] = _message(topic, name, summary, example)
        channels[channel] = _channel(topic, name)
        verb = contract.direction
        receive = verb == "receive"
        operations[verb + channel[0].upper() + channel[1:]] = _operation(
            verb, channel, name, receive
        )
        if receive:
            letter = _dead_letter(topic)
            components[letter["name"]] = letter
            channels[channel + "Dlq"] = _channel(f"{topic}.dlq", letter["name"])
            operations[f"send{channel[0].upper()}{channel[1:]}Dlq"] = _operation(
                "send", channel + "Dlq", letter["name"], group=False
            )
    versions = ", ".join(f"{t} {c.version}" for t, c in CONTRACTS.items())
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Loyalty points service",
            "version": max((c.version for c in CONTRACTS.values()), key=_semver),
            "description": (
                "Earns and reverses loyalty points from sales and bill events, and publishes "
                "every ledger entry. Topic names are the defaults; each is configurable. "
                "Unparseable or invalid messages go to '<topic>.dlq'. Each message has its own "
                f"semantic version ({versions}); this document's version is the highest."
            ),
        },
        "servers": SERVERS,
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": components},
    }


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
