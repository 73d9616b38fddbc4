"""PostgresErasure: erasure sessions on PostgreSQL (transactions with ``loyalty.erasing`` on,
the one way past the ledger's immutability trigger) and the attribution retention sweep."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from uuid import UUID, uuid4

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from adapters.postgres import erasure_sql as sql
from adapters.postgres.errors import is_conflict_error
from adapters.postgres.ledger import PostgresLedger
from adapters.postgres.rows import account_from, entry_from
from domain.accounts import Account
from domain.erasure import ChainReseal, PersonalData
from domain.errors import ConcurrentUpdate
from domain.ledger import LedgerEntry
from domain.postings import Posting


class PostgresErasureSession:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._connection: PoolConnectionProxy | None = None
        self._transaction: Transaction | None = None
        self._committed = False

    @property
    def _db(self) -> PoolConnectionProxy:
        assert self._connection is not None, "used outside 'async with'"
        return self._connection

    async def __aenter__(self) -> PostgresErasureSession:
        self._connection = await self._pool.acquire()
        try:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
            await self._connection.execute(sql.ERASING)
        except BaseException:
            await self._pool.release(self._connection)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None and self._transaction is not None
        try:
            if not self._committed:
                await self._transaction.rollback()
        finally:
            await self._pool.release(self._connection)
        if exc is not None and is_conflict_error(exc):
            raise ConcurrentUpdate("Another change to this account is in progress.") from exc

    async def commit(self) -> None:
        assert self._transaction is not None
        await self._transaction.commit()
        self._committed = True

    async def lock_account(self, business_id: str, customer: str) -> Account | None:
        row = await self._db.fetchrow(sql.LOCK_ACCOUNT, business_id, customer)
        return account_from(row) if row else None

    async def chain(self, business_id: str, account_id: UUID) -> list[LedgerEntry]:
        return [entry_from(r) for r in await self._db.fetch(sql.CHAIN, business_id, account_id)]

    async def _contact_columns(self) -> list[str]:
        # accounts.phone and .name go in a later migration: whichever are still there.
        return [r["column_name"] for r in await self._db.fetch(sql.CONTACT_COLUMNS)]

    async def personal_data(self, account: Account) -> PersonalData:
        key = (account.business_id, account.account_id)
        row = await self._db.fetchrow(sql.PERSONAL_DATA, *key)
        columns = await self._contact_columns()
        contact = await self._db.fetchval(sql.contact_fields_set(columns), *key)
        return PersonalData(
            identifiers=tuple(row["identifiers"]),
            profiles=row["profiles"],
            contact_fields=contact or 0,
            attributed_entries=row["attributed"],
            erased_before=row["erased_before"],
        )

    async def rewrite_chain(
        self, account: Account, entries: Sequence[LedgerEntry], reseal: ChainReseal
    ) -> None:
        key = (account.business_id, account.account_id)
        old_id = await self._db.fetchval(sql.OLD_CUSTOMER_ID, *key)
        await self._db.execute(
            sql.RESEAL_ENTRIES,
            *key,
            account.customer_id,
            [e.entry_id for e in entries],
            [e.prev_hash for e in entries],
            [e.entry_hash for e in entries],
        )
        await self._db.execute(sql.RESEAL_ACCOUNT, *key, account.customer_id, account.last_hash)
        for statement in sql.FOLLOW_NEW_ID:
            await self._db.execute(statement, account.business_id, old_id, account.customer_id)
        await self._db.execute(sql.FORGET_OLD_FORWARD, account.business_id, old_id)
        await self._db.execute(
            sql.RECORD_RESEAL,
            account.business_id,
            uuid4(),
            account.account_id,
            reseal.at,
            reseal.old_head,
            reseal.new_head,
            reseal.entries,
            reseal.reason,
        )

    async def remove_personal_data(self, account: Account) -> None:
        key = (account.business_id, account.account_id)
        for statement in sql.REMOVE_PERSONAL_DATA:
            await self._db.execute(statement, *key)
        clear = sql.clear_contact_fields(await self._contact_columns())
        if clear is not None:
            await self._db.execute(clear, *key)

    async def post(self, posting: Posting) -> None:
        await PostgresLedger(self._db).post(posting)


class PostgresErasure:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def session(self) -> PostgresErasureSession:
        return PostgresErasureSession(self._pool)

    async def clear_attribution_before(self, cutoff: datetime, batch_size: int) -> int:
        cleared = 0
        while True:
            # One short transaction per batch: a sweep over years of entries holds no lock long.
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(sql.ERASING)
                status = await connection.execute(sql.CLEAR_ATTRIBUTION, cutoff, batch_size)
            done = int(status.split()[-1])
            cleared += done
            if done < batch_size:
                return cleared
