"""Import batches: a few hundred checked rows in one transaction, through the same posting
path as every other entry. A batch commits its rows' keys with what they made, so a rerun
(after a crash, or of the same file) skips what is in and imports the rest; a dry run does
all of it and rolls back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from domain.accounts import Account
from domain.imports import AccountRow, BalanceRow, digest, open_imported
from domain.postings import Posting
from ports.clock import Clock
from ports.imports import CustomerKey, IdentifierKey, ImportUnitOfWork

R = TypeVar("R", AccountRow, BalanceRow)


@dataclass
class BatchOutcome:
    imported: int = 0
    skipped: int = 0
    """Rows imported before (same key, same values): nothing to do."""
    rejected: list[tuple[int, str]] = field(default_factory=list)
    """(line, reason)"""

    @classmethod
    def combined(cls, outcomes: Sequence[BatchOutcome]) -> BatchOutcome:
        """The outcome of the batches together, refusals in line order."""
        return cls(
            imported=sum(o.imported for o in outcomes),
            skipped=sum(o.skipped for o in outcomes),
            rejected=sorted(r for o in outcomes for r in o.rejected),
        )


def _sort_known(
    rows: Sequence[tuple[int, R]], known: dict[CustomerKey, str], outcome: BatchOutcome
) -> list[tuple[int, str, R]]:
    """The rows still to import, with their digests; the rest counted as skipped or refused
    (a key seen twice in the batch, or already imported with other values)."""
    todo: list[tuple[int, str, R]] = []
    seen: set[CustomerKey] = set()
    for line, row in rows:
        key, made = (row.business_id, row.row_key), digest(row)
        if key in seen:
            outcome.rejected.append((line, _repeated(row.row_key)))
        elif key not in known:
            seen.add(key)
            todo.append((line, made, row))
        elif known[key] == made:
            outcome.skipped += 1
        else:
            outcome.rejected.append((line, _changed(row.row_key)))
    return todo


class ImportBatches:
    def __init__(self, uow_factory: Callable[[], ImportUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def accounts(
        self, rows: Sequence[tuple[int, AccountRow]], dry_run: bool = False
    ) -> BatchOutcome:
        """Open the accounts not there yet (a card_created entry each), and give every row's
        account its name and identifiers; an identifier another account holds refuses the row."""
        outcome, now = BatchOutcome(), self._clock.now()
        async with self._uow_factory() as uow:
            keys = {(row.business_id, row.row_key) for _, row in rows}
            todo = _sort_known(rows, await uow.imports.known("account", keys), outcome)
            with_programme = await uow.imports.programmes({row.business_id for _, _, row in todo})
            customers = {(row.business_id, row.customer_id) for *_, row in todo}
            existing = await uow.imports.lock_customers(customers)
            wanted = {(r.business_id, k, v) for *_, r in todo for k, v in r.identifiers()}
            held = dict(await uow.imports.identifiers_held(wanted))
            new: list[tuple[Account, AccountRow]] = []
            postings: list[Posting] = []
            names: list[tuple[str, UUID, str]] = []
            identifiers: list[tuple[str, str, str, UUID]] = []
            recorded: list[tuple[str, str, str, UUID, UUID | None]] = []
            for line, made, row in todo:
                if row.business_id not in with_programme:
                    outcome.rejected.append(
                        (line, f"business {row.business_id!r} has no programme")
                    )
                    continue
                account = existing.get((row.business_id, row.customer_id))
                posting = Posting()
                if account is None:  # else enrolled at a till already: its data is added
                    account, posting = open_imported(row, now)
                ids = [(row.business_id, k, v) for k, v in row.identifiers()]
                clash = _clash(ids, held, account)
                if clash is not None:
                    outcome.rejected.append((line, clash))
                    continue
                held.update((key, account.account_id) for key in ids)
                if not posting.empty:
                    new.append((account, row))
                    postings.append(posting)
                if row.name:
                    names.append((row.business_id, account.account_id, row.name))
                identifiers.extend((*key, account.account_id) for key in ids)
                recorded.append((row.business_id, row.row_key, made, account.account_id, None))
            await uow.imports.add_accounts([(a, r.enrolled_at or now) for a, r in new])
            await uow.ledger.post(Posting.combined(postings))
            await uow.imports.add_personal_data(names, identifiers)
            await uow.imports.record("account", recorded)
            outcome.imported = len(recorded)
            if not dry_run:
                await uow.commit()
        return outcome

    async def balances(
        self, rows: Sequence[tuple[int, BalanceRow]], dry_run: bool = False
    ) -> BatchOutcome:
        """An opening lot and entry per row on the customer's account (which must exist and
        not be closed), the accounts locked as event batches lock them. The repository writes
        them set-based (a file is hundreds of thousands of rows), as ``opening_balances``
        builds them."""
        outcome = BatchOutcome()
        async with self._uow_factory() as uow:
            with_digests = [(line, digest(row), row) for line, row in rows]
            not_imported = await uow.imports.open_balances(with_digests, self._clock.now())
            for line, _, row in with_digests:
                verdict = not_imported.get(line)
                if verdict is None:
                    outcome.imported += 1
                elif verdict == "known":
                    outcome.skipped += 1
                else:
                    outcome.rejected.append((line, _BALANCE_REFUSALS[verdict](row)))
            if not dry_run:
                await uow.commit()
        return outcome


def _repeated(row_key: str) -> str:
    return f"row key {row_key!r} repeats an earlier row"


def _changed(row_key: str) -> str:
    return f"row key {row_key!r} was imported before with other values"


_BALANCE_REFUSALS: dict[str, Callable[[BalanceRow], str]] = {
    "repeat": lambda row: _repeated(row.row_key),
    "changed": lambda row: _changed(row.row_key),
    "no_account": lambda row: f"no account for customer {row.customer_id!r}: import it first",
    "closed": lambda row: "the customer's account is closed",
}


def _clash(
    ids: Sequence[IdentifierKey], held: Mapping[IdentifierKey, UUID], account: Account
) -> str | None:
    for key in ids:
        holder = held.get(key)
        if holder is not None and holder != account.account_id:
            return f"{key[1]} {key[2]!r} belongs to another account"
    return None
