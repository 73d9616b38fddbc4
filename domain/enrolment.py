"""Enrolling a customer: a new account whose ledger opens with a card_created entry, then the
programme's welcome bonus if it has one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.commands import EnrolCustomer
from domain.errors import InlineEnrolmentDisabled, InvalidRequest
from domain.identifiers import Identifier, IdentifierKind
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.postings import Posting, policies_of, post_entry, settle
from domain.programme import Programme


def new_customer_id(token: UUID) -> str:
    """An opaque id for a customer enrolled at the till: no personal data, so the ledger and
    its messages, which carry the customer id, hold none."""
    return f"cust_{token.hex}"


def inline_phone(command: EnrolCustomer) -> Identifier | None:
    return next((i for i in command.identifiers if i.kind is IdentifierKind.PHONE), None)


def customer_to_enrol(command: EnrolCustomer, programme: Programme | None, token: UUID) -> str:
    """Whom ``command`` enrols: the customer it names, or inline at the till (when the
    programme allows it) a new opaque customer whose phone becomes an identifier."""
    if command.customer_id is not None:
        return command.customer_id
    if inline_phone(command) is None:
        raise InvalidRequest("Give a customer_id, or a phone and name.")
    if programme is None or not programme.inline_enrolment:
        raise InlineEnrolmentDisabled(
            "This programme does not allow enrolling by phone at the till."
        )
    return new_customer_id(token)


def open_account(
    programme: Programme | None,
    command: EnrolCustomer,
    customer_id: str,
    account_id: UUID,
    at: datetime,
) -> tuple[Account, Posting]:
    """The new account (to add) and the posting of its card_created entry and welcome bonus."""
    account, entries = enrol(
        programme,
        business_id=command.business_id,
        customer_id=customer_id,
        account_id=account_id,
        at=at,
        attribution=command.attribution,
    )
    return account, settle([account], entries, policies_of(programme))


def enrol(
    programme: Programme | None,
    *,
    business_id: str,
    customer_id: str,
    account_id: UUID,
    at: datetime,
    attribution: Attribution,
) -> tuple[Account, list[LedgerEntry]]:
    """A new account for the customer: its card_created entry (no points: the card's life
    starts in the ledger), then the welcome bonus entry when one is configured."""
    account = Account(business_id=business_id, account_id=account_id, customer_id=customer_id)
    account, created = post_entry(
        account,
        kind=EntryKind.CARD_CREATED,
        points=0,
        source=Source.SYSTEM,
        source_ref=str(account_id),
        origin=f"card:{account_id}",
        at=at,
        attribution=attribution,
    )
    if programme is None or not programme.active_at(at) or programme.welcome_bonus <= 0:
        return account, [created]
    account, entry = post_entry(
        account,
        kind=EntryKind.WELCOME_BONUS,
        points=programme.welcome_bonus,
        source=Source.SYSTEM,
        source_ref=str(account_id),
        origin=f"welcome:{account_id}",
        at=at,
        attribution=attribution,
    )
    return account, [created, entry]
