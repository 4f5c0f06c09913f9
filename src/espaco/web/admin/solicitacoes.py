"""Planejamento (master and planejamento users): ``/admin/solicitacoes``, the queue of collection
requests, and ``/admin/solicitacoes/{protocolo}`` with its two answers, Agendar and Recusar."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from espaco.domain import scheduling
from espaco.services.solicitacoes import planning
from espaco.services.solicitacoes.planning import Decision, QueueItem
from espaco.web.admin.common import Form, Staff, actor_ip, admin_page, see_other
from espaco.web.auth import now
from espaco.web.params import page_number

ALL = "todas"
SITUATIONS = (*planning.STATUS_SLUGS, ALL)


@get("/admin/solicitacoes", include_in_schema=False)
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


async def _item(protocol: str) -> QueueItem:
    item = await planning.request_detail(protocol)
    if item is None:
        raise NotFoundException()
    return item


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


@get("/admin/solicitacoes/{protocol:str}", include_in_schema=False)
async def request_page(request: Request, staff: Staff, protocol: FromPath[str]) -> Response[str]:
    return _detail(request, staff, await _item(protocol))


async def _answer(
    request: Request,
    staff: Staff,
    protocol: str,
    decision: Decision,
    typed: dict[str, str],
) -> Response[str] | None:
    """The error page for a decision that did not happen, or None when it did."""
    if decision.ok:
        return None
    if decision.not_found:
        raise NotFoundException()
    item = await _item(protocol)
    if decision.conflict:
        return _detail(request, staff, item, message=decision.error, status_code=409)
    errors = {decision.field or "formulario": decision.error or ""}
    return _detail(request, staff, item, errors=errors, typed=typed, status_code=422)


@post("/admin/solicitacoes/{protocol:str}/agendar", include_in_schema=False)
async def schedule(
    request: Request, staff: Staff, protocol: FromPath[str], data: Form
) -> Response[str]:
    typed = str(data.get("data", ""))[:20]
    on = scheduling.parse_iso_date(typed)
    actor, ip = actor_ip(request, staff)
    decision = await planning.schedule_request(
        protocol,
        on,
        actor=actor,
        staff_id=staff.staff_id,
        ip=ip,
        settings=request.app.state.settings,
        now=now(),
    )
    failed = await _answer(request, staff, protocol, decision, {"data": typed})
    if failed is not None:
        return failed
    assert on is not None  # noqa: S101 - a scheduled request has its date
    notice = (
        f"Solicitação {protocol} agendada para {on:%d/%m/%Y}. O cliente foi avisado por e-mail."
    )
    return see_other(request, f"/admin/solicitacoes/{protocol}", notice)


@post("/admin/solicitacoes/{protocol:str}/recusar", include_in_schema=False)
async def refuse(
    request: Request, staff: Staff, protocol: FromPath[str], data: Form
) -> Response[str]:
    reason = str(data.get("motivo", ""))[: scheduling.REFUSAL_MAX + 500]
    actor, ip = actor_ip(request, staff)
    decision = await planning.refuse_request(
        protocol,
        reason,
        actor=actor,
        staff_id=staff.staff_id,
        ip=ip,
        settings=request.app.state.settings,
        now=now(),
    )
    failed = await _answer(request, staff, protocol, decision, {"motivo": reason})
    if failed is not None:
        return failed
    notice = f"Solicitação {protocol} recusada. O cliente foi avisado por e-mail."
    return see_other(request, f"/admin/solicitacoes/{protocol}", notice)
