"""In-memory merges: identifiers and names moved, forwards kept as ``account_forwards``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from tests.fakes.store import FakeRepository, FakeStore


class FakeMerges(FakeRepository):
    async def move_personal_data(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        def write(store: FakeStore) -> None:
            for key, holder in list(store.identifiers.items()):
                if key[0] == business_id and holder == merged:
                    store.identifiers[key] = survivor
            name = store.profiles.pop((business_id, merged), None)
            if name is not None:
                store.profiles.setdefault((business_id, survivor), name)

        self._uow.stage(write)

    async def move_purchases(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        def write(store: FakeStore) -> None:
            for key, p in list(store.purchases.items()):
                if p.business_id != business_id:
                    continue
                if p.account_id == merged:
                    p = replace(p, account_id=survivor)
                if p.spend is not None and p.spend.account_id == merged:
                    p = replace(p, spend=replace(p.spend, account_id=survivor))
                store.purchases[key] = p

        self._uow.stage(write)

    async def move_referrals(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        def write(store: FakeStore) -> None:
            own = store.referrals.get((business_id, merged))
            if (
                own is not None
                and own.referrer_account_id != survivor
                and (business_id, survivor) not in store.referrals
            ):
                del store.referrals[(business_id, merged)]
                store.referrals[(business_id, survivor)] = replace(
                    own, referred_account_id=survivor
                )
            for key, r in list(store.referrals.items()):
                made = key[0] == business_id and r.referrer_account_id == merged
                if made and r.referred_account_id not in (merged, survivor):
                    store.referrals[key] = replace(r, referrer_account_id=survivor)

        self._uow.stage(write)

    async def forward(
        self, business_id: str, customer_id: str, survivor: UUID, at: datetime
    ) -> None:
        merged = next(
            (
                a.account_id
                for (b, _), a in self._uow.view.accounts.items()
                if b == business_id and a.customer_id == customer_id
            ),
            None,
        )

        def write(store: FakeStore) -> None:
            for key, target in list(store.forwards.items()):
                if key[0] == business_id and target == merged:
                    store.forwards[key] = survivor
            store.forwards[(business_id, customer_id)] = survivor

        self._uow.stage(write)

    async def forwarded(self, customers: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        view = self._uow.view
        return {
            key: view.accounts[(key[0], view.forwards[key])].customer_id
            for key in customers
            if key in view.forwards
        }
