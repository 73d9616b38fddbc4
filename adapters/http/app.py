"""The FastAPI application: routes, problem handlers, metrics and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from prometheus_client import CollectorRegistry

from adapters.http.auth import AUTH_STATE_KEY, AuthSettings
from adapters.http.body_guard import DEFAULT_MAX_BODY_BYTES, BodyGuard
from adapters.http.dependencies import no_unknown_query_parameters
from adapters.http.handlers import install_problem_handlers
from adapters.http.metrics import HttpMetrics, MetricsMiddleware
from adapters.http.openapi import TAGS, finish_document, operation_id
from adapters.http.problems import problem_schemas
from adapters.http.request_id import RequestIdMiddleware
from adapters.http.routes import accounts, history, identifiers, programme, redemptions, rewards
from adapters.http.routes import devices as tablets
from adapters.http.routes import erasure as erasure_routes
from adapters.http.routes import exports as ledger_exports
from adapters.http.routes import health as operational
from adapters.http.routes import merges as merge_routes
from adapters.http.routes import referrals as referral_codes
from adapters.http.routes import reports as operator_reports
from adapters.http.routes import simulations as simulation_routes
from adapters.http.routes import webhooks as webhook_routes
from adapters.phone_numbers import DEFAULT_REGION
from adapters.system_clock import SystemClock
from adapters.tracing import instrument_http
from ports.clock import Clock
from ports.devices import DeviceOperations
from ports.erasure import ErasureOperations
from ports.exports import Exports
from ports.operations import HealthCheck, LoyaltyOperations
from ports.reports import ReportOperations
from ports.simulation import Simulations
from ports.webhooks import WebhookStore

TITLE = "Loyalty points API"

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _with_problem_schemas(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The generated document, plus the Problem schema the declared error answers refer to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schemas())
            app.openapi_schema = finish_document(document)
        return app.openapi_schema

    return openapi


def create_http_app(
    operations: LoyaltyOperations,
    health: HealthCheck,
    auth: AuthSettings,
    lifespan: Lifespan | None = None,
    *,
    clock: Clock | None = None,
    registry: CollectorRegistry | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    devices: DeviceOperations | None = None,
    reports: ReportOperations | None = None,
    webhooks: WebhookStore | None = None,
    webhook_allow_http: bool = False,
    webhook_allow_private: bool = False,
    erasures: ErasureOperations | None = None,
    exports: Exports | None = None,
    tracer_provider: Any | None = None,
    simulations: Simulations | None = None,
    phone_region: str = DEFAULT_REGION,
) -> FastAPI:
    """The API over ``operations``. HTTP metrics go to ``registry`` (default: one per app).

    Bodies over ``max_body_bytes`` are refused (413), and on the API's paths a caller without
    a valid token hears 401 before its body is read.
    """
    app = FastAPI(
        title=TITLE,
        version="1.0.0",
        description="Enrol customers, look balances up, preview and redeem points. "
        "Every call needs a bearer token; the business comes from the token.",
        lifespan=lifespan,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
    )
    metrics = HttpMetrics(registry or CollectorRegistry(auto_describe=True))
    app.state.operations = operations
    app.state.phone_region = phone_region
    app.state.health = health
    app.state.clock = clock or SystemClock()
    app.state.metrics = metrics
    setattr(app.state, AUTH_STATE_KEY, auth)
    app.state.devices = devices  # without it, tablet tokens are refused (revocation unknown)
    strict_query = [Depends(no_unknown_query_parameters)]
    for module in (programme, accounts, redemptions, history, rewards):
        app.include_router(module.router, dependencies=strict_query)
    app.include_router(referral_codes.router, dependencies=strict_query)
    app.include_router(identifiers.router, dependencies=strict_query)
    app.include_router(merge_routes.router, dependencies=strict_query)
    if devices is not None:  # the tablet routes exist only where a registry backs them
        app.include_router(tablets.router, dependencies=strict_query)
    app.state.reports = reports
    if reports is not None:  # like the tablets: only where a store backs them
        app.include_router(operator_reports.router, dependencies=strict_query)
    app.state.exports = exports
    if exports is not None:
        app.include_router(ledger_exports.router, dependencies=strict_query)
    app.state.erasures = erasures
    if erasures is not None:  # like the reports: only where a store backs it
        app.include_router(erasure_routes.router, dependencies=strict_query)
    app.state.simulations = simulations
    if simulations is not None:  # like the exports: only where a runner backs it
        app.include_router(simulation_routes.router, dependencies=strict_query)
    app.state.webhooks = webhooks
    app.state.webhook_allow_http = webhook_allow_http  # http:// endpoints (operators)
    app.state.webhook_allow_private = webhook_allow_private  # this machine, private networks
    if webhooks is not None:
        app.include_router(webhook_routes.router, dependencies=strict_query)
    app.include_router(operational.router)
    app.add_middleware(BodyGuard, auth=auth, max_body_bytes=max_body_bytes)
    install_problem_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)  # outermost: its access line sees every answer
    instrument_http(app, tracer_provider)  # server spans, only where tracing is configured
    app.openapi = _with_problem_schemas(app)  # type: ignore[method-assign]
    return app
