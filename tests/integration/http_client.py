"""The real HTTP API over real PostgreSQL, in process: the app, a clock, tokens."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, mint_token
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.containers import Container
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth

SECRET = "integration-secret-long-enough-for-hs256"


def real_app(uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock) -> FastAPI:
    """The container's operations over ``uow_factory``, timed by ``clock``."""
    container = Container()
    container.uow_factory.override(uow_factory)
    container.clock.override(clock)
    return create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=clock,
        registry=CollectorRegistry(),
    )


def auth(business: str, role: str = "cashier", terminal: str | None = "till-1") -> dict[str, str]:
    token = mint_token(SECRET, business, role, f"{role}-sam", terminal_id=terminal)
    return {"Authorization": f"Bearer {token}"}
