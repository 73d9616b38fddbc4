"""Paired tablets and staff PINs: their store, and the operations the API drives."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.devices import Device, PairDevice, SetStaffPin, StaffPin


class DeviceRegistry(Protocol):
    """A business's paired devices and staff PINs. Each call is one short transaction of its
    own: none of it shares a transaction with the ledger, and ``is_active`` runs on every
    request a device token makes."""

    async def add(self, device: Device) -> None: ...

    async def devices(self, business_id: str) -> list[Device]: ...

    async def revoke(
        self, business_id: str, device_id: UUID, by: str, at: datetime
    ) -> Device | None:
        """The device, revoked (a second revocation keeps the first's time and author);
        None when the business has no such device."""
        ...

    async def is_active(self, business_id: str, device_id: UUID) -> bool: ...

    async def set_pin(self, pin: StaffPin) -> None:
        """Set or replace a staff member's PIN; its failed attempts start again."""
        ...

    async def take_attempt(self, business_id: str, staff_id: str, now: datetime) -> StaffPin | None:
        """The PIN as it was, with one attempt taken under its row lock
        (``domain.devices.after_attempt``); None when the staff member has no PIN."""
        ...

    async def clear_attempts(self, business_id: str, staff_id: str) -> None: ...


class DeviceOperations(Protocol):
    """What the API does with devices and staff PINs, scoped to one business.

    Errors: NotFound, InvalidRequest, StaffPinRefused, StaffPinLocked (domain.devices)."""

    async def pair(self, command: PairDevice) -> Device: ...

    async def devices(self, business_id: str) -> list[Device]: ...

    async def revoke(self, business_id: str, device_id: UUID, by: str) -> Device: ...

    async def is_active(self, business_id: str, device_id: UUID) -> bool: ...

    async def set_pin(self, command: SetStaffPin) -> None: ...

    async def staff_by_pin(self, business_id: str, staff_id: str, pin: str) -> str:
        """``staff_id`` when ``pin`` is theirs; else StaffPinRefused or StaffPinLocked."""
        ...
