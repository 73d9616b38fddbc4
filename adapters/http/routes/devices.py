"""Paired POS tablets and staff PINs: pair, list and revoke tablets; set a staff PIN (admin)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from adapters.http.callers import device_token_settings, mint_device_token
from adapters.http.dependencies import Admin, Devices
from adapters.http.problems import problem_responses
from adapters.http.schemas.devices import DeviceIn, DeviceOut, DevicePairedOut, StaffPinIn
from domain.devices import Device, PairDevice, SetStaffPin

router = APIRouter(tags=["devices"])


def device_out(device: Device) -> DeviceOut:
    return DeviceOut(
        device_id=device.device_id,
        name=device.name,
        store_id=device.store_id,
        terminal_id=device.terminal_id,
        paired_by=device.paired_by,
        paired_at=device.paired_at,
        revoked_at=device.revoked_at,
        revoked_by=device.revoked_by,
        active=device.active,
    )


@router.post(
    "/v1/devices",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
async def pair(
    body: DeviceIn, principal: Admin, devices: Devices, request: Request, response: Response
) -> DevicePairedOut:
    """Pair a tablet: its token (role cashier) acts for this business, with the pairing admin
    as principal of record and the tablet named on every entry it makes, until revoked."""
    settings = device_token_settings(request)
    device = await devices.pair(
        PairDevice(
            business_id=principal.business_id,
            name=body.name,
            paired_by=principal.actor,
            store_id=body.store_id,
            terminal_id=body.terminal_id,
        )
    )
    token = mint_device_token(
        settings,
        business_id=device.business_id,
        device_id=device.device_id,
        paired_by=device.paired_by,
        store_id=device.store_id,
        terminal_id=device.terminal_id,
    )
    response.headers["Location"] = f"/v1/devices/{device.device_id}"
    return DevicePairedOut(**device_out(device).model_dump(), token=token)


@router.get("/v1/devices", responses=problem_responses(401, 403))
async def list_devices(principal: Admin, devices: Devices) -> list[DeviceOut]:
    return [device_out(d) for d in await devices.devices(principal.business_id)]


@router.delete("/v1/devices/{device_id}", responses=problem_responses(401, 403, 404, 422))
async def revoke(device_id: UUID, principal: Admin, devices: Devices) -> DeviceOut:
    """Revoke for good: the tablet's token is refused (401) from its next request on."""
    return device_out(await devices.revoke(principal.business_id, device_id, principal.actor))


@router.put(
    "/v1/staff/{staff_id}/pin",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 422),
)
async def set_pin(staff_id: str, body: StaffPinIn, principal: Admin, devices: Devices) -> None:
    """Set a staff member's PIN (stored as a slow salted hash), for `X-Staff-Pin`."""
    await devices.set_pin(
        SetStaffPin(
            business_id=principal.business_id,
            staff_id=staff_id,
            pin=body.pin,
            set_by=principal.actor,
        )
    )
