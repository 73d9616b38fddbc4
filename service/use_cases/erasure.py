"""Use case: erase a customer's personal data, keeping the balance, the entries and the chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from domain.erasure import (
    ChainBroken,
    ChainReseal,
    EraseCustomer,
    ErasureResult,
    carries_personal_data,
    chain_breaks,
    erased_entry,
    needs_erasure,
    opaque_customer_id,
    reseal,
)
from domain.errors import AccountNotFound
from domain.postings import settle
from ports.clock import Clock
from ports.erasure import ErasureStore

ATTRIBUTION_BATCH = 5000


class Erasures:
    def __init__(self, store: ErasureStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def erase(self, command: EraseCustomer) -> ErasureResult:
        """Erase the customer: refused (``ChainBroken``) when the account's chain does not
        verify; a no-op when the account was erased before and nothing personal is left."""
        async with self._store.session() as session:
            account = await session.lock_account(command.business_id, command.customer)
            if account is None:
                raise AccountNotFound(f"No account for customer {command.customer!r}.")
            found = await session.personal_data(account)
            if not needs_erasure(account.customer_id, found):
                return ErasureResult(
                    account.business_id, account.account_id, account.customer_id, erased=False
                )
            now = self._clock.now()
            resealed = None
            if carries_personal_data(account.customer_id, found.identifiers):
                entries = await session.chain(account.business_id, account.account_id)
                breaks = chain_breaks(entries, account.last_hash)
                if breaks:
                    raise ChainBroken(
                        f"Account {account.account_id}: its chain does not verify, so it is not"
                        f" re-sealed ({breaks[0]}); run loyalty verify."
                    )
                new_id = opaque_customer_id(uuid4())
                new_entries = reseal(entries, new_id)
                new_head = new_entries[-1].entry_hash if new_entries else account.last_hash
                resealed = ChainReseal(
                    account.account_id, now, account.last_hash, new_head, len(new_entries)
                )
                account = replace(account, customer_id=new_id, last_hash=new_head)
                await session.rewrite_chain(account, new_entries, resealed)
            await session.remove_personal_data(account)
            account, entry = erased_entry(account, now, command.actor)
            await session.post(settle([account], [entry], {}))
            await session.commit()
        return ErasureResult(
            account.business_id,
            account.account_id,
            account.customer_id,
            erased=True,
            reseal=resealed,
            entry=entry,
            removed=found,
        )

    async def erase_attribution(self, older_than: timedelta) -> int:
        """Null the IP address and user agent on entries recorded before ``older_than`` ago."""
        cutoff = self._clock.now() - older_than
        return await self._store.clear_attribution_before(cutoff, ATTRIBUTION_BATCH)
