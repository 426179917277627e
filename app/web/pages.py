"""The pages of the staff web form: the form, a checked result, a report, refusals."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping

from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.checking import run_check
from app.http.clientaddr import client_address
from app.services import Services
from app.web import csrf
from app.web.forms import CHANNELS, FIELDS, FormErrors, FormInput, validate
from app.web.image import read_image, read_post
from app.web.render import PageState, page_state, render
from app.web.reporting import ReportOutcome, record_scam_report
from app.web.view import ResultView, result_view

NOTE_MAX = 500
FIELD_IDS = {name: name for name in (*FIELDS, "image")}


def _form_value(data: FormData | Mapping[str, str], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def _token_ok(request: Request, services: Services, data: FormData | Mapping[str, str]) -> bool:
    key = csrf.signing_key(services)
    return csrf.token_is_valid(key, request.cookies.get(csrf.COOKIE), _form_value(data, csrf.FIELD))


def form_page(
    request: Request,
    services: Services,
    state: PageState,
    *,
    form: FormInput | None = None,
    errors: FormErrors | None = None,
    result: ResultView | None = None,
    status: int = 200,
    from_image: bool = False,
) -> HTMLResponse:
    """The form, with the checked result above it when there is one."""
    form = form or FormInput()
    return render(
        request,
        services,
        state,
        "index.html",
        status=status,
        form=form,
        errors=errors or FormErrors(),
        result=result,
        channels=[c.value for c in CHANNELS],
        field_ids=FIELD_IDS,
        message_length=str(len(form.message)),
        note_max=NOTE_MAX,
        from_image=from_image,
    )


async def check_page(request: Request, services: Services) -> HTMLResponse:
    posted = await read_post(request)
    data = posted.fields
    state = page_state(request, services, _form_value(data, "lang"))
    form = FormInput.from_form(data)
    if posted.error:
        errors = FormErrors({"form": posted.error})
        return form_page(request, services, state, form=form, errors=errors, status=422)
    if not _token_ok(request, services, data):
        return form_page(
            request,
            services,
            state,
            form=form,
            errors=FormErrors({"form": "error_csrf"}),
            status=403,
        )
    if posted.image is not None:
        # The image's text is the message: shown in the box, to correct and check again.
        read = await read_image(posted.image, services)
        if read.error:
            errors = FormErrors({"image": read.error})
            return form_page(request, services, state, form=form, errors=errors, status=read.status)
        form = dataclasses.replace(form, message=read.text)
    checked = validate(form, services.settings.max_message_chars)
    if isinstance(checked, FormErrors):
        status = 413 if checked.too_long else 422
        return form_page(request, services, state, form=form, errors=checked, status=status)
    outcome = await run_check(checked, services)
    result = result_view(outcome, checked.message, state.lang, services.reference)
    from_image = posted.image is not None
    return form_page(request, services, state, form=form, result=result, from_image=from_image)


def _valid_check_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


_REPORT_PAGES = {
    ReportOutcome.RECORDED: (200, "ok", "report_done_heading", "report_done"),
    ReportOutcome.ALREADY_REPORTED: (200, "ok", "report_done_heading", "report_already"),
    ReportOutcome.UNKNOWN_CHECK: (404, "bad", "report_failed_heading", "report_unknown"),
    ReportOutcome.UNAVAILABLE: (503, "bad", "report_failed_heading", "report_unavailable"),
    ReportOutcome.TOO_MANY: (429, "bad", "report_failed_heading", "report_too_many"),
}


async def report_page(request: Request, services: Services) -> HTMLResponse:
    data = await request.form()
    state = page_state(request, services, _form_value(data, "lang"))
    check_id = _valid_check_id(_form_value(data, "check_id"))
    note = (_form_value(data, "note") or "").strip()
    if not _token_ok(request, services, data):
        page = (403, "bad", "report_failed_heading", "error_csrf_report")
    elif check_id is None or len(note) > NOTE_MAX:
        page = (422, "bad", "report_failed_heading", "report_invalid")
    else:
        client = client_address(request, services.settings)
        outcome = await record_scam_report(services, check_id, note or None, client)
        page = _REPORT_PAGES[outcome]
    status, tone, heading, message = page
    response = render(
        request,
        services,
        state,
        "report.html",
        status=status,
        tone=tone,
        heading=heading,
        message=message,
        check_id=str(check_id) if check_id else "",
    )
    if status == 429:
        response.headers["Retry-After"] = str(services.settings.report_rate_window_seconds)
    return response


async def too_large_page(scope: Scope, receive: Receive, send: Send) -> None:
    """The form page in place of the raw refusal of a body past the request size limit."""
    request = Request(scope, receive)
    services: Services = request.app.state.services
    state = page_state(request, services)
    errors = FormErrors({"message": "error_body_too_large"}, too_long=True)
    response = form_page(request, services, state, errors=errors, status=413)
    await response(scope, receive, send)
