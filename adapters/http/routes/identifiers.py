"""An account's identifiers: staff add a phone, card or e-mail; managers remove one."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path

from adapters.http.dependencies import Manager, Operations, PhoneRegion, Staff
from adapters.http.identifier_operations import identifier_operations
from adapters.http.presenters import account_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import AccountOut
from adapters.http.schemas.requests import PRINTABLE, IdentifierIn
from adapters.phone_numbers import identifiers_of
from domain.identifiers import Identifier

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

Kind = Literal["phone", "card", "email"]


def normalised(kind: Kind, value: str, phone_region: str) -> Identifier:
    [identifier] = identifiers_of(
        phone_number=value if kind == "phone" else None,
        card_number=value if kind == "card" else None,
        email_address=value if kind == "email" else None,
        region=phone_region,
    )
    return identifier


@router.post("/{account_id}/identifiers", responses=problem_responses(401, 403, 404, 409, 422))
async def add_identifier(
    account_id: UUID,
    body: IdentifierIn,
    principal: Staff,
    operations: Operations,
    region: PhoneRegion,
) -> AccountOut:
    """Give the account a phone, card number or e-mail the till can find it by. One it holds
    already changes nothing; one another account holds answers 409 `identifier_taken`."""
    view = await identifier_operations(operations).add_identifier(
        principal.business_id, account_id, normalised(body.kind, body.value, region)
    )
    return account_out(view)


@router.delete(
    "/{account_id}/identifiers/{kind}/{value}", responses=problem_responses(401, 403, 404, 422)
)
async def remove_identifier(
    account_id: UUID,
    kind: Kind,
    value: Annotated[str, Path(min_length=1, max_length=254, pattern=PRINTABLE)],
    principal: Manager,
    operations: Operations,
    region: PhoneRegion,
) -> AccountOut:
    """Take an identifier from the account (in any format that normalises to it); 404 when
    the account does not hold it."""
    view = await identifier_operations(operations).remove_identifier(
        principal.business_id, account_id, normalised(kind, value, region)
    )
    return account_out(view)
