"""Use case: merge two accounts of one business; and events for a merged customer id,
forwarded to the survivor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from domain.accounts import Account
from domain.errors import AccountNotFound
from domain.events import InboundEvent
from domain.merges import (
    MergeAccounts,
    MergeRefused,
    MergeResult,
    check_merge,
    merge_accounts,
    referrals_dropped_by_merge,
)
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class Merges:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def merge(self, command: MergeAccounts) -> MergeResult:
        """Move the merged account's balance, stamps, lots and identifiers onto the survivor
        by ledger entries, its sales too (a later return reverses on the survivor), close the
        merged account and forward its customer id, and its referrals move where they can
        (``AccountMergeRepository.move_referrals``), all in one transaction
        (``domain.merges``)."""
        if command.survivor_id == command.merged_id:
            raise MergeRefused("An account cannot be merged into itself.")
        async with self._uow_factory() as uow:
            accounts = await _locked(uow, command)
            survivor, merged = accounts[command.survivor_id], accounts[command.merged_id]
            now = self._clock.now()
            live = 0
            for account in (survivor, merged):
                key = (account.business_id, account.account_id)
                await uow.redemptions.expire_overdue(*key, now)
                live += len(await uow.live_holds.live_holds(*key, now))
                live += await uow.rewards.held_stamps(*key, now)
            check_merge(survivor, merged, live)
            referrals = [
                found
                for account in (survivor, merged)
                if (found := await uow.referrals.of_account(*_key(account))) is not None
            ]
            for dropped in referrals_dropped_by_merge(survivor, merged, referrals, now):
                await uow.referrals.drop(dropped.business_id, dropped.referred_account_id)
            keys = [(a.business_id, a.account_id) for a in (survivor, merged)]
            lots = await uow.lots.open_lots(keys)
            result = merge_accounts(
                survivor, merged, lots[keys[1]], lots[keys[0]], now, command.attribution
            )
            await uow.ledger.post(result.posting)
            await uow.merges.move_personal_data(
                command.business_id, merged.account_id, survivor.account_id
            )
            await uow.merges.move_purchases(
                command.business_id, merged.account_id, survivor.account_id
            )
            await uow.merges.move_referrals(
                command.business_id, merged.account_id, survivor.account_id
            )
            await uow.merges.forward(
                command.business_id, merged.customer_id, survivor.account_id, now
            )
            await uow.commit()
        return result


def _key(account: Account) -> tuple[str, UUID]:
    return account.business_id, account.account_id


async def _locked(uow: UnitOfWork, command: MergeAccounts) -> dict[UUID, Account]:
    """Both accounts, locked in the order event batches lock them (business, account id), so
    a merge and a batch touching both never deadlock."""
    found = {}
    for account_id in sorted((command.survivor_id, command.merged_id)):
        account = await uow.accounts.lock(command.business_id, account_id)
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        found[account_id] = account
    return found


async def with_forwarded_customers(
    uow: UnitOfWork, events: Sequence[InboundEvent]
) -> Sequence[InboundEvent]:
    """``events``, those naming a customer id merged away naming the survivor's instead (a
    forward wins over the merged account, which is closed), from one read of the forwards."""
    asked = {(e.business_id, e.customer_id) for e in events if e.customer_id is not None}
    found = await uow.merges.forwarded(asked) if asked else {}
    if not found:
        return events
    return [
        replace(e, customer_id=found[(e.business_id, e.customer_id)])
        if e.customer_id is not None and (e.business_id, e.customer_id) in found
        else e
        for e in events
    ]
