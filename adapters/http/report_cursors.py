"""Opaque page cursors of the reports: URL-safe base64 of the report's name and the key of
the last row shown. A cursor names its report, so one report's cursor is refused by another."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from domain.reports import ExpiringKey, MovementKey

MAX_CURSOR = 200
T = TypeVar("T")


class InvalidCursor(ValueError):
    """Not a cursor this report made."""


def _encode(report: str, *key: str) -> str:
    raw = json.dumps([report, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(report: str, cursor: str, parts: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise InvalidCursor(cursor) from error
    valid = (
        isinstance(found, list)
        and len(found) == parts + 1
        and found[0] == report
        and all(isinstance(part, str) for part in found)
    )
    if not valid or len(cursor) > MAX_CURSOR:
        raise InvalidCursor(cursor)
    return [str(part) for part in found[1:]]


def _parsed(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        raise InvalidCursor(text) from error


def expiring_cursor(key: ExpiringKey | None) -> str | None:
    return None if key is None else _encode("expiring", key[0].isoformat(), str(key[1]))


def expiring_after(cursor: str) -> ExpiringKey:
    moment, lot = _decode("expiring", cursor, 2)
    at = _parsed(datetime.fromisoformat, moment)
    if at.tzinfo is None:
        raise InvalidCursor(cursor)
    return at, _parsed(UUID, lot)


def referrals_cursor(key: UUID | None) -> str | None:
    return None if key is None else _encode("referrals", str(key))


def referrals_after(cursor: str) -> UUID:
    (account,) = _decode("referrals", cursor, 1)
    return _parsed(UUID, account)


def movements_cursor(key: MovementKey | None) -> str | None:
    return None if key is None else _encode("movements", key[0].isoformat(), key[1])


def movements_after(cursor: str) -> MovementKey:
    day, store = _decode("movements", cursor, 2)
    return _parsed(date.fromisoformat, day), store


def levels_cursor(key: str | None) -> str | None:
    return None if key is None else _encode("levels", key)


def levels_after(cursor: str) -> str:
    (level,) = _decode("levels", cursor, 1)
    return level
