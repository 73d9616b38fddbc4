"""Bodies of the device, staff PIN and account closing requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from adapters.http.schemas.requests import PRINTABLE, RequestBody

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=PRINTABLE)
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE)
]


class DeviceIn(RequestBody):
    name: Name
    store_id: Name | None = None
    terminal_id: Name | None = None


class StaffPinIn(RequestBody):
    pin: Annotated[str, Field(pattern=r"^[0-9]{4,12}$", description="4 to 12 digits.")]


class ClosureIn(RequestBody):
    reason: Reason


class DeviceOut(BaseModel):
    device_id: UUID
    name: str
    store_id: str | None
    terminal_id: str | None
    paired_by: str
    paired_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    active: bool


class DevicePairedOut(DeviceOut):
    token: str = Field(
        description="The tablet's bearer token (role cashier, bound to this device): shown "
        "once; revoking the device makes it worthless at once."
    )
