"""Backward compatibility of a contract's JSON Schema with its last released copy.

``widens(narrow, wide)`` lists why ``narrow`` might accept a document that ``wide`` refuses,
over the JSON Schema subset the exported contracts use (types, anyOf, enum/const, object
properties and required, arrays, string patterns and lengths, number bounds, ``$ref`` to
``$defs``). It is conservative: what it cannot prove compatible it reports.

Direction per topic: producers upstream write what we receive, so an inbound schema may only
widen (everything the old one accepted, the new one accepts); consumers downstream read what
we send, so the ledger's schema may only narrow (every document it now allows, the old one
allowed: no field removed, no type widened, no enum value added, nothing made optional).
"""

from __future__ import annotations

from typing import Any

_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "format"}
_NUMERIC = {"integer", "number"}


def breaking_changes(old: dict[str, Any], new: dict[str, Any], direction: str) -> list[str]:
    """Why ``new`` breaks those relying on ``old``: none means a minor version is enough."""
    if direction == "receive":
        return widens(old, new, old, new)
    return widens(new, old, new, old)


def widens(
    a: Any, b: Any, a_root: dict[str, Any], b_root: dict[str, Any], at: str = "$"
) -> list[str]:
    """Why ``a`` might accept a document ``b`` refuses (empty: ``a`` is within ``b``)."""
    a, b = _resolve(a, a_root), _resolve(b, b_root)
    if a == b and _resolve_all(a, a_root) == _resolve_all(b, b_root):
        return []
    if b is True or a is False or (isinstance(b, dict) and set(b) <= _ANNOTATIONS):
        return []  # b allows anything (annotations constrain nothing)
    if a is True or a == {}:
        return [f"{at}: anything was allowed, now constrained"]
    if "anyOf" in a:
        rest = {k: v for k, v in a.items() if k != "anyOf"}
        if rest and not widens(rest, b, a_root, b_root, at):
            return []
        branches = [_merge(rest, _resolve(x, a_root)) for x in a["anyOf"]]
        return [p for x in branches for p in widens(x, b, a_root, b_root, at)]
    if "anyOf" in b:
        rest = {k: v for k, v in b.items() if k != "anyOf"}
        problems = widens(a, rest, a_root, b_root, at) if rest else []
        if any(
            not widens(a, _merge(rest, _resolve(x, b_root)), a_root, b_root, at) for x in b["anyOf"]
        ):
            return problems
        return [*problems, f"{at}: not within any of the allowed alternatives"]
    return [
        *_types(a, b, at),
        *_values(a, b, at),
        *_strings(a, b, at),
        *_numbers(a, b, at),
        *_objects(a, b, a_root, b_root, at),
        *_arrays(a, b, a_root, b_root, at),
        *_unknown(a, b, at),
    ]


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are compared: {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **target}
    return schema


def _merge(base: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """``base`` and one ``anyOf`` branch as one schema (their properties and required joined)."""
    merged = {**base, **branch}
    if "properties" in base and "properties" in branch:
        merged["properties"] = {**base["properties"], **branch["properties"]}
    merged["required"] = [*base.get("required", ()), *branch.get("required", ())]
    return merged


def _resolve_all(schema: Any, root: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        return {k: _resolve_all(v, root) for k, v in _resolve(schema, root).items()}
    if isinstance(schema, list):
        return [_resolve_all(v, root) for v in schema]
    return schema


def _type_set(schema: dict[str, Any]) -> set[str] | None:
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        return {_json_type(v) for v in values}
    kind = schema.get("type")
    return None if kind is None else ({kind} if isinstance(kind, str) else set(kind))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names[type(value)]


def _types(a: dict[str, Any], b: dict[str, Any], at: str) -> list[str]:
    a_types, b_types = _type_set(a), _type_set(b)
    if b_types is None:
        return []
    if a_types is None:
        return [f"{at}: any type was allowed, now {sorted(b_types)}"]
    extra = {t for t in a_types if not (t in b_types or (t == "integer" and "number" in b_types))}
    return [f"{at}: type {sorted(extra)} no longer allowed"] if extra else []


def _values(a: dict[str, Any], b: dict[str, Any], at: str) -> list[str]:
    if "enum" not in b and "const" not in b:
        return []
    allowed = [b["const"]] if "const" in b else b["enum"]
    if "enum" not in a and "const" not in a:
        return [f"{at}: any value was allowed, now only {allowed}"]
    values = [a["const"]] if "const" in a else a["enum"]
    lost = [v for v in values if v not in allowed]
    if lost and a.get("x-open-enum") is True:
        # An open enum (only on what we send) tells consumers to skip values they do not
        # know, so a value added breaks none of them.
        return []
    return [f"{at}: values {lost} no longer allowed"] if lost else []


def _bound(a: dict[str, Any], b: dict[str, Any], key: str, at: str, lower: bool) -> list[str]:
    if key not in b:
        return []
    if key not in a or (a[key] < b[key] if lower else a[key] > b[key]):
        return [f"{at}: {key} {a.get(key)} -> {b[key]}"]
    return []


def _strings(a: dict[str, Any], b: dict[str, Any], at: str) -> list[str]:
    problems = [*_bound(a, b, "minLength", at, True), *_bound(a, b, "maxLength", at, False)]
    if "pattern" in b and a.get("pattern") != b["pattern"]:
        problems.append(f"{at}: pattern changed (cannot prove the new one accepts as much)")
    return problems


def _numbers(a: dict[str, Any], b: dict[str, Any], at: str) -> list[str]:
    problems = [*_bound(a, b, "minimum", at, True), *_bound(a, b, "maximum", at, False)]
    for key, lower in (("exclusiveMinimum", True), ("exclusiveMaximum", False)):
        inclusive = "minimum" if lower else "maximum"
        if key in b and key not in a and inclusive in a:
            if (a[inclusive] <= b[key]) if lower else (a[inclusive] >= b[key]):
                problems.append(f"{at}: {key} {b[key]} now excludes {a[inclusive]}")
        else:
            problems += _bound(a, b, key, at, lower)
    if "multipleOf" in b and a.get("multipleOf") != b["multipleOf"]:
        problems.append(f"{at}: multipleOf changed")
    return problems


def _objects(
    a: dict[str, Any], b: dict[str, Any], a_root: dict[str, Any], b_root: dict[str, Any], at: str
) -> list[str]:
    problems = [
        f"{at}: {n} is now required"
        for n in b.get("required", ())
        if n not in a.get("required", ())
    ]
    a_props, b_props = a.get("properties", {}), b.get("properties", {})
    for name, b_prop in b_props.items():
        a_prop = a_props.get(name, a.get("additionalProperties", True))
        problems += widens(a_prop, b_prop, a_root, b_root, f"{at}.{name}")
    if b.get("additionalProperties", True) is not True:
        for name, a_prop in a_props.items():
            if name not in b_props:
                problems += widens(
                    a_prop, b["additionalProperties"], a_root, b_root, f"{at}.{name}"
                )
        if a.get("additionalProperties", True) is True:
            problems.append(f"{at}: other fields are no longer allowed")
    return problems


def _arrays(
    a: dict[str, Any], b: dict[str, Any], a_root: dict[str, Any], b_root: dict[str, Any], at: str
) -> list[str]:
    problems = [*_bound(a, b, "minItems", at, True), *_bound(a, b, "maxItems", at, False)]
    if "items" in b:
        problems += widens(a.get("items", True), b["items"], a_root, b_root, f"{at}[]")
    return problems


_KNOWN = {
    *_ANNOTATIONS,
    *("type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum"),
    *("exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "required"),
    *("additionalProperties", "items", "minItems", "maxItems", "anyOf", "$ref", "$defs"),
    *("$schema", "$id", "x-contract-version", "x-open-enum", "not"),
}


def _unknown(a: dict[str, Any], b: dict[str, Any], at: str) -> list[str]:
    """A keyword this checker does not compare is reported unless both sides say the same."""
    return [
        f"{at}: {key} changed (not compared by this checker)"
        for key in sorted(set(b) - _KNOWN)
        if a.get(key) != b[key]
    ] + ([f"{at}: `not` changed"] if b.get("not", a.get("not")) != a.get("not") else [])
