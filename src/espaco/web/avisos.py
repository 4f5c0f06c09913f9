"""``/avisos``: the notices a client chooses — the "coleta realizada" e-mail (opt-in) and the
private calendar feed (create, renew, turn off) — and the feed itself, ``/agenda/<token>.ics``.

A group's session (matriz e filiais) sets each unit's notices: ``?unidade=`` picks the unit, as
on the Relatório de resíduos (``web/unidade.narrowed``: one unit at a time, by default the one
that logged in); each form posts the unit it shows, checked against the session's scope again.
A unit outside the scope is 404. A member's own session sees only itself.

The feed's URL is shown only in the answer to the POST that made it (never in a redirect, a
cookie or the page afterwards: only its hash is kept). The feed route takes no session; see
``services/collections/calendar_feed.py`` for the token and the throttle.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import HttpMethod, Request, get, post, route
from litestar.params import FromPath
from litestar.response import Response

from espaco.domain.errors import NotFound
from espaco.services.access.sessions import ClientSession
from espaco.services.collections import calendar_feed, done_email
from espaco.settings import Settings
from espaco.web import unidade as unidades
from espaco.web.auth import client_ip, clock_of, pause_refusal
from espaco.web.guards import PUBLIC, Client, client_only
from espaco.web.pages import confirmation, needs_confirmation, page
from espaco.web.portal_auth import Form
from espaco.web.redirects import redirect

PATH = "/avisos"
FEED_SUFFIX = ".ics"
# The longest feed path part that can be a token, with its suffix: anything longer is not one.
FEED_PART_MAX = 43 + len(FEED_SUFFIX)


def _here(client: ClientSession, anchor: str = "") -> str:
    """The page of the unit ``client`` is narrowed to (a group's names it: ``?unidade=``)."""
    return PATH + (f"?unidade={client.client_id}" if client.is_group else "") + anchor


async def _page(
    request: Request, client: ClientSession, *, feed_url: str | None = None, status_code: int = 200
) -> Response[str]:
    context: dict[str, Any] = {
        "client": client,
        "done_email": await done_email.is_enabled(client.client_id),
        "feed": await calendar_feed.state(client.client_id),
        "feed_url": feed_url,
        "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
    }
    return page(
        request,
        "avisos.html",
        context,
        fragment="partials/avisos_unidade.html",
        status_code=status_code,
    )


def _unit_field(client: ClientSession) -> dict[str, str]:
    """The hidden field that carries a group's unit through a confirmation page."""
    return {"unidade": str(client.client_id)} if client.is_group else {}


def _of_unit(client: ClientSession) -> str:
    return f" Unidade: {client.trade_name or client.client_name}." if client.is_group else ""


@get(PATH, include_in_schema=False, guards=[client_only])
async def avisos_page(request: Request, client: Client) -> Response[str]:
    """The unit's notices: the e-mail choice and the calendar feed; for htmx (a group's unit
    selector), the unit's part of the page."""
    return await _page(request, await unidades.narrowed(request, client))


@post(PATH + "/coleta-realizada", include_in_schema=False, guards=[client_only])
async def done_email_choice(request: Request, client: Client, data: Form) -> Response[str]:
    """Turn the "coleta realizada" e-mail on (``aviso=sim``) or off (anything else)."""
    client = await unidades.narrowed(request, client, data)
    await done_email.set_enabled(client.client_id, str(data.get("aviso", "")) == "sim")
    return redirect(request, _here(client, "#coleta-realizada"))


@post(PATH + "/agenda", include_in_schema=False, guards=[client_only])
async def feed_renew(request: Request, client: Client, data: Form) -> Response[str]:
    """Create the feed's URL, or renew it (after a confirmation: the old one stops working),
    and show it in this answer only."""
    settings: Settings = request.app.state.settings
    client = await unidades.narrowed(request, client, data)
    current = await calendar_feed.state(client.client_id)
    if current.active and needs_confirmation(request, data):
        return confirmation(
            request,
            {
                "client": client,
                "title": "Gerar novo endereço da agenda",
                "question": "O endereço atual deixa de funcionar: os calendários que o usam "
                "param de receber as coletas até você colocar neles o novo endereço."
                + _of_unit(client),
                "action": PATH + "/agenda",
                "fields": _unit_field(client),
                "confirm_label": "Sim, gerar novo endereço",
                "verb": "gerar",
                "back_url": _here(client),
            },
        )
    token = await calendar_feed.renew(
        client.client_id,
        now=clock_of(request).now(),
        actor="cliente",
        ip=client_ip(request, settings),
    )
    url = settings.base_url.rstrip("/") + calendar_feed.feed_path(token)
    response = await _page(request, client, feed_url=url)
    response.headers["Cache-Control"] = "no-store"
    return response


@post(PATH + "/agenda/desligar", include_in_schema=False, guards=[client_only])
async def feed_turn_off(request: Request, client: Client, data: Form) -> Response[str]:
    settings: Settings = request.app.state.settings
    client = await unidades.narrowed(request, client, data)
    if needs_confirmation(request, data):
        return confirmation(
            request,
            {
                "client": client,
                "title": "Desligar a agenda",
                "question": "O endereço da agenda deixa de funcionar e os calendários que o "
                "usam param de receber as coletas. Você pode criar outro quando quiser."
                + _of_unit(client),
                "action": PATH + "/agenda/desligar",
                "fields": _unit_field(client),
                "confirm_label": "Sim, desligar a agenda",
                "verb": "desligar",
                "back_url": _here(client),
            },
        )
    await calendar_feed.turn_off(
        client.client_id,
        now=clock_of(request).now(),
        actor="cliente",
        ip=client_ip(request, settings),
    )
    return redirect(request, _here(client, "#agenda"))


@route(
    "/agenda/{part:str}",
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    include_in_schema=False,
    opt={**PUBLIC, "secret_url": True},
)
async def feed(request: Request, part: FromPath[str]) -> Response[str]:
    """The calendar feed: no session; an unknown, renewed or turned-off token is 404, and an
    address that keeps trying unknown ones waits (429). Calendar programs poll it: HEAD is
    answered, and an ``If-None-Match`` with the feed's ETag gets 304 without the body."""
    settings: Settings = request.app.state.settings
    token = part.removesuffix(FEED_SUFFIX) if len(part) <= FEED_PART_MAX else ""
    client_id = await calendar_feed.client_for(token) if part.endswith(FEED_SUFFIX) else None
    if client_id is None:
        until = await calendar_feed.count_miss(
            settings.secret_key, client_ip(request, settings), clock_of(request).now()
        )
        if until is None:
            raise NotFound("Agenda não encontrada.")
        await pause_refusal(True)
        seconds = max(int((until - clock_of(request).now()).total_seconds()) + 1, 1)
        return Response(
            "Muitos endereços de agenda inválidos deste endereço. Tente mais tarde.\n",
            status_code=429,
            media_type="text/plain",
            headers={"Retry-After": str(seconds), "Cache-Control": "no-store"},
        )
    body = await calendar_feed.feed(client_id, settings, now=clock_of(request).now())
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": "private, max-age=900",
        "ETag": etag,
        "X-Robots-Tag": "noindex",
        "Referrer-Policy": "no-referrer",
    }
    sent = request.headers.get("if-none-match", "")[:1000].split(",")
    if etag in {tag.strip().removeprefix("W/") for tag in sent}:
        return Response("", status_code=304, headers=headers)
    return Response(
        body,
        media_type="text/calendar",  # Litestar adds "; charset=utf-8" to text/*
        headers={**headers, "Content-Disposition": 'inline; filename="coletas.ics"'},
    )


ROUTES = [avisos_page, done_email_choice, feed_renew, feed_turn_off, feed]
