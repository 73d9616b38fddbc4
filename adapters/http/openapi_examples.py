"""Request and response examples on every operation of the OpenAPI document.

The walk-through's bodies are written out; every other example is drawn from its schema
(its own `examples` first), so an example never says more than the schema does.
"""

from __future__ import annotations

from typing import Any

JSON = "application/json"
EXAMPLE_ID = "3f1b2c4d-5e6f-4a70-8b91-a2b3c4d5e6f7"
EXAMPLE_TIME = "2025-07-01T12:00:00Z"

# The README's walk-through: enrol, preview, redeem (held), a manual adjustment.
REQUEST_EXAMPLES: dict[str, Any] = {
    "enrolCustomer": {"customer_id": "cust-1001"},
    "previewRedemption": {"points": 500, "sale_amount": "42.00"},
    "redeemPoints": {"points": 500, "sale_amount": "42.00", "hold": True},
    "adjustAccount": {"points": 250, "reason": "Goodwill after a late delivery"},
    "setProgramme": {"earn_rate": "1", "redemption_rate": "100", "name": "Coffee points"},
    "suspendAccount": {"reason": "Card reported stolen"},
    "reactivateAccount": {"reason": "New card issued"},
    "closeAccount": {"reason": "Customer asked to leave the programme"},
    "setStaffPin": {"pin": "4821"},
    "pairDevice": {"name": "Front till", "store_id": "store-7", "terminal_id": "till-9"},
}

_TEXT_PATTERNS = {  # a value for each pattern the API's strings carry
    r"^\+?[0-9][0-9 ()\-.]{5,24}$": "+44 20 7946 0000",
}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string(schema: dict[str, Any]) -> str:
    if schema.get("format") == "uuid":
        return EXAMPLE_ID
    if schema.get("format") == "date-time":
        return EXAMPLE_TIME
    if schema.get("format") == "date":
        return EXAMPLE_TIME[:10]
    pattern = schema.get("pattern")
    if pattern in _TEXT_PATTERNS:
        return _TEXT_PATTERNS[pattern]
    if pattern and "[0-9]" in pattern and "a-z" not in pattern.lower():
        return "12.50"
    return "example"[: schema.get("maxLength", 7)].ljust(schema.get("minLength", 1), "x")


def _number(schema: dict[str, Any]) -> int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    return int(min(max(low, 100), schema.get("maximum", 100)))


def sample(schema: dict[str, Any], components: dict[str, Any], *, full: bool = True) -> Any:
    """A value valid against ``schema``: all properties when ``full``, else the required ones."""
    schema = _resolve(schema, components)
    for key in ("examples", "example", "const", "enum", "default"):
        if key in schema and key != "default":
            value = schema[key]
            return value[0] if key in ("examples", "enum") else value
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema and "properties" not in schema:
            choices = [c for c in schema[key] if _resolve(c, components).get("type") != "null"]
            return sample(choices[0], components, full=full)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        wanted = schema.get("properties", {})
        if not full:
            wanted = {k: v for k, v in wanted.items() if k in schema.get("required", ())}
        return {name: sample(prop, components, full=full) for name, prop in wanted.items()}
    if kind == "array":
        return [sample(schema.get("items", {}), components, full=full)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "boolean":
        return True
    return None


def add_examples(document: dict[str, Any]) -> None:
    components = document.get("components", {}).get("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            body = operation.get("requestBody", {}).get("content", {}).get(JSON)
            if body is not None and "example" not in body:
                written = REQUEST_EXAMPLES.get(operation["operationId"])
                made = sample(body["schema"], components, full=False)
                body["example"] = written if written is not None else made
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                for media, typed in content.items():
                    if "example" in typed or "schema" not in typed:
                        continue
                    if media == JSON or (media.endswith("+json") and status.startswith(("4", "5"))):
                        typed["example"] = sample(typed["schema"], components)
