"""Planejamento (master and planejamento users): ``/admin/solicitacoes``, the queue of collection
requests, and ``/admin/solicitacoes/{protocolo}`` with its two answers, Agendar and Recusar."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from espaco.domain import scheduling
from espaco.domain.errors import Invalid
from espaco.services.solicitacoes import planning
from espaco.services.solicitacoes.planning import Decision, QueueItem
from espaco.web.admin.common import Form, actor_ip, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, staff_only
from espaco.web.params import page_number
from espaco.web.redirects import redirect

ALL = "todas"
SITUATIONS = (*planning.STATUS_SLUGS, ALL)


@get("/admin/solicitacoes", include_in_schema=False, guards=[staff_only])
async def queue_page(request: Request, staff: Staff) -> Response[str]:
    """The queue, oldest first; a plain GET form of filters that htmx swaps into ``#fila``."""
    params = request.query_params
    situation = params.get("situacao", "pendente")
    if situation not in SITUATIONS:
        situation = "pendente"
    start = scheduling.parse_iso_date(params.get("inicio"))
    end = scheduling.parse_iso_date(params.get("fim"))
    client = params.get("cliente", "")[:100]
    result = await planning.queue(
        status=planning.STATUS_SLUGS.get(situation),
        start=start,
        end=end,
        client=client,
        page=page_number(params.get("pagina")),
    )
    filters = {
        "situacao": situation,
        "inicio": start.isoformat() if start else "",
        "fim": end.isoformat() if end else "",
        "cliente": client,
    }
    return admin_page(
        request,
        staff,
        "admin/solicitacoes.html",
        {"result": result, "filters": filters, "situations": SITUATIONS},
        fragment="admin/partials/solicitacoes_fila.html",
    )


def _detail(
    request: Request,
    staff: Staff,
    item: QueueItem,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    context: dict[str, Any] = {
        "item": item,
        "errors": errors or {},
        "message": message,
        "typed": typed or {},
    }
    return admin_page(
        request,
        staff,
        "admin/solicitacao.html",
        context,
        fragment="admin/partials/solicitacao_decisao.html",
        status_code=status_code,
    )


@get("/admin/solicitacoes/{protocol:str}", include_in_schema=False, guards=[staff_only])
async def request_page(request: Request, staff: Staff, protocol: FromPath[str]) -> Response[str]:
    return _detail(request, staff, await planning.request_detail(protocol))


async def _decide(
    request: Request,
    staff: Staff,
    protocol: str,
    decide: Awaitable[Decision],
    typed: dict[str, str],
) -> Response[str] | None:
    """Run ``decide``; the page again when it did not happen (422 with the field's message,
    409 when decided already), or None when it did."""
    try:
        decision = await decide
    except Invalid as invalid:
        item = await planning.request_detail(protocol)
        return _detail(request, staff, item, errors=invalid.errors, typed=typed, status_code=422)
    if decision.ok:
        return None
    item = await planning.request_detail(protocol)
    return _detail(request, staff, item, message=decision.error, status_code=409)


@post("/admin/solicitacoes/{protocol:str}/agendar", include_in_schema=False, guards=[staff_only])
async def schedule(
    request: Request, staff: Staff, protocol: FromPath[str], data: Form
) -> Response[str]:
    typed = str(data.get("data", ""))[:20]
    on = scheduling.parse_iso_date(typed)
    actor, ip = actor_ip(request, staff)
    decide = planning.schedule_request(
        protocol,
        on,
        actor=actor,
        staff_id=staff.staff_id,
        ip=ip,
        settings=request.app.state.settings,
        now=clock_of(request).now(),
    )
    failed = await _decide(request, staff, protocol, decide, {"data": typed})
    if failed is not None:
        return failed
    assert on is not None  # noqa: S101 - a scheduled request has its date
    notice = (
        f"Solicitação {protocol} agendada para {on:%d/%m/%Y}. O cliente foi avisado por e-mail."
    )
    return redirect(request, f"/admin/solicitacoes/{protocol}", notice, same_page=True)


@post("/admin/solicitacoes/{protocol:str}/recusar", include_in_schema=False, guards=[staff_only])
async def refuse(
    request: Request, staff: Staff, protocol: FromPath[str], data: Form
) -> Response[str]:
    reason = str(data.get("motivo", ""))[: scheduling.REFUSAL_MAX + 500]
    actor, ip = actor_ip(request, staff)
    decide = planning.refuse_request(
        protocol,
        reason,
        actor=actor,
        staff_id=staff.staff_id,
        ip=ip,
        settings=request.app.state.settings,
        now=clock_of(request).now(),
    )
    failed = await _decide(request, staff, protocol, decide, {"motivo": reason})
    if failed is not None:
        return failed
    notice = f"Solicitação {protocol} recusada. O cliente foi avisado por e-mail."
    return redirect(request, f"/admin/solicitacoes/{protocol}", notice, same_page=True)
