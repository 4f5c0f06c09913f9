"""The client's door: ``/entrar`` (login), ``/sair`` (logout), ``/inicio`` (landing page)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from espaco.domain.errors import Invalid
from espaco.services.access import login, sessions
from espaco.services.collections import pendencias
from espaco.settings import Settings
from espaco.web.auth import (
    CLIENT_COOKIE,
    DEVICE_COOKIE,
    YEAR,
    clear_cookie,
    client_ip,
    clock_of,
    pause_refusal,
    read_cookie,
    set_cookie,
)
from espaco.web.guards import PUBLIC, Client, client_only
from espaco.web.pages import page
from espaco.web.redirects import CLIENT_HOME, redirect, return_path

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/entrar", include_in_schema=False, opt=PUBLIC)
async def login_page(request: Request) -> Response[str]:
    """The client's login form: CNPJ or CPF and the access code."""
    volta = return_path(request.query_params.get("volta"))
    context: dict[str, Any] = {"document": "", "errors": {}, "volta": volta}
    return page(request, "entrar.html", context, fragment="partials/entrar_form.html")


@post("/entrar", include_in_schema=False, opt=PUBLIC)
async def login_submit(request: Request, data: Form) -> Response[str]:
    settings: Settings = request.app.state.settings
    document = str(data.get("documento", ""))[:40]
    volta = return_path(data.get("volta"))
    try:
        result = await login.attempt_login(
            document,
            str(data.get("codigo", ""))[:80],
            ip=client_ip(request, settings),
            device_cookie=read_cookie(request, DEVICE_COOKIE),
            secret=settings.secret_key,
            now=clock_of(request).now(),
            tz=settings.tz,
        )
    except Invalid as invalid:
        message = "Confira os campos destacados."
        return _login_form(request, document, invalid.errors, message, 422, volta)
    if result.client_id is None:
        await pause_refusal(result.refused or result.busy)
        status = 503 if result.busy else 429 if result.locked_until else 422
        return _login_form(request, document, {}, result.error, status, volta)
    # A new id at every login: a cookie sent before login is never promoted (no fixation).
    await sessions.end_session(read_cookie(request, CLIENT_COOKIE))
    raw = await sessions.create_session(
        now=clock_of(request).now(),
        ip=client_ip(request, settings),
        client_id=result.client_id,
        group_id=result.group_id,
    )
    response = redirect(request, volta or CLIENT_HOME)
    set_cookie(response, settings, CLIENT_COOKIE, raw)
    normalized = login.normalized_document(document)
    set_cookie(
        response,
        settings,
        DEVICE_COOKIE,
        login.device_token(settings.secret_key, normalized),
        max_age=YEAR,
    )
    return response


def _login_form(
    request: Request,
    document: str,
    errors: dict[str, str],
    message: str | None,
    status: int,
    volta: str | None,
) -> Response[str]:
    context = {"document": document, "errors": errors, "message": message, "volta": volta}
    return page(
        request, "entrar.html", context, fragment="partials/entrar_form.html", status_code=status
    )


@post("/sair", include_in_schema=False, opt=PUBLIC)
async def logout(request: Request) -> Response[str]:
    settings: Settings = request.app.state.settings
    await sessions.end_session(read_cookie(request, CLIENT_COOKIE))
    response = redirect(request, "/entrar")
    clear_cookie(response, settings, CLIENT_COOKIE)
    return response


@get("/inicio", include_in_schema=False, guards=[client_only])
async def home(request: Request, client: Client) -> Response[str]:
    """The client's landing page after login, with its waste pendências."""
    settings: Settings = request.app.state.settings
    day = clock_of(request).today()

    async def of(client_id: int, version: int | None = None) -> pendencias.Pendencias:
        return await pendencias.pendencias(
            client_id, day, cdf_wait_days=settings.cdf_wait_days,
            mtr_saved_days=settings.mtr_saved_days, version=version,
        )  # fmt: skip

    # A group's landing page: each unit's pendências (each cached per unit), with its report.
    by_unit = [(u, await of(u.id)) for u in client.units] if client.is_group else None
    found = await of(client.client_id, client.data_version)
    context = {"client": client, "pendencias": found, "unit_pendencias": by_unit}
    return page(request, "inicio.html", context)
