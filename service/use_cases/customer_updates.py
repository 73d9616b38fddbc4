"""Use case: apply upstream's customer updates inside the event batch's transaction.

They go first, so a sale later in the same batch already finds a phone or card they gave.
Each is recorded in the inbox like any event (a repeated id changes nothing; reused with
another payload it is a conflict for the dead-letter topic). An identifier another account
holds dead-letters the update, nothing of it applied: an operator settles who holds it and
redrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

from domain.accounts import Account, AccountStatus
from domain.batch import BatchChanges
from domain.customer_updates import (
    CustomerUpdate,
    IntakeEvent,
    identifier_changes,
    is_older,
    ledger_events,
    taken_by_another,
    taken_reason,
)
from domain.enrolment import enrol
from domain.events import InboundEvent
from domain.identifiers import IdentifierTaken
from domain.ledger import Attribution
from domain.outcomes import InboxRecord, Outcome, SkipReason
from domain.postings import policies_of, settle
from ports.unit_of_work import UnitOfWork
from service.use_cases.referrals import enrolled

UPSTREAM = Attribution(actor="upstream:customer.updated")
"""Who opened an account from a ``customer.created`` update (its card_created entry)."""


async def apply_customer_updates(
    uow: UnitOfWork, events: Sequence[IntakeEvent]
) -> tuple[list[InboundEvent], BatchChanges]:
    """Apply the customer updates among ``events``; the other events, for the ledger's
    batch, and what the updates changed (inbox rows, duplicates, conflicts, dead letters)."""
    rest = ledger_events(events)
    updates = [e for e in events if isinstance(e, CustomerUpdate)]
    changes = BatchChanges()
    if not updates:
        return rest, changes
    seen = await uow.event_batches.seen({(u.business_id, u.event_id) for u in updates})
    # A customer id merged away names the survivor (the merged account is closed).
    forwards = await uow.merges.forwarded({(u.business_id, u.customer_id) for u in updates})
    # By customer, each one's updates in arrival order (sorted is stable): the rows they
    # lock are then taken in one order by every batch.
    for update in sorted(updates, key=lambda u: (u.business_id, u.customer_id)):
        key = (update.business_id, update.event_id)
        if key in seen:
            same = seen[key] == update.payload_hash
            (changes.duplicates if same else changes.conflicts).append(update)
            continue
        customer_id = forwards.get((update.business_id, update.customer_id), update.customer_id)
        outcome = await _apply(uow, update, customer_id)
        if isinstance(outcome, str):
            changes.failed.append((update, outcome))
            continue
        seen[key] = update.payload_hash
        changes.inbox.append(
            InboxRecord(
                business_id=update.business_id,
                event_id=update.event_id,
                kind=update.kind,
                payload_hash=update.payload_hash,
                outcome=outcome,
                occurred_at=update.occurred_at,
            )
        )
    return rest, changes


async def _apply(uow: UnitOfWork, update: CustomerUpdate, customer_id: str) -> Outcome | str:
    """The update's outcome, or why it is dead-lettered (then nothing of it is written).
    The update itself stays as it came: the batch's dead letters find their record by it."""
    business_id = update.business_id
    account = await uow.accounts.by_customer(business_id, customer_id)
    if account is None:
        if not update.created:
            return Outcome.skipped(SkipReason.NO_ACCOUNT)
        if await uow.programmes.get(business_id) is None:
            return Outcome.skipped(SkipReason.NO_PROGRAMME)
    elif account.status is AccountStatus.CLOSED:
        return Outcome.skipped(SkipReason.ACCOUNT_CLOSED)
    elif is_older(update, await uow.customer_profiles.updated_at(business_id, account.account_id)):
        return Outcome.skipped(SkipReason.OLDER_THAN_LAST_UPDATE)
    held = (
        [] if account is None else await uow.identifiers.of_account(business_id, account.account_id)
    )
    wanted = identifier_changes(update, held)
    holders = {i: await uow.identifiers.account_of(business_id, i) for i in wanted.add}
    taken = taken_by_another(wanted.add, holders, account.account_id if account else None)
    if taken is not None:
        return taken_reason(taken)
    if account is None:
        account = await _open(uow, update, customer_id)
    if not await uow.customer_profiles.record(
        business_id, account.account_id, update.occurred_at, update.name
    ):  # a newer update was recorded since it was read
        return Outcome.skipped(SkipReason.OLDER_THAN_LAST_UPDATE)
    for identifier in wanted.remove:
        await uow.identifiers.remove(business_id, account.account_id, identifier)
    for identifier in wanted.add:
        holder = await uow.identifiers.add(business_id, account.account_id, identifier)
        if holder != account.account_id:  # given to another account since it was read: the
            # batch fails and comes back, and then the read above finds the holder
            raise IdentifierTaken(f"Another account took this {identifier.kind.value} meanwhile.")
    return Outcome.applied()


async def _open(uow: UnitOfWork, update: CustomerUpdate, customer_id: str) -> Account:
    """Enrol the customer as the API does (card_created, the welcome bonus when configured),
    at the event's time, so a replay opens the card at the same moment."""
    programme = await uow.programmes.get(update.business_id)
    account, entries = enrol(
        programme,
        business_id=update.business_id,
        customer_id=customer_id,
        account_id=uuid4(),
        at=update.occurred_at,
        attribution=UPSTREAM,
    )
    await uow.accounts.add(account)
    await enrolled(uow, account, None, update.occurred_at)
    await uow.ledger.post(settle([account], entries, policies_of(programme)))
    return account
