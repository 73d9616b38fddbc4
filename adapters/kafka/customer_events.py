"""The ``customer.updated`` contract and what a message of it becomes in the domain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC
from functools import partial
from typing import Literal

from pydantic import Field

from adapters.kafka.contracts import Identifier, InboundEvent
from adapters.phone_numbers import DEFAULT_REGION, phone_identifier
from domain.customer_updates import KEEP, CustomerUpdate, Keep
from domain.events import EventKind
from domain.identifiers import Identifier as CustomerIdentifier
from domain.identifiers import IdentifierKind, InvalidIdentifier, card, email

INVALID_IDENTIFIER = "invalid_identifier"
"""Dead-letter code: a phone, card number or e-mail that is not one (a rule beyond a schema)."""

_CHANGE = (
    " Left out: the service keeps what it holds; null: removed."
    " A value replaces every {kind} the account holds (upstream knows one per customer);"
    " one that is not valid dead-letters the message (invalid_identifier)."
)


class CustomerUpdated(InboundEvent):
    """``customer.updated``: a customer created or changed upstream (name, identifiers).

    ``type`` created opens the account when the business has a programme (as
    enrolment does: card_created, and the welcome bonus when one is set); updated changes an
    account only. Per customer the newest ``occurred_at`` wins: an older update arriving
    late changes nothing. An identifier another account holds dead-letters the message."""

    customer_id: Identifier
    type: Literal["created", "updated"] = Field(
        description="created: open the account if there is none; updated: change it only."
    )
    name: Identifier | None = Field(
        default=None, description="What the customer is called. Left out: kept; null: removed."
    )
    phone: Identifier | None = Field(
        default=None,
        description="A phone number, any usual format (+ and country code, or a number of the"
        " service's phone region, GB unless set)." + _CHANGE.format(kind="phone"),
    )
    email: Identifier | None = Field(
        default=None, description="An e-mail address." + _CHANGE.format(kind="e-mail address")
    )
    card_number: Identifier | None = Field(
        default=None,
        description="A loyalty card number, 8 to 19 digits (spaces and dashes as printed are"
        " dropped)." + _CHANGE.format(kind="card number"),
    )


def _kinds(
    phone_region: str,
) -> tuple[tuple[str, IdentifierKind, Callable[[str], CustomerIdentifier]], ...]:
    """Each identifier field, its kind, and how it is normalised (a phone in ``phone_region``
    when it has no country code)."""
    return (
        ("phone", IdentifierKind.PHONE, partial(phone_identifier, region=phone_region)),
        ("card_number", IdentifierKind.CARD, card),
        ("email", IdentifierKind.EMAIL, email),
    )


def customer_update(
    model: CustomerUpdated, phone_region: str = DEFAULT_REGION
) -> CustomerUpdate | tuple[str, str]:
    """The domain's update, or a rejection's (code, detail) for an identifier that is none;
    a phone without a country code is read in ``phone_region``."""
    given = model.model_fields_set
    identifiers: list[tuple[IdentifierKind, CustomerIdentifier | None]] = []
    for field, kind, normalise in _kinds(phone_region):
        if field not in given:
            continue
        raw = getattr(model, field)
        try:
            identifiers.append((kind, None if raw is None else normalise(raw)))
        except InvalidIdentifier as error:
            return INVALID_IDENTIFIER, f"{field}: {error}"
    name: str | Keep | None = model.name if "name" in given else KEEP
    return CustomerUpdate(
        kind=EventKind.CUSTOMER_UPDATED,
        event_id=model.event_id,
        payload_hash=_hash(model),
        business_id=model.business_id,
        customer_id=model.customer_id,
        occurred_at=model.occurred_at,
        created=model.type == "created",
        name=name,
        identifiers=tuple(identifiers),
    )


def _hash(model: CustomerUpdated) -> str:
    """The fields as read, a field left out apart from one sent as null (they mean different
    things, so a repeat that differs there is another payload)."""
    fields = {"event_id", "occurred_at", "business_id", "customer_id", "type"}
    fields |= model.model_fields_set & {"name", "phone", "email", "card_number"}
    values = {name: getattr(model, name) for name in fields}
    values["occurred_at"] = model.occurred_at.astimezone(UTC).isoformat()
    text = json.dumps(values, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
