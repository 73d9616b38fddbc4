"""The OpenAPI document as SDK generators read it: ids, tags, examples, links, problem codes."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from adapters.http.openapi import is_camel_case
from adapters.http.problem_codes import domain_codes

from .conftest import two_shops
from .openapi_app import full_app

pytestmark = pytest.mark.unit

HTTP_ADAPTER = Path(__file__).parents[3] / "adapters" / "http"
PROBLEM_MAKERS = {"ProblemError", "problem_response", "unauthenticated", "_answer"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    made: dict[str, Any] = full_app(two_shops()).openapi()
    return made


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values()]


def test_every_operation_id_is_camel_case_and_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for op in operations(document)]
    assert [i for i in ids if not is_camel_case(i)] == []
    assert len(ids) == len(set(ids))


def test_every_tag_used_is_declared_with_a_description(document: dict[str, Any]) -> None:
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}
    used = {tag for op in operations(document) for tag in op["tags"]}
    assert used <= described


def _codes_in_source() -> set[str]:
    """String codes the edge passes to a problem maker, or lists as an HTTP error's code."""
    found: set[str] = set()
    for path in HTTP_ADAPTER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                args = [a for a in node.args if isinstance(a, ast.Constant)]
                if name in PROBLEM_MAKERS and args and isinstance(args[-1].value, str):
                    texts = [a.value for a in args if isinstance(a.value, str)]
                    found.add(texts[0] if name != "_answer" else texts[1])
            # handlers.py's _HTTP_ERRORS: (code, detail) pairs.
            first = node.elts[0] if isinstance(node, ast.Tuple) and len(node.elts) == 2 else None
            code = first.value if isinstance(first, ast.Constant) else None
            if path.name == "handlers.py" and isinstance(code, str) and code.isidentifier():
                found.add(code)
    return found


def test_the_problem_code_enum_is_every_code_the_domain_and_the_handlers_emit(
    document: dict[str, Any],
) -> None:
    import service.use_cases

    for module in pkgutil.iter_modules(service.use_cases.__path__, "service.use_cases."):
        importlib.import_module(module.name)  # every error class a use case defines
    enum = set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    assert enum == domain_codes() | _codes_in_source() | {"http_error"}


def _examples(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    found = []
    for op in operations(document):
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            found.append((f"{op['operationId']} request", body["schema"], body.get("example")))
        for status, response in op["responses"].items():
            for media, typed in response.get("content", {}).items():
                if "json" in media and "schema" in typed:
                    label = f"{op['operationId']} {status}"
                    found.append((label, typed["schema"], typed.get("example")))
    return found


def test_every_request_and_response_example_is_there_and_valid_against_its_schema(
    document: dict[str, Any],
) -> None:
    components = document["components"]["schemas"]
    wrong = []
    for label, schema, example in _examples(document):
        # #/components/... refs resolve inside a schema the components are copied into.
        resolvable = {**schema, "components": {"schemas": components}}
        errors = list(Draft202012Validator(resolvable).iter_errors(example))
        if example is None and schema != {}:
            wrong.append(f"{label}: no example")
        elif errors:
            wrong.append(f"{label}: {errors[0].message}")
    assert wrong == []


def test_links_lead_from_enrolment_to_the_account_and_from_a_redemption_to_capture_and_cancel(
    document: dict[str, Any],
) -> None:
    by_id = {op["operationId"]: op for op in operations(document)}
    enrolled = by_id["enrolCustomer"]["responses"]["201"]["links"]
    redeemed = by_id["redeemPoints"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in enrolled.values()} >= {
        "readAccount",
        "previewRedemption",
        "redeemPoints",
    }
    assert {link["operationId"] for link in redeemed.values()} >= {
        "captureRedemption",
        "cancelRedemption",
    }
    for link in (*enrolled.values(), *redeemed.values()):
        assert link["operationId"] in by_id


PYDANTIC_ONLY_KEYS = {"gt", "ge", "lt", "le", "multiple_of", "strict", "max_digits"}


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {key for value in node.values() for key in _keys(value)}
    if isinstance(node, list):
        return {key for value in node for key in _keys(value)}
    return set()


def test_every_bound_is_written_as_json_schema_so_clients_see_it(
    document: dict[str, Any],
) -> None:
    assert _keys(document["components"]) & PYDANTIC_ONLY_KEYS == set()
    points = document["components"]["schemas"]["RedemptionIn"]["properties"]["points"]
    assert (points["exclusiveMinimum"], points["maximum"]) == (0, 1_000_000_000)


def test_every_page_cursor_is_documented_as_url_safe_base64(document: dict[str, Any]) -> None:
    cursors = [
        option
        for op in operations(document)
        for parameter in op.get("parameters", [])
        if parameter["name"] == "cursor"
        for option in parameter["schema"].get("anyOf", [parameter["schema"]])
        if option.get("type") == "string"
    ]
    assert len(cursors) >= 5
    assert {option["pattern"] for option in cursors} == {"^[A-Za-z0-9_-]+$"}
