"""Who is calling, checked per request: the token's role, a paired tablet still paired (one
registry read per request, no cache, so a revocation is seen at once by every API process),
and the staff member a tablet names with ``X-Staff-Id`` and ``X-Staff-Pin``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from uuid import UUID

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.http.auth import (
    AUTH_STATE_KEY,
    AuthSettings,
    Principal,
    Role,
    mint_token,
    unauthenticated,
    verify_token,
)
from adapters.http.problems import ProblemError
from ports.devices import DeviceOperations

DEVICES_STATE_KEY = "devices"
STAFF_ID_HEADER = "X-Staff-Id"
STAFF_PIN_HEADER = "X-Staff-Pin"
DEVICE_TOKEN_TTL_SECONDS = 365 * 24 * 3600


_bearer = HTTPBearer(auto_error=False, description="A JWT with sub, business_id and role.")


def _settings(request: Request) -> AuthSettings:
    settings = getattr(request.app.state, AUTH_STATE_KEY, None)
    if not isinstance(settings, AuthSettings):
        raise RuntimeError("the HTTP app was built without AuthSettings")
    return settings


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, when its role is one of ``roles``."""
    allowed = frozenset(roles)

    async def principal(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(_bearer),
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise unauthenticated("authentication_required", "Please sign in to continue.")
        caller = verify_token(credentials.credentials, _settings(request))
        if caller.device_id is not None:
            await _device_still_paired(request, caller)
        if request.headers.get(STAFF_PIN_HEADER) is not None:
            caller = await _with_staff(request, caller)
        if caller.role not in allowed:
            needed = " or ".join(sorted(role.value for role in allowed))
            raise ProblemError(
                403,
                "insufficient_role",
                f"Your role ({caller.role.value}) cannot do this; ask a {needed}.",
            )
        return caller

    return principal


def _devices(request: Request) -> DeviceOperations | None:
    found: DeviceOperations | None = getattr(request.app.state, DEVICES_STATE_KEY, None)
    return found


async def _device_still_paired(request: Request, caller: Principal) -> None:
    """One registry read per request, uncached: revoking is seen at once everywhere."""
    devices = _devices(request)
    assert caller.device_id is not None
    if devices is None or not await devices.is_active(caller.business_id, caller.device_id):
        raise unauthenticated(
            "device_revoked",
            "This tablet is no longer paired with the shop; ask an admin to pair it again.",
            'Bearer error="invalid_token"',
        )


async def _with_staff(request: Request, caller: Principal) -> Principal:
    staff_id = request.headers.get(STAFF_ID_HEADER, "").strip()
    pin = request.headers.get(STAFF_PIN_HEADER, "")
    if not staff_id or len(staff_id) > 128:
        raise ProblemError(
            422, "staff_id_missing", f"Send {STAFF_ID_HEADER} with {STAFF_PIN_HEADER}."
        )
    devices = _devices(request)
    if devices is None:
        raise ProblemError(403, "staff_pin_invalid", "Staff PINs are not checked here.")
    staff = await devices.staff_by_pin(caller.business_id, staff_id, pin)
    return replace(caller, staff_id=staff)


def device_token_settings(request: Request) -> AuthSettings:
    """The settings a tablet token is signed with: the service's own HS256 secret (a service
    that only holds a public key cannot issue tokens: 409 before anything is paired)."""
    settings = _settings(request)
    if settings.hs256_secret is None or settings.rs256_public_key is not None:
        raise ProblemError(
            409,
            "device_tokens_unavailable",
            "This service checks tokens with a public key and cannot issue tablet tokens.",
        )
    return settings


def mint_device_token(
    settings: AuthSettings,
    *,
    business_id: str,
    device_id: UUID,
    paired_by: str,
    store_id: str | None,
    terminal_id: str | None,
) -> str:
    """A cashier token for a paired tablet; it lives as long as the service accepts (a
    tablet is revoked, rather than waiting for its token to expire)."""
    assert settings.hs256_secret is not None
    ttl = min(DEVICE_TOKEN_TTL_SECONDS, settings.max_lifetime_seconds or DEVICE_TOKEN_TTL_SECONDS)
    return mint_token(
        settings.hs256_secret,
        business_id,
        Role.CASHIER,
        subject=paired_by,
        terminal_id=terminal_id,
        store_id=store_id,
        ttl_seconds=ttl,
        audience=settings.audience,
        issuer=settings.issuer,
        device_id=device_id,
    )
