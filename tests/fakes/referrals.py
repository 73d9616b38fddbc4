"""In-memory referral codes and referrals; what an event batch loads of them."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain.referrals import Referral
from tests.fakes.store import FakeRepository, FakeStore

AccountKey = tuple[str, UUID]


class FakeReferrals(FakeRepository):
    async def claim_code(self, business_id: str, account_id: UUID, code: str) -> bool:
        if (business_id, code) in self._uow.view.referral_codes:
            return False

        def write(store: FakeStore) -> None:
            assert (business_id, code) not in store.referral_codes, f"code {code} taken"
            store.referral_codes[(business_id, code)] = account_id

        self._uow.stage(write)
        return True

    async def code_of(self, business_id: str, account_id: UUID) -> str | None:
        codes = self._uow.view.referral_codes.items()
        return next((c for (b, c), a in codes if (b, a) == (business_id, account_id)), None)

    async def account_by_code(self, business_id: str, code: str) -> UUID | None:
        return self._uow.view.referral_codes.get((business_id, code))

    async def add(self, referral: Referral) -> None:
        key = (referral.business_id, referral.referred_account_id)

        def write(store: FakeStore) -> None:
            assert key not in store.referrals, f"account {key} referred twice"
            store.referrals[key] = referral

        self._uow.stage(write)

    async def of_account(self, business_id: str, account_id: UUID) -> Referral | None:
        return self._uow.view.referrals.get((business_id, account_id))

    async def drop(self, business_id: str, referred_account_id: UUID) -> None:
        def write(store: FakeStore) -> None:
            store.referrals.pop((business_id, referred_account_id), None)

        self._uow.stage(write)


def referrals_for_batch(
    view: FakeStore, customers: Collection[tuple[str, str]], owners: Collection[AccountKey]
) -> dict[AccountKey, Referral]:
    """As the real repository loads them: those of the customers' accounts and of ``owners``."""
    accounts = {k for k, a in view.accounts.items() if (a.business_id, a.customer_id) in customers}
    accounts |= set(owners)
    return {k: r for k, r in view.referrals.items() if k in accounts}
