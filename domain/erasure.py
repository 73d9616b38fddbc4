"""Erasing a person without breaking the ledger.

Personal data (identifiers, the profile's name, the IP address and user agent a request left on
an entry) lives beside the ledger and is deleted or nulled. What the ledger itself holds stays,
with one exception: a customer id made from personal data (inline enrolment's ``phone:<digits>``)
is hashed into every entry of the account, so erasure replaces it with an opaque id and re-seals
the account's chain, only after the chain verified clean. An ``erased`` entry records it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.chain import GENESIS_HASH, entry_hash, seal
from domain.errors import LoyaltyError
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.postings import post_entry

ERASED_PREFIX = "erased_"
INLINE_PREFIX = "phone:"
# Shorter identifiers would match inside unrelated ids by chance (a card "42" in "cust-42").
_MIN_IDENTIFIER_LENGTH = 5


class ChainBroken(LoyaltyError):
    """The account's chain does not verify: re-sealing it would hide the tampering."""

    code = "chain_broken"


@dataclass(frozen=True)
class EraseCustomer:
    business_id: str
    customer: str
    """The customer id, or the account id, of the person to erase."""
    actor: str | None = None


@dataclass(frozen=True)
class PersonalData:
    """What personal data an account still has outside its hashed fields."""

    identifiers: tuple[str, ...] = ()
    profiles: int = 0
    contact_fields: int = 0
    """accounts.phone and accounts.name set (until those columns are dropped)."""
    attributed_entries: int = 0
    """Entries with an IP address or user agent."""
    erased_before: bool = False

    @property
    def outside_the_chain(self) -> bool:
        return bool(
            self.identifiers or self.profiles or self.contact_fields or self.attributed_entries
        )


@dataclass(frozen=True)
class ChainReseal:
    """What an auditor reads: the chain of ``account_id`` re-sealed from one head to another."""

    account_id: UUID
    at: datetime
    old_head: str
    new_head: str
    entries: int
    reason: str = "erasure"


@dataclass(frozen=True)
class ErasureResult:
    business_id: str
    account_id: UUID
    customer_id: str
    """The account's customer id after the erasure (opaque when the old one was personal)."""
    erased: bool
    """False: nothing personal was left and the account was erased before (a no-op)."""
    reseal: ChainReseal | None = None
    entry: LedgerEntry | None = None
    removed: PersonalData = PersonalData()


def carries_personal_data(customer_id: str, identifiers: Collection[str]) -> bool:
    """Whether ``customer_id`` is made from personal data: inline enrolment's phone form, or
    one of the account's own identifiers written into it."""
    if customer_id.startswith(ERASED_PREFIX):
        return False
    if customer_id.startswith(INLINE_PREFIX):
        return True
    return any(
        len(core) >= _MIN_IDENTIFIER_LENGTH and core in customer_id
        for core in (value.lstrip("+") for value in identifiers)
    )


def opaque_customer_id(token: UUID) -> str:
    return f"{ERASED_PREFIX}{token.hex}"


def needs_erasure(customer_id: str, data: PersonalData) -> bool:
    """Anything to do: personal data left anywhere, or the account never erased."""
    personal_id = carries_personal_data(customer_id, data.identifiers)
    return personal_id or data.outside_the_chain or not data.erased_before


def chain_breaks(entries: Sequence[LedgerEntry], last_hash: str) -> list[str]:
    """Where the account's chain (``entries`` in seq order) fails to verify, as ``loyalty
    verify`` would say; the account's ``last_hash`` must be its newest entry's."""
    breaks, previous = [], GENESIS_HASH
    for entry in entries:
        if entry.prev_hash != previous or entry.entry_hash != entry_hash(entry, previous):
            breaks.append(f"entry {entry.entry_id} (seq {entry.seq}) does not match its chain")
        previous = entry.entry_hash
    if previous != last_hash:
        breaks.append("the account's last hash is not its newest entry's")
    return breaks


_NO_CONTACT = {"ip_address": None, "user_agent": None}


def reseal(entries: Sequence[LedgerEntry], customer_id: str) -> list[LedgerEntry]:
    """The account's entries under ``customer_id``, chained again from the genesis hash, with
    no IP address or user agent (neither is hashed)."""
    resealed, previous = [], GENESIS_HASH
    for entry in entries:
        entry = seal(
            replace(
                entry,
                customer_id=customer_id,
                prev_hash=previous,
                attribution=replace(entry.attribution, **_NO_CONTACT),
            )
        )
        resealed.append(entry)
        previous = entry.entry_hash
    return resealed


def erased_entry(account: Account, at: datetime, actor: str | None) -> tuple[Account, LedgerEntry]:
    """The zero-point ``erased`` entry that puts the erasure on the record. It names only the
    actor: the erasing request's own address is not kept on the entry."""
    return post_entry(
        account,
        kind=EntryKind.ERASED,
        points=0,
        source=Source.ADMIN,
        source_ref=str(account.account_id),
        # Per position in the chain: a later erasure (new data since) is a record of its own.
        origin=f"erased:{account.account_id}:{account.last_seq + 1}",
        at=at,
        attribution=Attribution(actor=actor),
    )
