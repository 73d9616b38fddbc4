"""Units of work whose in-memory outbox keeps the service's shards, for the relay's tests."""

from __future__ import annotations

from dataclasses import dataclass

from ports.publishing import OUTBOX_SHARDS
from tests.fakes.outbox import FakeOutbox
from tests.fakes.unit_of_work import FakeUnitOfWork, FakeUnitOfWorkFactory


@dataclass
class ShardedUnitOfWorkFactory(FakeUnitOfWorkFactory):
    """Units of work whose outbox keeps ``shards`` shards by account."""

    shards: int = OUTBOX_SHARDS

    def __call__(self) -> FakeUnitOfWork:
        uow = super().__call__()
        uow.outbox = FakeOutbox(uow, self.shards)
        return uow
