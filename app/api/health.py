"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from app.http.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, bool] = Field(description="Each dependency: whether it answers.")
    unavailable: dict[str, str] = Field(
        default_factory=dict,
        description="Optional parts that are off, with what to install; the service is "
        'ready without them (`"ocr"`: images cannot be read).',
    )


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"description": "Not ready", "model": Readiness}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready to serve: reference data loaded and every dependency reachable."""
    checks: dict[str, bool] = {"reference": services.reference is not None}
    for name, probe in services.readiness_probes.items():
        checks[name] = await probe()
    ready = all(checks.values())
    body = {"ready": ready, "checks": checks, "unavailable": services.unavailable}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
