"""Webhooks for managers: register an HTTPS endpoint for the entry kinds a tool wants, list
and remove endpoints, see deliveries and send one again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from adapters.http.dependencies import Manager, Now
from adapters.http.problems import ProblemError, problem_responses
from domain.ledger import EntryKind
from domain.webhooks import Delivery, Endpoint, InvalidEndpoint, checked_url, new_secret, wanted
from ports.webhooks import WebhookStore

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


async def webhook_store(request: Request) -> WebhookStore:
    found: WebhookStore | None = getattr(request.app.state, "webhooks", None)
    if found is None:
        raise ProblemError(503, "webhooks_unavailable", "Webhooks are not kept here.")
    return found


Store = Annotated[WebhookStore, Depends(webhook_store)]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=2048, examples=["https://crm.example.com/hooks"])
    kinds: list[EntryKind] = Field(
        default_factory=list, max_length=64, description="Entry kinds to send; none: every kind."
    )


class EndpointOut(BaseModel):
    endpoint_id: UUID
    url: str
    kinds: list[str]
    created_at: datetime
    created_by: str


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="Signs every delivery (`Loyalty-Signature`); shown once.")


class DeliveryOut(BaseModel):
    delivery_id: int
    entry_id: UUID
    account_id: UUID
    seq: int
    kind: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


def endpoint_out(endpoint: Endpoint) -> EndpointOut:
    return EndpointOut(
        endpoint_id=endpoint.endpoint_id,
        url=endpoint.url,
        kinds=sorted(endpoint.kinds),
        created_at=endpoint.created_at,
        created_by=endpoint.created_by,
    )


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        delivery_id=d.delivery_id, entry_id=d.entry_id, account_id=d.account_id, seq=d.seq,
        kind=d.kind, state=d.state, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
        last_status=d.last_status, last_error=d.last_error, delivered_at=d.delivered_at,
    )  # fmt: skip


def _not_found() -> ProblemError:
    return ProblemError(404, "not_found", "No such webhook endpoint or delivery.")


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 422))
async def register(
    body: EndpointIn, principal: Manager, store: Store, clock: Now, request: Request,
    response: Response,
) -> EndpointCreatedOut:  # fmt: skip
    """Deliver the business's ledger entries of these kinds, from now on, signed with the
    secret answered here (only here)."""
    allow_http = bool(getattr(request.app.state, "webhook_allow_http", False))
    allow_private = bool(getattr(request.app.state, "webhook_allow_private", False))
    try:
        url = checked_url(body.url, allow_http, allow_private)
        kinds = wanted([kind.value for kind in body.kinds], (kind.value for kind in EntryKind))
    except InvalidEndpoint as error:
        raise ProblemError(422, "invalid_webhook", str(error)) from error
    endpoint = Endpoint(
        business_id=principal.business_id, endpoint_id=uuid4(), url=url, kinds=kinds,
        created_at=clock.now(), created_by=principal.actor, secret=new_secret(),
    )  # fmt: skip
    await store.add(endpoint)
    response.headers["Location"] = f"/v1/webhooks/{endpoint.endpoint_id}"
    return EndpointCreatedOut(**endpoint_out(endpoint).model_dump(), secret=endpoint.secret)


@router.get("", responses=problem_responses(401, 403))
async def list_endpoints(principal: Manager, store: Store) -> list[EndpointOut]:
    return [endpoint_out(e) for e in await store.endpoints(principal.business_id)]


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
async def remove(endpoint_id: UUID, principal: Manager, store: Store, clock: Now) -> None:
    """Stop delivering; past deliveries stay on record."""
    if not await store.remove(principal.business_id, endpoint_id, clock.now()):
        raise _not_found()


@router.get("/{endpoint_id}/deliveries", responses=problem_responses(401, 403, 422))
async def deliveries(
    endpoint_id: UUID,
    principal: Manager,
    store: Store,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The latest deliveries first, with their outcome."""
    found = await store.deliveries(principal.business_id, endpoint_id, limit)
    return [delivery_out(d) for d in found]


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    responses=problem_responses(401, 403, 404, 422),
)
async def redeliver(
    endpoint_id: UUID, delivery_id: DeliveryId, principal: Manager, store: Store, clock: Now
) -> DeliveryOut:
    """Send the delivery again now (in its place in the account's order)."""
    found = await store.redeliver(principal.business_id, endpoint_id, delivery_id, clock.now())
    if found is None:
        raise _not_found()
    return delivery_out(found)
