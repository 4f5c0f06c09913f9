"""The client's requests: ``/solicitar-coleta`` (the form and its calendar), ``/solicitacoes``
(the list) and ``/solicitacoes/{protocolo}`` (one request: the confirmation, and cancelling)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from espaco.domain import scheduling
from espaco.domain.errors import Invalid, NotFound
from espaco.services.access.sessions import ClientSession
from espaco.services.solicitacoes import solicitacoes
from espaco.services.solicitacoes.solicitacoes import Place
from espaco.settings import Settings
from espaco.web import unidade as unit
from espaco.web.auth import client_ip, clock_of
from espaco.web.guards import Client, client_only
from espaco.web.pages import confirmation, needs_confirmation, page
from espaco.web.params import page_number, query_id
from espaco.web.portal_auth import Form
from espaco.web.redirects import redirect

FORM_PAGE = "solicitar_coleta.html"


def _form_context(
    request: Request,
    places: list[Place],
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    month: str | None = None,
    client: ClientSession | None = None,
    unidade: int | None = None,
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    today = clock_of(request).today()
    selected = scheduling.parse_iso_date(form.get("data"))
    wanted = scheduling.parse_month(month) or (
        (selected.year, selected.month) if selected else None
    )
    earliest = scheduling.earliest_date(today, settings.request_notice_days)
    year, month_number = wanted or (earliest.year, earliest.month)
    grid = scheduling.month_grid(
        year,
        month_number,
        today=today,
        notice_days=settings.request_notice_days,
        selected=selected,
    )
    if len(places) == 1 and not form.get("local"):
        form = {**form, "local": str(places[0].id)}
    labels = unit.labels(client) if client is not None else None
    return {
        "client": client,
        "unidade": unidade,
        "places": places,
        # A group's places, grouped by the unit that owns them: (unit name, places).
        "place_groups": _by_unit(places, labels) if labels is not None else None,
        "form": form,
        "errors": errors or {},
        "grid": grid,
        "earliest": earliest,
        "max_chars": scheduling.DESCRIPTION_MAX,
        "min_chars": scheduling.DESCRIPTION_MIN,
    }


def _by_unit(places: list[Place], labels: dict[int, str]) -> list[tuple[str, list[Place]]]:
    groups: dict[int, list[Place]] = {}
    for place in places:
        groups.setdefault(place.client_id, []).append(place)
    return sorted(((labels.get(k, ""), v) for k, v in groups.items()), key=lambda g: g[0])


def _posted_scope(client: ClientSession, text: str) -> tuple[tuple[int, ...], int | None]:
    """The unit a posted form was showing (its hidden ``unidade``), within the session."""
    if not text.strip():
        return client.scope, None
    chosen = query_id(text)
    if chosen is None or chosen not in client.scope:
        raise NotFound("Unidade não encontrada.")
    return (chosen,), chosen


@get("/solicitar-coleta", include_in_schema=False, guards=[client_only])
async def request_form(request: Request, client: Client) -> Response[str]:
    """The form; ``?mes=2026-12`` shows that month, and htmx gets only the calendar (or the
    whole form, for a group's unit selector: ``?unidade=``)."""
    scope, unidade = unit.chosen(request, client)
    places = await solicitacoes.active_places(scope, unit.version(client, scope))
    form = {"chave": solicitacoes.new_submission_key()}
    context = _form_context(
        request, places, form, month=request.query_params.get("mes"), client=client,
        unidade=unidade,
    )  # fmt: skip
    fragment = (
        "partials/solicitacao_form.html"
        if "unidade" in request.query_params
        else "partials/calendario.html"
    )
    return page(request, FORM_PAGE, context, fragment=fragment)


@post("/solicitar-coleta", include_in_schema=False, guards=[client_only])
async def request_submit(request: Request, client: Client, data: Form) -> Response[str]:
    settings: Settings = request.app.state.settings
    form = {
        "local": str(data.get("local", ""))[:20],
        # Without JavaScript the page also offers a plain date field; typed wins over the grid.
        "data": str(data.get("data_livre") or data.get("data") or "")[:20],
        "descricao": str(data.get("descricao", ""))[: scheduling.DESCRIPTION_MAX + 500],
        "chave": str(data.get("chave", ""))[: solicitacoes.KEY_MAX],
    }
    month = str(data.get("mes", ""))[:7]
    scope, unidade = _posted_scope(client, str(data.get("unidade", ""))[:20])
    if month:  # a calendar month button: the same form on that month, nothing submitted
        places = await solicitacoes.active_places(scope)
        context = _form_context(request, places, form, month=month, client=client, unidade=unidade)
        return page(request, FORM_PAGE, context, fragment="partials/solicitacao_form.html")
    try:
        protocol = await solicitacoes.submit_request(
            scope,
            location=form["local"],
            intended=form["data"],
            description=form["descricao"],
            submission_key=form["chave"],
            settings=settings,
            now=clock_of(request).now(),
            ip=client_ip(request, settings),
        )
    except Invalid as invalid:
        errors = invalid.errors
    else:
        return redirect(request, f"/solicitacoes/{protocol}?enviada=1")
    places = await solicitacoes.active_places(scope)
    if not form["chave"]:
        form["chave"] = solicitacoes.new_submission_key()
    context = _form_context(request, places, form, errors, client=client, unidade=unidade)
    return page(
        request, FORM_PAGE, context, fragment="partials/solicitacao_form.html", status_code=422
    )


@get("/solicitacoes", include_in_schema=False, guards=[client_only])
async def request_list(request: Request, client: Client) -> Response[str]:
    """The client's requests, newest first, 50 a page (``?pagina=``)."""
    number = page_number(request.query_params.get("pagina"))
    scope, unidade = unit.chosen(request, client)
    items, more = await solicitacoes.client_requests(
        scope, number, version=unit.version(client, scope)
    )
    context = {
        "client": client,
        "unidade": unidade,
        "units": unit.labels(client),
        "items": items,
        "page_number": number,
        "has_next": more,
    }
    return page(request, "solicitacoes.html", context, fragment="partials/solicitacoes_lista.html")


@get("/solicitacoes/{protocol:str}", include_in_schema=False, guards=[client_only])
async def request_page(request: Request, client: Client, protocol: FromPath[str]) -> Response[str]:
    item = await solicitacoes.client_request(client.scope, protocol)
    context = {
        "client": client,
        "item": item,
        "sent": request.query_params.get("enviada") == "1",
        "message": None,
    }
    return page(request, "solicitacao.html", context, fragment="partials/solicitacao_detalhe.html")


@post("/solicitacoes/{protocol:str}/cancelar", include_in_schema=False, guards=[client_only])
async def request_cancel(
    request: Request, client: Client, protocol: FromPath[str], data: Form
) -> Response[str]:
    settings: Settings = request.app.state.settings
    if needs_confirmation(request, data):
        item = await solicitacoes.client_request(client.scope, protocol)
        return confirmation(
            request,
            {
                "client": client,
                "title": "Cancelar solicitação",
                "question": f"Cancelar a solicitação de protocolo {protocol}? "
                "O Planejamento deixa de vê-la, e não há como desfazer.",
                "action": f"/solicitacoes/{protocol}/cancelar",
                "confirm_label": "Sim, cancelar a solicitação",
                "verb": "cancelar",
                "back_url": f"/solicitacoes/{protocol}",
            },
        )
    cancelled = await solicitacoes.cancel_request(
        client.scope, protocol, now=clock_of(request).now(), ip=client_ip(request, settings)
    )
    if cancelled:
        return redirect(request, f"/solicitacoes/{protocol}")
    item = await solicitacoes.client_request(client.scope, protocol)
    context = {
        "client": client,
        "item": item,
        "sent": False,
        "message": "Esta solicitação já foi respondida pelo Planejamento e não pode mais ser "
        "cancelada.",
    }
    return page(
        request,
        "solicitacao.html",
        context,
        fragment="partials/solicitacao_detalhe.html",
        status_code=409,
    )


ROUTES = [request_form, request_submit, request_list, request_page, request_cancel]
