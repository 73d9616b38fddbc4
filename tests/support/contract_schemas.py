"""The exported JSON Schemas as an upstream team's validator reads them: patterns in
ECMA-262 (``regress``, as check-jsonschema and ajv), numbers read exactly (``Decimal``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import regress
from jsonschema import Draft202012Validator, ValidationError, validators

from adapters.kafka.schema_export import contract_schemas


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and _regex(pattern).find(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern, "u")


EcmaValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def validator_for(topic: str) -> Any:
    return EcmaValidator(contract_schemas()[f"{topic}.json"])


def schema_accepts(topic: str, raw: bytes) -> bool:
    try:
        document = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return False
    return bool(validator_for(topic).is_valid(document))
