"""Paired POS tablets and the staff PINs a tablet may send.

A device is paired by an admin (the principal of record for what it does) and acts until
revoked; revocation is for good. A staff PIN is stored as a slow salted hash bound to its
business and staff member, so a hash copied to another member or business never matches;
each guess takes an attempt before it is checked, so concurrent guesses cannot exceed the
bound, and a run of failures locks the PIN for a while.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import InvalidRequest, LoyaltyError

MAX_PIN_ATTEMPTS = 5
PIN_LOCKOUT = timedelta(minutes=15)
PIN_PATTERN = re.compile(r"\d{4,12}")

# scrypt's cost: slow enough that a stolen table of 4-digit PINs is not read in a moment,
# cheap enough to check on a till's write (run off the event loop).
_N, _R, _P = 2**14, 8, 1
_SCHEME = "scrypt"


class StaffPinRefused(LoyaltyError):
    code = "staff_pin_invalid"


class StaffPinLocked(LoyaltyError):
    code = "staff_pin_locked"

    def __init__(self, detail: str, until: datetime) -> None:
        super().__init__(detail)
        self.until = until


@dataclass(frozen=True)
class Device:
    business_id: str
    device_id: UUID
    name: str
    paired_by: str
    paired_at: datetime
    store_id: str | None = None
    terminal_id: str | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class PairDevice:
    business_id: str
    name: str
    paired_by: str
    store_id: str | None = None
    terminal_id: str | None = None


@dataclass(frozen=True)
class StaffPin:
    business_id: str
    staff_id: str
    pin_hash: str
    set_by: str
    set_at: datetime
    failed_attempts: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class SetStaffPin:
    business_id: str
    staff_id: str
    pin: str = field(repr=False)
    set_by: str


def check_pin_shape(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin):
        raise InvalidRequest("A staff PIN is 4 to 12 digits.")


def _digest(business_id: str, staff_id: str, pin: str, salt: bytes) -> bytes:
    secret = "\x1f".join((business_id, staff_id, pin)).encode()
    return hashlib.scrypt(secret, salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=64 * 2**20)


def hash_pin(business_id: str, staff_id: str, pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _digest(business_id, staff_id, pin, salt)
    return f"{_SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(stored: StaffPin, pin: str) -> bool:
    scheme, n, r, p, salt, digest = stored.pin_hash.split("$")
    if scheme != _SCHEME or (int(n), int(r), int(p)) != (_N, _R, _P):
        return False
    found = _digest(stored.business_id, stored.staff_id, pin, bytes.fromhex(salt))
    return hmac.compare_digest(found, bytes.fromhex(digest))


def locked(pin: StaffPin, now: datetime) -> bool:
    return pin.locked_until is not None and pin.locked_until > now


def after_attempt(pin: StaffPin, now: datetime) -> StaffPin:
    """``pin`` with one more attempt taken, before the guess is checked (a locked PIN takes
    none). A lock that ran out starts a new run; the run's last allowed attempt locks the PIN
    until a success clears the run, or the lock runs out."""
    if locked(pin, now):
        return pin
    run = 0 if pin.locked_until is not None else pin.failed_attempts
    attempts = run + 1
    until = now + PIN_LOCKOUT if attempts >= MAX_PIN_ATTEMPTS else None
    return replace(pin, failed_attempts=attempts, locked_until=until)
