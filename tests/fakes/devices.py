"""In-memory paired devices and staff PINs (``ports.devices.DeviceRegistry``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from domain.devices import Device, StaffPin, after_attempt


@dataclass
class FakeDevices:
    devices_by_key: dict[tuple[str, UUID], Device] = field(default_factory=dict)
    pins: dict[tuple[str, str], StaffPin] = field(default_factory=dict)
    active_checks: int = 0
    """How many times ``is_active`` was asked: once per device-token request."""

    async def add(self, device: Device) -> None:
        key = (device.business_id, device.device_id)
        if key in self.devices_by_key:
            raise KeyError(f"device {device.device_id} exists")
        self.devices_by_key[key] = device

    async def devices(self, business_id: str) -> list[Device]:
        found = [d for (b, _), d in self.devices_by_key.items() if b == business_id]
        return sorted(found, key=lambda d: (d.paired_at, str(d.device_id)))

    async def revoke(
        self, business_id: str, device_id: UUID, by: str, at: datetime
    ) -> Device | None:
        device = self.devices_by_key.get((business_id, device_id))
        if device is None:
            return None
        if device.revoked_at is None:
            device = replace(device, revoked_at=at, revoked_by=by)
            self.devices_by_key[(business_id, device_id)] = device
        return device

    async def is_active(self, business_id: str, device_id: UUID) -> bool:
        self.active_checks += 1
        device = self.devices_by_key.get((business_id, device_id))
        return device is not None and device.active

    async def set_pin(self, pin: StaffPin) -> None:
        self.pins[(pin.business_id, pin.staff_id)] = replace(
            pin, failed_attempts=0, locked_until=None
        )

    async def take_attempt(self, business_id: str, staff_id: str, now: datetime) -> StaffPin | None:
        before = self.pins.get((business_id, staff_id))
        if before is not None:
            self.pins[(business_id, staff_id)] = after_attempt(before, now)
        return before

    async def clear_attempts(self, business_id: str, staff_id: str) -> None:
        pin = self.pins.get((business_id, staff_id))
        if pin is not None:
            self.pins[(business_id, staff_id)] = replace(pin, failed_attempts=0, locked_until=None)
