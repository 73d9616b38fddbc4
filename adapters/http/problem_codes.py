"""Every `code` a problem answer of the API can carry: what clients may switch on."""

from __future__ import annotations

from domain import closure, devices, erasure, errors, merges, redeem_limits, referrals, rewards
from domain.redemption import BlockReason

# Codes the HTTP edge itself answers with (auth, validation, cursors, handlers, health).
EDGE_CODES = frozenset(
    {
        "authentication_required",
        "invalid_token",
        "token_expired",
        "device_revoked",
        "insufficient_role",
        "staff_id_missing",
        "device_tokens_unavailable",
        "devices_unavailable",
        "body_too_large",
        "idempotency_key_missing",
        "validation_failed",
        "invalid_cursor",
        "malformed_request",
        "method_not_allowed",
        "http_error",
        "internal_error",
        "not_ready",
        "not_alive",
        "invalid_webhook",
        "webhooks_unavailable",
    }
)

# Raised by use cases the adapter may not import (import-linter); the enum test walks them.
USE_CASE_CODES = frozenset({"device_not_found"})

_DOMAIN_MODULES = (closure, devices, erasure, errors, merges, redeem_limits, referrals, rewards)


def _subclasses(kind: type[errors.LoyaltyError]) -> set[type[errors.LoyaltyError]]:
    found = set(kind.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def domain_codes() -> frozenset[str]:
    """The class codes of every domain error, and every reason a redemption can be blocked."""
    assert _DOMAIN_MODULES  # imported so that their error classes are registered
    classes = _subclasses(errors.LoyaltyError) - {errors.RedemptionBlocked}
    return frozenset(kind.code for kind in classes) | {reason.value for reason in BlockReason}


PROBLEM_CODES = EDGE_CODES | USE_CASE_CODES | domain_codes()
