"""The API with every router mounted (tablets and reports too), over the in-memory shop."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from service.use_cases.devices import Devices
from service.use_cases.reports import Reports
from tests.fakes.devices import FakeDevices
from tests.fakes.reports import FakeReports

from .conftest import SECRET, Shop


def full_app(shop: Shop) -> FastAPI:
    return create_http_app(
        shop.operations,
        shop.health,
        AuthSettings(hs256_secret=SECRET),
        clock=shop.clock,
        registry=CollectorRegistry(),
        devices=Devices(FakeDevices(), shop.clock),
        reports=Reports(FakeReports(shop.store), shop.clock),
    )
