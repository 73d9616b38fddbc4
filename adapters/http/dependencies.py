"""FastAPI dependencies: the port, the clock and the caller, taken from the app's state.

They are ``async def`` so FastAPI runs them on the event loop: a plain ``def`` dependency is
sent to a worker thread, a thread hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError

from adapters.http.auth import ALL_ROLES, Principal, Role
from adapters.http.callers import require
from adapters.http.problems import ProblemError
from domain.ledger import Attribution
from ports.clock import Clock
from ports.devices import DeviceOperations
from ports.operations import HealthCheck, LoyaltyOperations

MAX_USER_AGENT = 512


async def operations(request: Request) -> LoyaltyOperations:
    found: LoyaltyOperations = request.app.state.operations
    return found


async def device_operations(request: Request) -> DeviceOperations:
    found: DeviceOperations | None = getattr(request.app.state, "devices", None)
    if found is None:
        raise ProblemError(503, "devices_unavailable", "Tablets cannot be paired here.")
    return found


async def health_check(request: Request) -> HealthCheck:
    found: HealthCheck = request.app.state.health
    return found


async def clock(request: Request) -> Clock:
    found: Clock = request.app.state.clock
    return found


async def phone_region(request: Request) -> str:
    region: str = request.app.state.phone_region
    return region


Operations = Annotated[LoyaltyOperations, Depends(operations)]
PhoneRegion = Annotated[str, Depends(phone_region)]
"""Where a phone number without a country code is read (``Settings.phone_region``)."""
Devices = Annotated[DeviceOperations, Depends(device_operations)]
Health = Annotated[HealthCheck, Depends(health_check)]
Now = Annotated[Clock, Depends(clock)]

_any_role = require(*ALL_ROLES)
Staff = Annotated[Principal, Depends(_any_role)]
Manager = Annotated[Principal, Depends(require(Role.MANAGER, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def attribution(principal: Principal, request: Request) -> Attribution:
    """Who did it (from the token: for a paired tablet, the admin who paired it, the tablet
    and the staff member its PIN named) and from where (the connection), for the ledger."""
    agent = request.headers.get("user-agent")
    return Attribution(
        store_id=principal.store_id,
        terminal_id=principal.terminal_id,
        staff_id=principal.staff_id,
        device_id=str(principal.device_id) if principal.device_id else None,
        actor=principal.actor,
        ip_address=request.client.host if request.client else None,
        user_agent=agent[:MAX_USER_AGENT] if agent else None,
    )


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


async def no_unknown_query_parameters(request: Request, _: Staff) -> None:
    """A misspelt filter (``?kinds=earn``) is refused rather than silently ignored.

    It asks for a principal so that a caller without a valid token hears 401 first.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if not isinstance(dependant, Dependant):
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "Unknown parameter"}
                for name in unknown
            ]
        )
