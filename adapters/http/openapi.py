"""What SDK generators read in the OpenAPI document: operation ids, tags, links, problem codes."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from adapters.http.openapi_examples import add_examples
from adapters.http.problem_codes import PROBLEM_CODES

# Route function name -> operation id: stable names generated clients call methods by.
OPERATION_IDS = {
    "read_programme": "readProgramme",
    "set_programme": "setProgramme",
    "enrol": "enrolCustomer",
    "find_account": "findAccountByCustomer",
    "read_account": "readAccount",
    "suspend": "suspendAccount",
    "reactivate": "reactivateAccount",
    "close": "closeAccount",
    "preview": "previewRedemption",
    "redeem": "redeemPoints",
    "read_redemption": "readRedemption",
    "capture": "captureRedemption",
    "cancel": "cancelRedemption",
    "transactions": "listTransactions",
    "adjust": "adjustAccount",
    "list_rewards": "listRewards",
    "read_reward": "readReward",
    "set_reward": "setReward",
    "retire_reward": "retireReward",
    "preview_reward": "previewReward",
    "preview_stamp_card": "previewStampCard",
    "redeem_reward": "redeemReward",
    "redeem_stamp_card": "redeemStampCard",
    "account_of_code": "findAccountByReferralCode",
    "list_devices": "listDevices",
    "pair": "pairDevice",
    "revoke": "revokeDevice",
    "set_pin": "setStaffPin",
    "expiring": "reportExpiring",
    "referrals": "reportReferrals",
    "movements": "reportMovements",
    "levels": "reportLevels",
    "healthz": "checkLiveness",
    "readyz": "checkReadiness",
    "metrics": "scrapeMetrics",
}


def operation_id(route: APIRoute) -> str:
    """The readable id of ``route``; a route not listed gets its name in camelCase."""
    head, *rest = route.name.split("_")
    return OPERATION_IDS.get(route.name, head + "".join(part.title() for part in rest))


TAGS: list[dict[str, Any]] = [
    {"name": "programme", "description": "The business's loyalty programme: rates and rules."},
    {"name": "accounts", "description": "Enrol customers, find, suspend, reactivate, close."},
    {
        "name": "redemptions",
        "description": "Spend points at the till: preview, redeem now or hold, capture, cancel.",
    },
    {"name": "history", "description": "An account's ledger entries and manual adjustments."},
    {"name": "rewards", "description": "The reward catalogue, reward and stamp card redemptions."},
    {"name": "devices", "description": "Paired POS tablets and staff PINs (admin)."},
    {"name": "reports", "description": "Expiring points, referrals, movements and levels."},
    {"name": "operations", "description": "Liveness, readiness and Prometheus metrics."},
]

ACCOUNT_ID = "$response.body#/account_id"
REDEMPTION_ID = "$response.body#/redemption_id"

# Where an answer's ids lead: generated clients and schemathesis' stateful phase follow these.
_LINKS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("enrolCustomer", "201"): {
        "ReadAccount": ("readAccount", "account_id", ACCOUNT_ID),
        "PreviewRedemption": ("previewRedemption", "account_id", ACCOUNT_ID),
        "RedeemPoints": ("redeemPoints", "account_id", ACCOUNT_ID),
        "ListTransactions": ("listTransactions", "account_id", ACCOUNT_ID),
        "AdjustAccount": ("adjustAccount", "account_id", ACCOUNT_ID),
        "SuspendAccount": ("suspendAccount", "account_id", ACCOUNT_ID),
    },
    ("adjustAccount", "201"): {
        "RedeemAfterAdjustment": ("redeemPoints", "account_id", "$request.path.account_id"),
    },
    ("redeemPoints", "201"): {
        "ReadRedemption": ("readRedemption", "redemption_id", REDEMPTION_ID),
        "CaptureRedemption": ("captureRedemption", "redemption_id", REDEMPTION_ID),
        "CancelRedemption": ("cancelRedemption", "redemption_id", REDEMPTION_ID),
    },
}


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _add_links(document: dict[str, Any]) -> None:
    operations = _operations(document)
    for (source, status), links in _LINKS.items():
        if source not in operations:
            continue
        response = operations[source]["responses"][status]
        response["links"] = {
            name: {"operationId": target, "parameters": {parameter: expression}}
            for name, (target, parameter, expression) in links.items()
            if target in operations
        }


def _problem_code_enum(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    problem["properties"]["code"]["enum"] = sorted(PROBLEM_CODES)


CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
"""URL-safe base64 without padding: every cursor the API makes, and all it can decode."""


def _cursor_pattern(document: dict[str, Any]) -> None:
    # The routes bound a cursor's length; its alphabet is said here, for every page operation.
    for operation in _operations(document).values():
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("name") == "cursor":
                for schema in parameter["schema"].get("anyOf", [parameter["schema"]]):
                    if schema.get("type") == "string":
                        schema["pattern"] = CURSOR_PATTERN


_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def is_camel_case(name: str) -> bool:
    return bool(_CAMEL.match(name))


def finish_document(document: dict[str, Any]) -> dict[str, Any]:
    """Tags, links, the problem code enum and examples on the generated document."""
    document["tags"] = TAGS
    _add_links(document)
    _problem_code_enum(document)
    _cursor_pattern(document)
    add_examples(document)
    return document
