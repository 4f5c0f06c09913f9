"""``/admin/emails`` (master only): the e-mail outbox, its failures, and "Tentar de novo"."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Response

from espaco.services.operations import audit, outbox
from espaco.tables import OutboxStatus
from espaco.web import params
from espaco.web.admin.common import actor_ip, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, master_only
from espaco.web.params import PathId
from espaco.web.redirects import redirect
from espaco.web.selos import SITUACOES

PATH = "/admin/emails"
PER_PAGE = 50
# ?situacao= value → stored status, and the label of each.
STATUSES = {
    "pendente": OutboxStatus.pending,
    "enviado": OutboxStatus.sent,
    "falhou": OutboxStatus.failed,
}
STATUS_LABELS = {OutboxStatus(status): label for status, (label, _) in SITUACOES["email"].items()}
# Each kind of e-mail is named by its templates (templates/emails/<kind>.*): one label each,
# and a test checks that every template has one.
KIND_LABELS = {
    "access_code": "Código de acesso",
    "nf_notice": "Aviso de nota fiscal",
    "request_received": "Solicitação recebida",
    "request_scheduled": "Solicitação agendada",
    "request_refused": "Solicitação recusada",
    "pendencias": "Pendências da semana (MTR e CDF)",
    "collection_done": "Coleta realizada",
}


@get(PATH, include_in_schema=False, guards=[master_only])
async def outbox_page(request: Request, staff: Staff) -> Response[str]:
    """Newest first, filtered by ``?situacao=`` and paged by ``?pagina=``."""
    slug = request.query_params.get("situacao", "")
    status = STATUSES.get(slug)
    slug = slug if status else ""
    page_number = params.page_number(request.query_params.get("pagina"))
    rows = await outbox.list_outbox(status, page_number, PER_PAGE)
    counts = await outbox.outbox_counts()
    return admin_page(
        request,
        staff,
        "admin/emails.html",
        {
            "rows": rows,
            "counts": counts,
            "total": sum(counts.values()),
            "slug": slug,
            "statuses": STATUSES,
            "status_labels": STATUS_LABELS,
            "kind_labels": KIND_LABELS,
            "page_number": page_number,
            "has_next": len(rows) == PER_PAGE,
        },
        fragment="admin/partials/emails_lista.html",
    )


@post(PATH + "/{email_id:int}/tentar-de-novo", include_in_schema=False, guards=[master_only])
async def retry(request: Request, staff: Staff, email_id: PathId) -> Response[str]:
    """Put a failed message back in the queue, due now."""
    actor, ip = actor_ip(request, staff)
    when = clock_of(request).now()
    outcome = await outbox.retry(email_id, now=when)
    if outcome == outbox.Retry.RETRIED:
        await audit.record(
            "outbox_retry", now=when, actor=actor, ip=ip, details={"email_id": email_id}
        )
        outbox.wake()
        notice = "A mensagem voltou para a fila e será enviada em instantes."
    elif outcome == outbox.Retry.SECRET_GONE:
        notice = (
            "O código de acesso desta mensagem foi apagado quando ela falhou de vez, por "
            "segurança. Gere um novo código em Clientes → Configurações."
        )
    else:
        notice = "Essa mensagem não está mais com falha: nada a fazer."
    return redirect(request, PATH + "?situacao=falhou", notice, same_page=True)


@post(PATH + "/enviar-pendentes", include_in_schema=False, guards=[master_only])
async def send_pending(request: Request, staff: Staff) -> Response[str]:
    """Every pending message waiting after a failure (an outage) becomes due now."""
    actor, ip = actor_ip(request, staff)
    when = clock_of(request).now()
    count = await outbox.send_pending_now(now=when)
    if count:
        await audit.record(
            "outbox_send_pending", now=when, actor=actor, ip=ip, details={"emails": count}
        )
        outbox.wake()
        notice = (
            "1 mensagem pendente vai ser enviada agora."
            if count == 1
            else f"{count} mensagens pendentes vão ser enviadas agora."
        )
    else:
        notice = "Nenhuma mensagem pendente estava esperando: as da fila já saem em instantes."
    return redirect(request, PATH + "?situacao=pendente", notice, same_page=True)
