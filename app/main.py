"""create_app(): settings, reference data, routers, error handlers, limits, lifecycle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, FastAPI

from app.api import admin, check, check_image, health, reports, tickets
from app.api.schemas import CheckRequest
from app.checking import context_for, warm_up
from app.config import Settings, get_settings
from app.engine.learned import layer_for
from app.engine.reference import load_reference
from app.gctuning import tune_for_serving
from app.http.errors import install_error_handlers
from app.http.limits import BodyLimitMiddleware
from app.http.openapi import install_openapi
from app.mail import router as mail
from app.ocr.service import build_ocr, ocr_lifecycle
from app.services import Services
from app.store.lifecycle import campaign_index_lifecycle, database_lifecycle
from app.web import router as web
from app.web.headers import SecurityHeadersMiddleware
from app.zalo import router as zalo
from app.zalo.events import Event as ZaloEvent
from app.zalo.lifecycle import zalo_lifecycle

# Parts of the service with a start and a stop (database engine, delivery workers), entered
# in order at start-up and left in reverse at shutdown.
Lifecycle = Callable[[FastAPI, Services], AbstractAsyncContextManager[None]]
LIFECYCLES: list[Lifecycle] = [zalo_lifecycle]
# Bodies that may carry an image (the API, the web form's check), and what the other fields
# of their form may add to it.
IMAGE_PATHS = frozenset({"/v1/check/image", "/check"})
FORM_ROOM = 256 * 1024


log = logging.getLogger("thatgia")

# Every router of the service, in the order FastAPI tries them (create_app says why).
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    check.router,
    check_image.router,
    zalo.router,
    tickets.router,
    reports.router,
    mail.router,
    web.router,
    admin.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Loaded before serving anything: a broken reference file must stop start-up.
    reference = load_reference(settings.reference_file)
    # The model too: a broken model file stops start-up, it does not fail each check.
    services = Services(
        settings,
        reference,
        text_layer=layer_for(
            reference, enabled=settings.learned_model, path=settings.learned_model_file
        ),
    )
    # Without Tesseract the service still starts; /readyz and /v1/check/image say so.
    services.ocr = ocr = build_ocr(settings)
    # The database first: the other parts may use it while they start and stop.
    lifecycles: list[Lifecycle] = [
        lambda _a, s: database_lifecycle(s),
        lambda _a, s: campaign_index_lifecycle(s),
        *LIFECYCLES,
        lambda _a, _s: ocr_lifecycle(ocr),
    ]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm_up(context_for(services))
        async with AsyncExitStack() as stack:
            for part in lifecycles:
                await stack.enter_async_context(part(app, services))
            tune_for_serving()
            yield

    app = FastAPI(
        title="thatgia",
        summary="Thật hay giả? Is this really the State Treasury's IT support?",
        version="1.0.0",
        lifespan=lifespan,
        # The service exports Prometheus metrics (/metrics) and no OpenTelemetry: FastAPI's
        # own OpenTelemetry hooks would look for providers on every request (~6 µs).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.services = services
    if ocr.problem:
        services.unavailable["ocr"] = ocr.problem
    if settings.web_secret is None:
        log.warning(
            "THATGIA_SECRET_KEY is not set: web form tokens are signed with a random key of "
            "this process; set it when running several workers or replicas"
        )
    install_error_handlers(app)

    def limit_for(path: str) -> int:
        if path.startswith("/v1/mail"):
            return settings.mail_max_bytes
        if path in IMAGE_PATHS:  # the image, and room for the form around it
            return settings.ocr_max_bytes + FORM_ROOM
        return settings.max_request_bytes

    app.add_middleware(
        BodyLimitMiddleware, limit_for=limit_for, read_timeout=settings.body_read_timeout
    )
    # Outermost, so refusals by the body limit carry the security headers too.
    app.add_middleware(SecurityHeadersMiddleware, too_large_page=web.too_large_page)
    # FastAPI tries the routers in this order, each costing a few microseconds a request:
    # the probes, then the endpoints that take the load (checks, Zalo's webhook), then the rest.
    # With Zalo's router last and its signature read as a Header() parameter, a webhook
    # acknowledgement took 0.41-0.47 ms of server CPU against 0.33-0.41 (make bench
    # SUITES=zalo, two alternating runs); tests/test_routing.py: no path changes hands.
    for router in ROUTERS:
        app.include_router(router)
    install_openapi(app, services.reference, [CheckRequest, ZaloEvent])
    return app
