"""Domain errors: each has a stable code a client can act on."""

from __future__ import annotations

from uuid import UUID


class LoyaltyError(Exception):
    code = "loyalty_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(LoyaltyError):
    code = "not_found"


class AccountNotFound(NotFound):
    code = "account_not_found"


class RedemptionNotFound(NotFound):
    code = "redemption_not_found"


class ProgrammeNotFound(NotFound):
    code = "programme_not_found"


class AlreadyEnrolled(LoyaltyError):
    code = "already_enrolled"

    def __init__(self, account_id: UUID, customer_id: str) -> None:
        super().__init__(f"customer {customer_id} is already enrolled")
        self.account_id = account_id


class InlineEnrolmentDisabled(LoyaltyError):
    code = "inline_enrolment_disabled"


class InvalidRequest(LoyaltyError):
    code = "invalid_request"


class RedemptionBlocked(LoyaltyError):
    """The redemption cannot go ahead; ``code`` says why (see BlockReason)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class RedemptionExpired(LoyaltyError):
    code = "redemption_expired"


class RedemptionNotHeld(LoyaltyError):
    code = "redemption_not_held"


class CancelNotAllowed(LoyaltyError):
    """A cashier may give back a captured redemption only at its till, shortly after."""

    code = "cancel_not_allowed"


class IdempotencyKeyReused(LoyaltyError):
    code = "idempotency_key_reused"


class ConcurrentUpdate(LoyaltyError):
    """Another change holds the account; the client should retry shortly."""

    code = "concurrent_update"
