"""The ways a till finds a member: a phone number, a card number, an e-mail address.

Identifiers are personal data: they live beside the account (``customer_identifiers``), never
in the ledger, and each is unique per business. Values arrive here normalised, so the same
number typed two ways is one identifier: phones in E.164 (the edge parses them with the
``phonenumbers`` library), cards and e-mails by the rules below.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from domain.errors import InvalidRequest, LoyaltyError, NotFound


class IdentifierKind(enum.StrEnum):
    PHONE = "phone"
    CARD = "card"
    EMAIL = "email"


@dataclass(frozen=True, order=True)
class Identifier:
    kind: IdentifierKind
    value: str


class InvalidIdentifier(InvalidRequest):
    code = "invalid_identifier"


class IdentifierTaken(LoyaltyError):
    """Another account of the business already holds the identifier."""

    code = "identifier_taken"


class IdentifierNotFound(NotFound):
    code = "identifier_not_found"


_CARD_SEPARATORS = re.compile(r"[\s\-]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def card(raw: str) -> Identifier:
    """A card number: digits only (spaces and dashes as printed on cards dropped), 8-19 long."""
    digits = _CARD_SEPARATORS.sub("", raw)
    if not (digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 19):
        raise InvalidIdentifier("A card number has 8 to 19 digits.")
    return Identifier(IdentifierKind.CARD, digits)


def email(raw: str) -> Identifier:
    """An e-mail address: trimmed and lower-cased, with exactly one @ between two parts."""
    address = raw.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise InvalidIdentifier("An e-mail address has one @ between a name and a domain.")
    if len(address) > 254:
        raise InvalidIdentifier("An e-mail address has at most 254 characters.")
    return Identifier(IdentifierKind.EMAIL, address)


def phone(e164: str) -> Identifier:
    """A phone number already in E.164 (``adapters.phone_numbers`` makes it so)."""
    if not _E164.match(e164):
        raise InvalidIdentifier("A phone number reaches the domain in E.164 (+ and digits).")
    return Identifier(IdentifierKind.PHONE, e164)
