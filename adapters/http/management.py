"""The consumer role's management server: /healthz, /readyz and /metrics on their own port.

A consumer process serves no API, yet the orchestrator needs to know whether it lives and is
ready, and Prometheus needs its figures (lag, batches, the outbox). No token: like the API's
operational routes, it answers inside the cluster and reveals nothing but check names.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from adapters.http.problems import problem_response
from ports.operations import HealthCheck

log = structlog.get_logger("loyalty.management")


def create_management_app(
    readiness: HealthCheck, liveness: HealthCheck, registry: CollectorRegistry
) -> FastAPI:
    """``/healthz`` answers ``liveness``, ``/readyz`` ``readiness`` (200, or 503 as a problem
    naming what is down); ``/metrics`` the process's and ``registry``'s metrics."""
    app = FastAPI(title="Loyalty consumer management", docs_url=None, redoc_url=None)
    app.openapi_url = None

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return await _answer(liveness, "ok", "not_alive", "Not alive")

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        return await _answer(readiness, "ready", "not_ready", "Not ready")

    @app.get("/metrics")
    async def metrics() -> Response:
        exposition = generate_latest(REGISTRY)
        if registry is not REGISTRY:
            exposition += generate_latest(registry)
        return Response(exposition, media_type=CONTENT_TYPE_LATEST)

    return app


async def _answer(check: HealthCheck, good: str, code: str, title: str) -> JSONResponse:
    try:
        checks = await check()
    except Exception:
        log.exception("management.health_check_failed")
        checks = {"health_check": False}
    down = sorted(name for name, up in checks.items() if not up)
    if down:
        detail = f"{title}: {', '.join(down)} unavailable."
        return problem_response(503, code, detail, title=title, checks=checks)
    return JSONResponse({"status": good, "checks": checks})
