"""Bearer JWT authentication (PyJWT): who is calling, for which business (roles and paired
tablets are checked per request in ``adapters.http.callers``)."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from adapters.http.problems import ProblemError

AUTH_STATE_KEY = "auth_settings"


class Role(enum.StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    ADMIN = "admin"


ALL_ROLES = (Role.CASHIER, Role.MANAGER, Role.ADMIN)


class VerifiedTokens:
    """Tokens whose signature and claims were checked, with the window they are valid in.

    A till sends the same token for hours; checking its signature on every request was a
    sixteenth of the redeem API's CPU. A remembered token is still refused outside its
    ``nbf``..``exp`` window (the full check then says why), and the memory is bounded.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._entries: dict[str, tuple[Principal, float, float]] = {}

    def get(self, token: str, leeway: float) -> Principal | None:
        found = self._entries.get(token)
        if found is None:
            return None
        principal, not_before, expires = found
        if not (not_before - leeway <= time.time() <= expires + leeway):
            del self._entries[token]
            return None
        return principal

    def remember(self, token: str, principal: Principal, claims: dict[str, Any]) -> None:
        if len(self._entries) >= self._capacity:
            self._entries.clear()
        not_before = float(claims.get("nbf", float("-inf")))
        self._entries[token] = (principal, not_before, float(claims["exp"]))


@dataclass(frozen=True)
class AuthSettings:
    """HS256 with a shared secret by default; RS256 only when a public key is configured."""

    hs256_secret: str | None = None
    rs256_public_key: str | None = None
    audience: str | None = None
    issuer: str | None = None
    max_lifetime_seconds: int | None = None
    """When set, a token must carry ``iat`` and ``exp - iat`` may not exceed this: a leaked
    token is then useful for a bounded time whatever lifetime its issuer gave it."""
    leeway_seconds: int = 30
    verified: VerifiedTokens = field(default_factory=VerifiedTokens, compare=False)

    def __post_init__(self) -> None:
        if not (self.hs256_secret or self.rs256_public_key):
            raise ValueError("configure an HS256 secret or an RS256 public key")
        if self.max_lifetime_seconds is not None and self.max_lifetime_seconds <= 0:
            raise ValueError("max_lifetime_seconds must be positive")

    @property
    def required_claims(self) -> list[str]:
        optional = (
            ("aud", self.audience),
            ("iss", self.issuer),
            ("iat", self.max_lifetime_seconds),
        )
        return ["exp", "sub", *(claim for claim, setting in optional if setting is not None)]

    @property
    def algorithm(self) -> str:
        return "RS256" if self.rs256_public_key else "HS256"

    @property
    def key(self) -> str:
        return self.rs256_public_key or self.hs256_secret or ""


@dataclass(frozen=True)
class Principal:
    actor: str
    business_id: str
    role: Role
    store_id: str | None = None
    terminal_id: str | None = None
    device_id: UUID | None = None
    """The paired tablet the token was issued to; ``actor`` is then the admin who paired it."""
    staff_id: str | None = None


def unauthenticated(code: str, detail: str, bearer: str = "Bearer") -> ProblemError:
    return ProblemError(401, code, detail, headers={"WWW-Authenticate": bearer})


def _optional_text(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or (isinstance(value, str) and value):
        return value
    raise ValueError(name)


def _principal(claims: dict[str, Any]) -> Principal:
    actor, business_id = claims.get("sub"), claims.get("business_id")
    if not (isinstance(actor, str) and actor and isinstance(business_id, str) and business_id):
        raise ValueError("sub and business_id must be non-empty strings")
    return Principal(
        actor=actor,
        business_id=business_id,
        role=Role(str(claims.get("role"))),
        store_id=_optional_text(claims, "store_id"),
        terminal_id=_optional_text(claims, "terminal_id"),
        device_id=_device_id(claims),
        staff_id=_optional_text(claims, "staff"),
    )


def _device_id(claims: dict[str, Any]) -> UUID | None:
    value = _optional_text(claims, "device_id")
    return None if value is None else UUID(value)


def _within_lifetime(claims: dict[str, Any], max_lifetime_seconds: int | None) -> None:
    if max_lifetime_seconds is None:
        return
    lifetime = float(claims["exp"]) - float(claims["iat"])
    if lifetime > max_lifetime_seconds:
        raise ValueError(f"the token lives {lifetime:.0f} s, over {max_lifetime_seconds} s")


def verify_token(token: str, settings: AuthSettings) -> Principal:
    """The principal a token names; only the configured algorithm is accepted."""
    remembered = settings.verified.get(token, settings.leeway_seconds)
    if remembered is not None:
        return remembered
    invalid = 'Bearer error="invalid_token"'
    try:
        claims = jwt.decode(
            token,
            settings.key,
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway_seconds,
            options={"require": settings.required_claims},
        )
        _within_lifetime(claims, settings.max_lifetime_seconds)
        principal = _principal(claims)
        settings.verified.remember(token, principal, claims)
        return principal
    except jwt.ExpiredSignatureError as error:
        raise unauthenticated(
            "token_expired", "Your session has expired. Please sign in again.", invalid
        ) from error
    except (jwt.PyJWTError, ValueError) as error:
        raise unauthenticated(
            "invalid_token", "Your sign-in is not valid. Please sign in again.", invalid
        ) from error


def mint_token(
    secret: str,
    business_id: str,
    role: Role | str,
    subject: str,
    terminal_id: str | None = None,
    store_id: str | None = None,
    ttl_seconds: int = 8 * 3600,
    *,
    audience: str | None = None,
    issuer: str | None = None,
    device_id: UUID | None = None,
    staff: str | None = None,
) -> str:
    """An HS256 token (with ``aud``, ``iss``, ``device_id`` and ``staff`` when given)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "business_id": business_id,
        "role": Role(role).value,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
    }
    if terminal_id is not None:
        claims["terminal_id"] = terminal_id
    if store_id is not None:
        claims["store_id"] = store_id
    if audience is not None:
        claims["aud"] = audience
    if issuer is not None:
        claims["iss"] = issuer
    if device_id is not None:
        claims["device_id"] = str(device_id)
    if staff is not None:
        claims["staff"] = staff
    return jwt.encode(claims, secret, algorithm="HS256")
