"""Phone numbers as a till types them, made E.164 with Google's ``phonenumbers`` library.

A number without a country code is read in a default region ("GB" for every business until
a setting or the programme names one), so ``07911 123456`` and ``+44 7911 123456`` are one
identifier. What the library does not hold for a valid number is refused, the reserved
fiction ranges (``07700 900xxx``) among them.
"""

from __future__ import annotations

import phonenumbers

from domain.identifiers import Identifier, InvalidIdentifier, card, email, phone

DEFAULT_REGION = "GB"


def e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """``raw`` in E.164, read in ``region`` when it has no country code; InvalidIdentifier
    when it is not a valid number."""
    if len(raw) > 64:  # the library parses at most 250 characters; no real number is this long
        raise InvalidIdentifier("Not a phone number.")
    try:
        parsed = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentifier(f"Not a phone number: {error._msg}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidIdentifier(
            f"Not a valid phone number in {region.upper()} or with its country code."
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def known_region(region: str) -> str:
    """``region`` when phone numbers are known for it (ISO 3166 alpha-2), else ValueError."""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region} is not a region phone numbers are known for")
    return region


def phone_identifier(raw: str, region: str = DEFAULT_REGION) -> Identifier:
    return phone(e164(raw, region))


def identifiers_of(
    *,
    phone_number: str | None = None,
    card_number: str | None = None,
    email_address: str | None = None,
    region: str = DEFAULT_REGION,
) -> tuple[Identifier, ...]:
    """The identifiers given, normalised, in a fixed order (phone, card, e-mail)."""
    found: list[Identifier] = []
    if phone_number is not None:
        found.append(phone_identifier(phone_number, region))
    if card_number is not None:
        found.append(card(card_number))
    if email_address is not None:
        found.append(email(email_address))
    return tuple(found)
