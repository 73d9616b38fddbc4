"""Upstream's word on a customer (``customer.updated``): names and identifiers kept in step.

Upstream (the chain's CRM) is the system of record for who its customers are. Each message
names the fields it changes: a value sets one, null removes it, a field left out stays as it
is. It knows one phone, one card and one e-mail per customer, so a value replaces every
identifier of that kind the account holds (one a till added as well), and null removes them.

Event time decides, per customer: the profile keeps the time of the newest change applied
(``customer_profiles.updated_at``), and an update older than it changes nothing, so an old
message arriving late never undoes a newer one.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.events import EventKind, InboundEvent
from domain.identifiers import Identifier, IdentifierKind


class Keep(enum.Enum):
    """A field the message left out: what the service holds stays."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class CustomerUpdate:
    """A customer created or updated upstream."""

    kind: EventKind
    event_id: str
    payload_hash: str
    business_id: str
    customer_id: str
    occurred_at: datetime
    created: bool
    """``type`` created: the account is opened when the business has a programme."""
    name: str | Keep | None = KEEP
    identifiers: tuple[tuple[IdentifierKind, Identifier | None], ...] = ()
    """Each kind the message names, with its new value (None: remove every one of it)."""


IntakeEvent = InboundEvent | CustomerUpdate
"""What the consumer hands the batch: the ledger's events and customer updates."""


def ledger_events(events: Iterable[IntakeEvent]) -> list[InboundEvent]:
    """The events among ``events`` that go to the ledger's batch, in their order."""
    return [e for e in events if not isinstance(e, CustomerUpdate)]


@dataclass(frozen=True)
class IdentifierChanges:
    add: tuple[Identifier, ...] = ()
    remove: tuple[Identifier, ...] = ()


def identifier_changes(update: CustomerUpdate, held: Collection[Identifier]) -> IdentifierChanges:
    """What to add and remove so the account holds what ``update`` names, for the kinds it
    names; identifiers of other kinds are left as they are."""
    named = dict(update.identifiers)
    wanted = {value for value in named.values() if value is not None}
    remove = sorted(i for i in held if i.kind in named and i not in wanted)
    add = sorted(i for i in wanted if i not in held)
    return IdentifierChanges(add=tuple(add), remove=tuple(remove))


def is_older(update: CustomerUpdate, last_applied: datetime | None) -> bool:
    """Whether a newer change than ``update`` was applied already (at the same instant the
    later arrival wins: a partition keyed by customer keeps upstream's order)."""
    return last_applied is not None and update.occurred_at < last_applied


def taken_by_another(
    adds: Collection[Identifier],
    holders: Mapping[Identifier, UUID | None],
    account_id: UUID | None,
) -> Identifier | None:
    """The first identifier to add that another account holds (None: all are free)."""
    return next(
        (i for i in sorted(adds) if holders.get(i) not in (None, account_id)),
        None,
    )


def taken_reason(identifier: Identifier) -> str:
    """The dead letter's reason: names the kind, never the value (personal data stays out of
    headers; the message itself holds it)."""
    return (
        f"identifier_taken: another account holds this {identifier.kind.value}; give it up"
        " there (or merge the accounts), then redrive"
    )
