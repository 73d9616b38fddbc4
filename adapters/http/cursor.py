"""Opaque page cursors: URL-safe base64 of the sequence number the next page starts before."""

from __future__ import annotations

import base64
import binascii

from adapters.http.problems import ProblemError

_PREFIX = "before:"


def encode_cursor(before_seq: int) -> str:
    raw = f"{_PREFIX}{before_seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The sequence number in ``cursor``; a cursor not made by this API is a 400 problem."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    digits = text.removeprefix(_PREFIX) if text.startswith(_PREFIX) else ""
    # At most 18 digits keeps the number inside a signed 64-bit column.
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 18) or int(digits) <= 0:
        raise ProblemError(
            400,
            "invalid_cursor",
            "This page link is not valid any more; start again from the first page.",
        )
    return int(digits)
