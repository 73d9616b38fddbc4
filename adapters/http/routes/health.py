"""Liveness, readiness and metrics: for the orchestrator and Prometheus, no token needed."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from adapters.http.dependencies import Health
from adapters.http.metrics import HttpMetrics
from adapters.http.problems import ProblemError, problem_responses
from adapters.http.schemas import ReadyOut

log = structlog.get_logger("loyalty.http")
router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
async def readyz(health: Health) -> ReadyOut:
    """Every dependency answers (database, broker) and every background loop runs (consumer,
    outbox relay, expiry sweep); otherwise 503 listing which do not."""
    try:
        checks = await health()
    except Exception:
        log.exception("http.readiness_check_failed")
        checks = {"health_check": False}
    down = sorted(name for name, up in checks.items() if not up)
    if down:
        raise ProblemError(
            503,
            "not_ready",
            f"Not ready: {', '.join(down)} unavailable.",
            title="Not ready",
            checks=checks,
        )
    return ReadyOut(status="ready", checks=checks)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition: the process's metrics and this API's request metrics."""
    http: HttpMetrics = request.app.state.metrics
    exposition = generate_latest(REGISTRY)
    if http.registry is not REGISTRY:
        exposition += generate_latest(http.registry)
    return Response(exposition, media_type=CONTENT_TYPE_LATEST)
