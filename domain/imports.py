"""Bringing over the programme the service replaces: accounts, and balances as opening lots.

A file row is checked here into an ``AccountRow`` or a ``BalanceRow`` (or refused with a
``RowRefused`` saying why); each row has a key (an account's is its customer id) and a digest of
its values, so a rerun can tell a row it imported from a different row under the same key.
An opening balance is an adjustment entry from ``Source.IMPORT`` and one lot that keeps the
old programme's dates: when the points were earned, until when they are pending, when they
expire.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from uuid import UUID, uuid5

from domain import identifiers
from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, Source, entry_id_for
from domain.lots import Lot, LotChanges
from domain.postings import Posting, post_entry

_ACCOUNT_NAMESPACE = UUID("3d0e9f4a-6b2c-4e51-8a7d-91c4f2b6e0a8")
MAX_TEXT = 200
MAX_POINTS = 10**12
IMPORTED = Attribution(actor="import")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits: str.isdigit takes "²", int() does not


class RowRefused(ValueError):
    """A row that cannot be imported; its message is the reason the report gives."""


@dataclass(frozen=True)
class AccountRow:
    business_id: str
    customer_id: str
    name: str | None
    phone: str | None
    email: str | None
    card: str | None
    enrolled_at: datetime | None

    @property
    def row_key(self) -> str:
        return self.customer_id

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of each identifier the row gives, as customer_identifiers keeps them."""
        given = (("phone", self.phone), ("email", self.email), ("card", self.card))
        return [(kind, value) for kind, value in given if value]


@dataclass(frozen=True)
class BalanceRow:
    business_id: str
    customer_id: str
    row_key: str
    points: int
    earned_at: datetime | None
    expires_at: datetime | None
    pending_until: datetime | None


def digest(row: AccountRow | BalanceRow) -> str:
    """The row's values as one short text: equal rows, equal digests."""
    values = (getattr(row, name) for name in row.__dataclass_fields__)
    text = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _text(fields_: Mapping[str, object], name: str, required: bool = False) -> str | None:
    value = fields_.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowRefused(f"{name} is missing")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RowRefused(f"{name} must be text")
    text = str(value).strip()
    if len(text) > MAX_TEXT or _CONTROL.search(text):
        raise RowRefused(f"{name} is longer than {MAX_TEXT} characters or has control characters")
    return text


def _moment(fields_: Mapping[str, object], name: str) -> datetime | None:
    text = _text(fields_, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowRefused(f"{name} is not an ISO 8601 date or time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # none given: UTC


def _identifier(
    fields_: Mapping[str, object], name: str, normalised: Callable[[str], identifiers.Identifier]
) -> str | None:
    text = _text(fields_, name)
    if text is None:
        return None
    try:
        return normalised(text).value
    except identifiers.InvalidIdentifier as error:
        raise RowRefused(f"{name} {text!r}: {error}") from None


def account_row(
    fields_: Mapping[str, object], phone_of: Callable[[str], str], now: datetime
) -> AccountRow:
    """The row's account; ``phone_of`` gives a phone number's E.164 form (ValueError: none)."""
    phone = _text(fields_, "phone")
    if phone is not None:
        try:
            phone = phone_of(phone)
        except ValueError as error:
            raise RowRefused(f"phone {phone!r} is not a valid number: {error}") from None
    # Cards and e-mails as the till's lookup normalises them, or the imported ones are never found.
    email = _identifier(fields_, "email", identifiers.email)
    card = _identifier(fields_, "card", identifiers.card)
    enrolled_at = _moment(fields_, "enrolled_at")
    if enrolled_at is not None and enrolled_at > now:
        raise RowRefused("enrolled_at is in the future")
    return AccountRow(
        business_id=str(_text(fields_, "business_id", required=True)),
        customer_id=str(_text(fields_, "customer_id", required=True)),
        name=_text(fields_, "name"),
        phone=phone,
        email=email,
        card=card,
        enrolled_at=enrolled_at,
    )


def _points(fields_: Mapping[str, object]) -> int:
    value = fields_.get("points")
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        value = int(value.strip())  # "-5" is one too, refused below as not above 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise RowRefused(f"points must be a whole number, not {value!r}")
    if not 0 < value <= MAX_POINTS:
        raise RowRefused(f"points must be above 0 and at most {MAX_POINTS}")
    return value


def balance_row(fields_: Mapping[str, object], now: datetime) -> BalanceRow:
    """The row's opening lot. Its dates must make sense together and the points must still be
    there: a lot that expired before the import is not a balance."""
    row = BalanceRow(
        business_id=str(_text(fields_, "business_id", required=True)),
        customer_id=str(_text(fields_, "customer_id", required=True)),
        row_key=str(_text(fields_, "row_key", required=True)),
        points=_points(fields_),
        earned_at=_moment(fields_, "earned_at"),
        expires_at=_moment(fields_, "expires_at"),
        pending_until=_moment(fields_, "pending_until"),
    )
    earned = row.earned_at or now
    if earned > now:
        raise RowRefused("earned_at is in the future")
    if row.pending_until is not None and row.pending_until < earned:
        raise RowRefused("pending_until is before earned_at")
    if row.expires_at is not None:
        if row.expires_at <= now:
            raise RowRefused("the points expired before the import (expires_at has passed)")
        if row.expires_at <= max(earned, row.pending_until or earned):
            raise RowRefused("expires_at is not after earned_at and pending_until")
    return row


ACCOUNT_FIELDS = tuple(f.name for f in fields(AccountRow))
BALANCE_FIELDS = tuple(f.name for f in fields(BalanceRow))


def account_id_for(business_id: str, customer_id: str) -> UUID:
    """An imported account's id derives from its customer, so a rerun names the same one."""
    return uuid5(_ACCOUNT_NAMESPACE, f"{business_id}\x1f{customer_id}")


def open_imported(row: AccountRow, now: datetime) -> tuple[Account, Posting]:
    """A new account for the row, with its card_created entry dated when the old programme
    enrolled the customer (no welcome bonus: the customer joined long ago)."""
    account_id = account_id_for(row.business_id, row.customer_id)
    new = Account(business_id=row.business_id, account_id=account_id, customer_id=row.customer_id)
    after, entry = post_entry(
        new,
        kind=EntryKind.CARD_CREATED,
        points=0,
        source=Source.IMPORT,
        source_ref=row.customer_id,
        origin=f"card:{account_id}",
        at=now,
        occurred_at=min(row.enrolled_at or now, now),
        attribution=IMPORTED,
        description="Card created (imported)",
    )
    return after, Posting((after,), (entry,))


@dataclass(frozen=True)
class OpeningEntry:
    """What a balance row's entry and lot are whatever account they land on; the rest (seq,
    balance after, hashes, what a debt takes from the lot) follows from that account."""

    entry_id: UUID
    occurred_at: datetime
    available_at: datetime
    description: str


def opening_entry(row: BalanceRow, now: datetime) -> OpeningEntry:
    earned = row.earned_at or now
    return OpeningEntry(
        entry_id=entry_id_for(row.business_id, _opening_origin(row), EntryKind.ADJUSTMENT),
        occurred_at=earned,
        available_at=max(earned, row.pending_until or earned),
        description=f"Opening balance imported ({row.row_key})",
    )


def _opening_origin(row: BalanceRow) -> str:
    return f"import:{row.row_key}"


def opening_balances(account: Account, rows: Sequence[BalanceRow], now: datetime) -> Posting:
    """One adjustment entry and one lot per row, on ``account`` (locked), in the rows' order.
    A negative balance already there is a debt the new lots pay first, as every lot does.

    The database writes a file's rows set-based, computing the same entries in SQL
    (``adapters/postgres/opening_balances.py``); this is what they must equal."""
    entries, lots = [], LotChanges()
    for row in rows:
        opening = opening_entry(row, now)
        debt = max(0, -account.balance)
        account, entry = post_entry(
            account,
            kind=EntryKind.ADJUSTMENT,
            points=row.points,
            source=Source.IMPORT,
            source_ref=row.row_key,
            origin=_opening_origin(row),
            at=now,
            occurred_at=opening.occurred_at,
            attribution=IMPORTED,
            reason="opening balance",
            description=opening.description,
        )
        entries.append(entry)
        lots.lots[entry.entry_id] = Lot(
            business_id=account.business_id,
            account_id=account.account_id,
            lot_id=entry.entry_id,
            entry_id=entry.entry_id,
            earned_at=opening.occurred_at,
            available_at=opening.available_at,
            expires_at=row.expires_at,
            points=row.points,
            remaining=row.points - min(debt, row.points),
        )
    return Posting((account,), tuple(entries), lots)
