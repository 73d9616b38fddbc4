"""Referrals at enrolment and on the account's view: the referrer a new customer names (by
its code), the code every new account gets, and what the view shows of both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.errors import AccountNotFound
from domain.referrals import (
    Referral,
    UnknownReferralCode,
    check_referrer,
    read_code,
    referral_code,
)
from ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReferralCard:
    """What an account's view shows of referrals."""

    code: str | None = None
    referred_by: UUID | None = None


async def referrer_for(
    uow: UnitOfWork, business_id: str, customer_id: str, given: str | None
) -> Account | None:
    """The account whose code the new customer named (None: no code named); refused with
    ``ReferralRefused`` when unknown in this business, the customer's own, or not active."""
    if given is None:
        return None
    code = read_code(given)
    if code is None:
        raise UnknownReferralCode("That is not a referral code (8 letters and digits).")
    referrer = await _holder_of_code(uow, business_id, code)
    return check_referrer(business_id, customer_id, referrer)


async def enrolled(
    uow: UnitOfWork, account: Account, referrer: Account | None, at: datetime
) -> ReferralCard:
    """Give the new account its code, and record who referred it (after the account row)."""
    business_id, account_id = account.business_id, account.account_id
    for attempt in count():  # the next attempt only when another account holds the code
        code = referral_code(business_id, account_id, attempt)
        if await uow.referrals.claim_code(business_id, account_id, code):
            break
    if referrer is None:
        return ReferralCard(code)
    referrer_code = await uow.referrals.code_of(business_id, referrer.account_id)
    assert referrer_code is not None  # it was found by its code, under this transaction
    await uow.referrals.add(
        Referral(
            business_id=business_id,
            referred_account_id=account_id,
            referrer_account_id=referrer.account_id,
            code=referrer_code,
            enrolled_at=at,
        )
    )
    return ReferralCard(code, referrer.account_id)


async def card_of(uow: UnitOfWork, account: Account) -> ReferralCard:
    business_id, account_id = account.business_id, account.account_id
    referral = await uow.referrals.of_account(business_id, account_id)
    return ReferralCard(
        await uow.referrals.code_of(business_id, account_id),
        referral.referrer_account_id if referral else None,
    )


async def account_by_code(uow: UnitOfWork, business_id: str, given: str) -> Account:
    """The account holding a referral code of this business (read as a person types it)."""
    code = read_code(given)
    account = None if code is None else await _holder_of_code(uow, business_id, code)
    if account is None:
        raise AccountNotFound("No account of this programme has that referral code.")
    return account


async def _holder_of_code(uow: UnitOfWork, business_id: str, code: str) -> Account | None:
    """The account a code names; for an account merged away, the survivor, which holds its
    points and its referrals now (the code stays the merged account's: a card printed with it
    still works, and refers to the survivor)."""
    account_id = await uow.referrals.account_by_code(business_id, code)
    account = None if account_id is None else await uow.accounts.by_id(business_id, account_id)
    if account is None or account.status is not AccountStatus.CLOSED:
        return account
    customer = (business_id, account.customer_id)
    survivor = (await uow.merges.forwarded([customer])).get(customer)
    return account if survivor is None else await uow.accounts.by_customer(business_id, survivor)
