"""Webhooks: endpoints a manager registers, signed deliveries of ledger entries, retried with
backoff and sent in entry order per account and endpoint."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

SIGNATURE_HEADER = "Loyalty-Signature"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class InvalidEndpoint(ValueError):
    """The URL cannot receive deliveries (not HTTPS, no host, not a public address)."""


@dataclass(frozen=True)
class Endpoint:
    business_id: str
    endpoint_id: UUID
    url: str
    kinds: frozenset[str]
    created_at: datetime
    created_by: str
    secret: str


@dataclass(frozen=True)
class Delivery:
    """One entry for one endpoint. ``seq`` is the entry's place in its account's ledger: it
    decides the order deliveries of one account reach one endpoint."""

    business_id: str
    delivery_id: int
    endpoint_id: UUID
    entry_id: UUID
    account_id: UUID
    seq: int
    kind: str
    state: str  # pending | delivered | failed
    attempts: int
    next_attempt_at: datetime
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: a 2xx status is delivered, anything else is retried."""

    status: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def checked_url(url: str, allow_http: bool = False, allow_private: bool = False) -> str:
    """``url`` if deliveries may go there: HTTPS to a public host, or HTTP when the operator
    allows it. A manager must not make the service post to this machine or its private
    network and read the answers back in the deliveries' errors (server-side request forgery):
    such hosts only when the operator allows them (``allow_private``: a receiver inside the
    cluster, or ``loyalty dev``). A name is checked again when a delivery resolves it."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise InvalidEndpoint("The URL has no host.")
    if not allow_private and not public_host(host):
        raise InvalidEndpoint(
            f"{host} is this machine or a private address: webhook endpoints must be public."
        )
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and (allow_http or (allow_private and host in LOCAL_HOSTS)):
        return url
    raise InvalidEndpoint("Webhook endpoints must use https.")


def public_host(host: str) -> bool:
    """Whether ``host`` may be public: a name (its addresses are checked when resolved) other
    than localhost, or a globally routed address (not loopback, private, link-local such as
    the cloud metadata address, shared, reserved or multicast)."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            name.strip("[]")
        )
    except ValueError:
        try:  # an IPv4 address in a form resolvers still take: 2130706433, 127.1, 0x7f.1
            address = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return True
    return public_address(address)


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Loyalty-Signature`` value: Stripe's convention, HMAC-SHA256 over
    ``"{timestamp}.{body}"`` so a captured body cannot be replayed under a new time."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within the tolerance: what
    a receiver checks (kept here so the tests check the same rule)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp, body).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff: ``base`` after the first failure, doubling up to ``cap``; after
    ``max_attempts`` the delivery is failed (a manager can redeliver it)."""

    base_seconds: float = 60.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 15

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1 = the first)."""
        exponent = min(max(attempts - 1, 0), 60)
        return timedelta(seconds=min(self.base_seconds * 2**exponent, self.cap_seconds))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def after_attempt(
    delivery: Delivery, outcome: Outcome, at: datetime, schedule: RetrySchedule
) -> Delivery:
    """The delivery once ``outcome`` is known."""
    attempts = delivery.attempts + 1
    common: dict[str, Any] = {
        "attempts": attempts,
        "last_status": outcome.status,
        "last_error": outcome.error,
    }
    if outcome.delivered:
        return replace(delivery, state="delivered", delivered_at=at, **common)
    if schedule.exhausted(attempts):
        return replace(delivery, state="failed", **common)
    return replace(
        delivery, state="pending", next_attempt_at=at + schedule.delay(attempts), **common
    )


def sendable(pending: Iterable[Delivery], now: datetime) -> list[Delivery]:
    """The deliveries that may go now: for each (endpoint, account), its earliest pending
    delivery, if due. A later one waits while an earlier one is pending, due or not, so one
    account's entries reach an endpoint in ledger order; a failed delivery no longer holds
    the others back."""
    heads: dict[tuple[UUID, UUID], Delivery] = {}
    for delivery in pending:
        if delivery.state != "pending":
            continue
        key = (delivery.endpoint_id, delivery.account_id)
        held = heads.get(key)
        if held is None or delivery.seq < held.seq:
            heads[key] = delivery
    return sorted(
        (d for d in heads.values() if d.next_attempt_at <= now), key=lambda d: d.delivery_id
    )


def wanted(kinds: Sequence[str], known: Iterable[str]) -> frozenset[str]:
    """The kinds an endpoint asks for, refusing unknown ones (none: every kind, also kinds
    added later)."""
    allowed = frozenset(known)
    unknown = sorted(set(kinds) - allowed)
    if unknown:
        raise InvalidEndpoint(f"Unknown entry kinds: {', '.join(unknown)}.")
    return frozenset(kinds)
