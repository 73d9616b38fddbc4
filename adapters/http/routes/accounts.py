"""Loyalty accounts: enrol a customer, look an account up, suspend, reactivate and close it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from adapters.http.dependencies import Manager, Operations, PhoneRegion, Staff, attribution
from adapters.http.identifier_operations import identifier_operations
from adapters.http.presenters import account_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import AccountOut, EnrolmentIn, StatusChangeIn
from adapters.http.schemas.devices import ClosureIn
from adapters.http.schemas.requests import PRINTABLE
from adapters.phone_numbers import identifiers_of
from domain.closure import CloseAccount
from domain.commands import ChangeAccountStatus, EnrolCustomer
from domain.errors import InvalidRequest

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
async def enrol(
    body: EnrolmentIn,
    principal: Staff,
    operations: Operations,
    region: PhoneRegion,
    request: Request,
    response: Response,
) -> AccountOut:
    """Enrol by `customer_id`, or inline by `phone` when the programme allows it.

    Inline enrolment gives the customer an opaque id (`cust_...`) and keeps the phone (in
    E.164, read in the service's phone region when it has no country code) as an identifier; a phone
    that is not a valid number answers 422. Already enrolled (the same customer_id, or inline
    the same phone) answers 409 with the existing `account_id`; an identifier another account
    holds answers 409 `identifier_taken`. A `referral_code` names the
    referrer: unknown in this programme, the customer's own or of an account not active
    answers 422 naming the field.
    """
    view = await operations.enrol(
        EnrolCustomer(
            business_id=principal.business_id,
            customer_id=body.customer_id,
            identifiers=identifiers_of(
                phone_number=body.phone,
                card_number=body.card_number,
                email_address=body.email,
                region=region,
            ),
            name=body.name,
            attribution=attribution(principal, request),
            referral_code=body.referral_code,
        )
    )
    response.headers["Location"] = f"/v1/accounts/{view.account.account_id}"
    return account_out(view)


@router.get("", responses=problem_responses(401, 403, 404, 422))
async def find_account(
    principal: Staff,
    operations: Operations,
    customer_id: Annotated[
        str | None, Query(min_length=1, max_length=128, pattern=PRINTABLE)
    ] = None,
    phone: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE)] = None,
    card: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE)] = None,
    email: Annotated[str | None, Query(min_length=1, max_length=254, pattern=PRINTABLE)] = None,
    *,
    region: PhoneRegion,
) -> AccountOut:
    """The account of one customer, found by exactly one of `customer_id`, `phone` (any usual
    format), `card` or `email`; 404 when none has it, 422 for a number that is not valid."""
    given = [q for q in (customer_id, phone, card, email) if q is not None]
    if len(given) != 1:
        raise InvalidRequest("Give exactly one of customer_id, phone, card or email.")
    if customer_id is not None:
        view = await operations.account_by_customer(principal.business_id, customer_id)
    else:
        [identifier] = identifiers_of(
            phone_number=phone, card_number=card, email_address=email, region=region
        )
        view = await identifier_operations(operations).account_by_identifier(
            principal.business_id, identifier
        )
    return account_out(view)


@router.get("/{account_id}", responses=problem_responses(401, 403, 404, 422))
async def read_account(account_id: UUID, principal: Staff, operations: Operations) -> AccountOut:
    return account_out(await operations.account(principal.business_id, account_id))


async def _change_status(
    suspend: bool,
    account_id: UUID,
    body: StatusChangeIn | None,
    principal: Manager,
    operations: Operations,
    request: Request,
) -> AccountOut:
    view = await operations.change_status(
        ChangeAccountStatus(
            business_id=principal.business_id,
            account_id=account_id,
            suspend=suspend,
            reason=body.reason if body else None,
            attribution=attribution(principal, request),
        )
    )
    return account_out(view)


@router.post("/{account_id}/suspend", responses=problem_responses(401, 403, 404, 409, 422))
async def suspend(
    account_id: UUID,
    principal: Manager,
    operations: Operations,
    request: Request,
    body: StatusChangeIn | None = None,
) -> AccountOut:
    """Stop redemptions on the account; recorded in the ledger as a zero-point entry."""
    return await _change_status(True, account_id, body, principal, operations, request)


@router.post("/{account_id}/reactivate", responses=problem_responses(401, 403, 404, 409, 422))
async def reactivate(
    account_id: UUID,
    principal: Manager,
    operations: Operations,
    request: Request,
    body: StatusChangeIn | None = None,
) -> AccountOut:
    """Allow redemptions again; recorded in the ledger as a zero-point entry."""
    return await _change_status(False, account_id, body, principal, operations, request)


@router.post("/{account_id}/close", responses=problem_responses(401, 403, 404, 409, 422))
async def close(
    account_id: UUID,
    body: ClosureIn,
    principal: Manager,
    operations: Operations,
    request: Request,
) -> AccountOut:
    """Close for good: live holds are cancelled and what is left is forfeited by one
    `closure` entry; later events for the account are skipped (`account_closed`), and
    redeem, adjust or reactivate answer 409 `account_closed`. Closing again changes nothing."""
    view = await operations.close(
        CloseAccount(
            business_id=principal.business_id,
            account_id=account_id,
            reason=body.reason,
            attribution=attribution(principal, request),
        )
    )
    return account_out(view)
