"""positive_data_acceptance, made exactly as strict as the API can be: what the document calls
valid must pass validation, while a refusal the document cannot foresee stays allowed.

Schemathesis' own check accepts the statuses below (400, 404, 409 and 422 included: a stale
cursor, an unknown id, a closed account or too few points answer valid requests). The check
here then fails any valid request answered with a validation code, so the document never
promises what the edge refuses. Excluded precisely, because JSON Schema cannot say them:
- ``invalid_cursor``: a page cursor only the API makes (its pattern is documented, its number
  is not guessable);
- ``validation_failed`` on ``setProgramme`` whose every error is a ``value_error`` (a model
  validator's, run after the schema): the programme's terms check (decimal settings are strings
  whose numeric ranges the schema does not bound; a multiplier window's end after its start)
  and the levels' (names unique, thresholds strictly rising);
- every domain code (``too_few_points``, ``account_suspended``, ``window_order`` ...): they
  depend on the state or on an order between two fields.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case

ACCEPTED_STATUSES = ["2XX", 400, 401, 403, 404, 409, 422]

# Codes meaning "this request is not what the document describes".
VALIDATION_CODES = frozenset(
    {"validation_failed", "malformed_request", "idempotency_key_missing", "body_too_large"}
)


def every_check(schema: Any) -> None:
    """Every check on, positive_data_acceptance with the statuses above."""
    schema.config.checks.update(excluded_check_names=[])
    schema.config.checks.positive_data_acceptance.expected_statuses = [
        str(status) for status in ACCEPTED_STATUSES
    ]


@schemathesis.check
def valid_data_is_never_refused_as_invalid(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        code = None
    if code in VALIDATION_CODES and not _terms_check(case, response):
        raise AssertionError(
            f"A schema-valid request was refused as invalid: {response.status_code} {code}: "
            f"{response.text[:500]}"
        )
    return None


# Operations whose body gets a whole-body check after the schema (see the module docstring).
TERMS_CHECKED = frozenset({"setProgramme"})


def _terms_check(case: Case[Any], response: Any) -> bool:
    if case.operation.definition.raw.get("operationId") not in TERMS_CHECKED:
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(error.get("type") == "value_error" for error in errors)
