"""Use cases on paired tablets and staff PINs."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

from domain.devices import (
    PIN_PATTERN,
    Device,
    PairDevice,
    SetStaffPin,
    StaffPin,
    StaffPinLocked,
    StaffPinRefused,
    check_pin_shape,
    hash_pin,
    locked,
    pin_matches,
)
from domain.errors import InvalidRequest, NotFound
from ports.clock import Clock
from ports.devices import DeviceRegistry

# One answer whether the staff member or the PIN is wrong: no way to learn who has a PIN.
WRONG_PIN = "Wrong staff member or PIN."


class DeviceNotFound(NotFound):
    code = "device_not_found"


class Devices:
    def __init__(self, registry: DeviceRegistry, clock: Clock) -> None:
        self._registry = registry
        self._clock = clock

    async def pair(self, command: PairDevice) -> Device:
        if not command.name.strip():
            raise InvalidRequest("A device needs a name.")
        device = Device(
            business_id=command.business_id,
            device_id=uuid4(),
            name=command.name.strip(),
            paired_by=command.paired_by,
            paired_at=self._clock.now(),
            store_id=command.store_id,
            terminal_id=command.terminal_id,
        )
        await self._registry.add(device)
        return device

    async def devices(self, business_id: str) -> list[Device]:
        return await self._registry.devices(business_id)

    async def revoke(self, business_id: str, device_id: UUID, by: str) -> Device:
        """Revoked for good: its token is refused from its next request on."""
        device = await self._registry.revoke(business_id, device_id, by, self._clock.now())
        if device is None:
            raise DeviceNotFound("No such device.")
        return device

    async def is_active(self, business_id: str, device_id: UUID) -> bool:
        return await self._registry.is_active(business_id, device_id)

    async def set_pin(self, command: SetStaffPin) -> None:
        check_pin_shape(command.pin)
        if not command.staff_id.strip():
            raise InvalidRequest("Name the staff member the PIN is for.")
        # The slow hash runs off the event loop, so other requests go on meanwhile.
        hashed = await asyncio.to_thread(
            hash_pin, command.business_id, command.staff_id, command.pin
        )
        await self._registry.set_pin(
            StaffPin(
                command.business_id, command.staff_id, hashed, command.set_by, self._clock.now()
            )
        )

    async def staff_by_pin(self, business_id: str, staff_id: str, pin: str) -> str:
        """The attempt is taken before the PIN is checked, so guesses sent at once share the
        bound (``domain.devices``); a success clears the run of failures."""
        now = self._clock.now()
        before = await self._registry.take_attempt(business_id, staff_id, now)
        if before is None:
            raise StaffPinRefused(WRONG_PIN)
        if locked(before, now):
            assert before.locked_until is not None
            raise StaffPinLocked(
                "Too many wrong PINs for this staff member; try again later.", before.locked_until
            )
        if PIN_PATTERN.fullmatch(pin) is not None and await asyncio.to_thread(
            pin_matches, before, pin
        ):
            await self._registry.clear_attempts(business_id, staff_id)
            return staff_id
        raise StaffPinRefused(WRONG_PIN)
