"""The staff door: ``/admin/entrar`` (password, then the TOTP code or its enrolment),
``/admin/sair``, and ``/admin`` (sends each role to its first page)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from espaco.services.access import sessions, staff_login, staff_mfa
from espaco.services.access.staff_login import Pending
from espaco.settings import Settings
from espaco.tables import StaffRole
from espaco.web.admin.common import Form, admin_page
from espaco.web.auth import (
    STAFF_COOKIE,
    STAFF_DEVICE_COOKIE,
    YEAR,
    clear_cookie,
    client_ip,
    clock_of,
    pause_refusal,
    read_cookie,
    set_cookie,
)
from espaco.web.guards import PUBLIC, Staff, staff_only
from espaco.web.pages import page
from espaco.web.redirects import redirect

PENDING_COOKIE = "espaco_equipe_etapa"
LOGIN = "/admin/entrar"
CODE = "/admin/entrar/codigo"


def _login_form(
    request: Request, username: str = "", message: str | None = None, status_code: int = 200
) -> Response[str]:
    return page(
        request,
        "admin/entrar.html",
        {"username": username, "message": message},
        fragment="admin/partials/entrar_form.html",
        status_code=status_code,
    )


@get(LOGIN, include_in_schema=False, opt=PUBLIC)
async def login_page(request: Request) -> Response[str]:
    """Username and password."""
    return _login_form(request)


@post(LOGIN, include_in_schema=False, opt=PUBLIC)
async def login_submit(request: Request, data: Form) -> Response[str]:
    settings: Settings = request.app.state.settings
    username = str(data.get("usuario", ""))[:80]
    result = await staff_login.check_password(
        username,
        str(data.get("senha", ""))[:200],
        ip=client_ip(request, settings),
        device_cookie=read_cookie(request, STAFF_DEVICE_COOKIE),
        secret=settings.secret_key,
        now=clock_of(request).now(),
        tz=settings.tz,
        mfa_required=settings.staff_mfa == "required",
    )
    if result.staff_id is None:
        return _login_form(request, username.strip(), result.error, await _refused(result))
    if result.next_step is not None and result.pending is not None:
        response = redirect(request, CODE)
        set_cookie(
            response,
            settings,
            PENDING_COOKIE,
            result.pending,
            max_age=int(staff_login.PENDING_TTL.total_seconds()),
        )
        return response
    return await _open_session(request, result)


async def _refused(result: staff_login.StaffLoginResult) -> int:
    """The status of a refused step, after the pause a refusal unchecked waits."""
    await pause_refusal(result.refused or result.busy)
    return _status(result)


def _status(result: staff_login.StaffLoginResult) -> int:
    if result.busy:
        return 503
    return 429 if result.locked_until else 422


async def _open_session(request: Request, result: staff_login.StaffLoginResult) -> Response[str]:
    settings: Settings = request.app.state.settings
    # A new id at every login: a cookie sent before login is never promoted (no fixation).
    await sessions.end_session(read_cookie(request, STAFF_COOKIE))
    raw = await sessions.create_session(
        now=clock_of(request).now(), ip=client_ip(request, settings), staff_id=result.staff_id
    )
    response = redirect(request, "/admin")
    set_cookie(response, settings, STAFF_COOKIE, raw)
    clear_cookie(response, settings, PENDING_COOKIE)
    if result.device:
        set_cookie(response, settings, STAFF_DEVICE_COOKIE, result.device, max_age=YEAR)
    return response


async def _pending(request: Request) -> Pending | None:
    return await staff_login.read_pending(
        read_cookie(request, PENDING_COOKIE), now=clock_of(request).now()
    )


async def _code_form(
    request: Request, pending: Pending, message: str | None = None, status_code: int = 200
) -> Response[str]:
    settings: Settings = request.app.state.settings
    enrolment = None
    if pending.step == staff_login.STEP_ENROL:
        enrolment = await staff_mfa.start_enrolment(pending.staff_id, issuer=settings.provider_name)
    context: dict[str, Any] = {
        "enrol": pending.step == staff_login.STEP_ENROL and enrolment is not None,
        "enrolment": enrolment,
        "message": message,
    }
    return page(
        request,
        "admin/entrar_codigo.html",
        context,
        fragment="admin/partials/entrar_codigo_form.html",
        status_code=status_code,
    )


@get(CODE, include_in_schema=False, opt=PUBLIC)
async def code_page(request: Request) -> Response[str]:
    """The second step: the authenticator's code, or (MFA required) enrolment first."""
    pending = await _pending(request)
    if pending is None:
        return redirect(request, LOGIN)
    return await _code_form(request, pending)


@post(CODE, include_in_schema=False, opt=PUBLIC)
async def code_submit(request: Request, data: Form) -> Response[str]:
    settings: Settings = request.app.state.settings
    token = read_cookie(request, PENDING_COOKIE)
    result = await staff_login.check_code(
        token,
        str(data.get("codigo", ""))[:20],
        ip=client_ip(request, settings),
        device_cookie=read_cookie(request, STAFF_DEVICE_COOKIE),
        secret=settings.secret_key,
        now=clock_of(request).now(),
        tz=settings.tz,
    )
    if result.expired or result.staff_id is None:
        response = _login_form(request, message=result.error, status_code=422)
        clear_cookie(response, settings, PENDING_COOKIE)
        return response
    if result.next_step is not None:  # the code was refused
        pending = Pending(result.staff_id, result.epoch, result.next_step)
        return await _code_form(request, pending, result.error, await _refused(result))
    return await _open_session(request, result)


@post("/admin/sair", include_in_schema=False, opt=PUBLIC)
async def logout(request: Request) -> Response[str]:
    settings: Settings = request.app.state.settings
    await sessions.end_session(read_cookie(request, STAFF_COOKIE))
    response = redirect(request, LOGIN)
    clear_cookie(response, settings, STAFF_COOKIE)
    return response


@get("/admin", include_in_schema=False, guards=[staff_only])
async def admin_home(request: Request, staff: Staff) -> Response[str]:
    """Each role's first page: Cadastros for master users, the request queue for Planejamento."""
    if staff.role == StaffRole.master:
        return redirect(request, "/admin/clientes")
    if "/admin/solicitacoes" in request.app.route_handler_method_map:
        return redirect(request, "/admin/solicitacoes")
    return admin_page(request, staff, "admin/inicio.html", {})
