"""Erasing a customer's personal data (admin): the balance and the entries stay."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from adapters.http.dependencies import Admin
from adapters.http.problems import ProblemError, problem_responses
from domain.erasure import ChainBroken, EraseCustomer
from ports.erasure import ErasureOperations

router = APIRouter(tags=["accounts"])


async def erasure_operations(request: Request) -> ErasureOperations:
    found: ErasureOperations = request.app.state.erasures
    return found


Erasures = Annotated[ErasureOperations, Depends(erasure_operations)]


class ErasureOut(BaseModel):
    account_id: UUID
    customer_id: str
    """The account's customer id now: opaque (``erased_...``) when the old one was personal."""
    erased: bool
    """False: erased before and nothing personal left, so nothing was done."""
    resealed_entries: int
    """Entries whose hash chain was re-sealed under the new customer id (0: none needed)."""
    entry_id: UUID | None
    """The ``erased`` entry that records the erasure."""


@router.post(
    "/v1/admin/customers/{customer_id}/erasure",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def erase_customer(customer_id: str, principal: Admin, erasures: Erasures) -> ErasureOut:
    """Erase a customer's personal data (by customer id, account id or identifier): their
    identifiers and profile go, IP addresses and user agents on their entries are nulled, a
    customer id made of a phone number becomes an opaque one (the account's hash chain
    re-sealed after it verified clean), and an `erased` entry of 0 points records it. The
    balance and the entries stay. Erasing again with nothing left is a no-op (`erased`
    false). 409 `chain_broken`: the account's chain does not verify, so nothing was done."""
    command = EraseCustomer(principal.business_id, customer_id, actor=principal.actor)
    try:
        result = await erasures.erase(command)
    except ChainBroken as error:
        raise ProblemError(409, error.code, error.detail, title="Chain broken") from error
    return ErasureOut(
        account_id=result.account_id,
        customer_id=result.customer_id,
        erased=result.erased,
        resealed_entries=result.reseal.entries if result.reseal else 0,
        entry_id=result.entry.entry_id if result.entry else None,
    )
