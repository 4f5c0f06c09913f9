"""Cadastros (master only): ``/admin/clientes`` to find a client, ``/admin/clientes/{id}`` with
its tabs E-mail, E-mail NF and Configurações, and the forms those tabs post."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from espaco.domain.errors import Invalid, NotFound
from espaco.services.access import cadastros
from espaco.services.access.cadastros import ClientDetail
from espaco.tables import EmailKind
from espaco.web.admin.common import Form, actor_ip, admin_confirmation, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, master_only
from espaco.web.pages import needs_confirmation
from espaco.web.params import PathId, page_number
from espaco.web.redirects import redirect

# Tab slug → the e-mail list it edits (None: the settings tab).
TABS: dict[str, EmailKind | None] = {
    "email": EmailKind.access,
    "email-nf": EmailKind.invoice,
    "configuracoes": None,
}
TAB_LABELS = {"email": "E-mail", "email-nf": "E-mail NF", "configuracoes": "Configurações"}
DEFAULT_TAB = "email"


@get("/admin/clientes", include_in_schema=False, guards=[master_only])
async def client_list(request: Request, staff: Staff) -> Response[str]:
    """Search as one types (htmx swaps ``#resultados``) or by the plain GET form."""
    query = request.query_params.get("q", "")[:100]
    results = await cadastros.search_clients(query, page_number(request.query_params.get("pagina")))
    return admin_page(
        request,
        staff,
        "admin/clientes.html",
        {"q": query, "results": results},
        fragment="admin/partials/clientes_resultados.html",
    )


def tab_url(client_id: int, tab: str) -> str:
    return f"/admin/clientes/{client_id}?aba={tab}"


def _client_page(
    request: Request,
    staff: Staff,
    client: ClientDetail,
    tab: str,
    *,
    errors: dict[str, str] | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response[str]:
    context: dict[str, Any] = {
        "client": client,
        "tab": tab,
        "tabs": TAB_LABELS,
        "kind": TABS[tab],
        "max_emails": cadastros.MAX_EMAILS,
        "errors": errors or {},
        "typed": typed,
    }
    return admin_page(
        request,
        staff,
        "admin/cliente.html",
        context,
        fragment="admin/partials/cliente_abas.html",
        status_code=status_code,
    )


def _confirmation(
    request: Request, staff: Staff, client: ClientDetail, **context: Any
) -> Response[str]:
    return admin_confirmation(request, staff, tab_url(client.id, "configuracoes"), **context)


@get("/admin/clientes/{client_id:int}", include_in_schema=False, guards=[master_only])
async def client_page(request: Request, staff: Staff, client_id: PathId) -> Response[str]:
    """A client's tabs; ``?aba=`` picks one, htmx swaps only ``#abas``."""
    tab = request.query_params.get("aba", DEFAULT_TAB)
    if tab not in TABS:
        tab = DEFAULT_TAB
    return _client_page(request, staff, await cadastros.client_detail(client_id), tab)


@post("/admin/clientes/{client_id:int}/emails", include_in_schema=False, guards=[master_only])
async def add_email(request: Request, staff: Staff, client_id: PathId, data: Form) -> Response[str]:
    tab = str(data.get("lista", ""))
    kind = TABS.get(tab)
    if kind is None:
        tab, kind = DEFAULT_TAB, EmailKind.access
    typed = str(data.get("endereco", ""))[:300]
    actor, ip = actor_ip(request, staff)
    try:
        await cadastros.add_email(
            client_id, kind, typed, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except Invalid as invalid:
        client = await cadastros.client_detail(client_id)
        return _client_page(
            request, staff, client, tab, errors=invalid.errors, typed=typed, status_code=422
        )
    address = cadastros.normalize_email(typed)
    notice = f"{address} está na lista {TAB_LABELS[tab]}."
    return redirect(request, tab_url(client_id, tab), notice, same_page=True)


@post(
    "/admin/clientes/{client_id:int}/emails/{email_id:int}/remover",
    include_in_schema=False,
    guards=[master_only],
)
async def remove_email(
    request: Request, staff: Staff, client_id: PathId, email_id: PathId, data: Form
) -> Response[str]:
    tab = str(data.get("lista", ""))
    tab = tab if TABS.get(tab) is not None else DEFAULT_TAB
    actor, ip = actor_ip(request, staff)
    try:
        removed = await cadastros.remove_email(
            client_id, email_id, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except NotFound as gone:  # removed already (twice the same click): said, not a 404
        notice = gone.message
    else:
        notice = f"{removed.address} foi removido da lista {TAB_LABELS[tab]}."
    return redirect(request, tab_url(client_id, tab), notice, same_page=True)


@post("/admin/clientes/{client_id:int}/codigo", include_in_schema=False, guards=[master_only])
async def generate_code(
    request: Request, staff: Staff, client_id: PathId, data: Form
) -> Response[str]:
    """Generate and e-mail a new access code; the screen says where it went, never what it is."""
    if needs_confirmation(request, data):
        client = await cadastros.client_detail(client_id)
        return _confirmation(
            request,
            staff,
            client,
            title="Gerar código de acesso",
            question=f"Gerar um novo código para {client.name} e enviá-lo por e-mail? O código "
            "atual deixará de valer e as sessões abertas do cliente serão encerradas.",
            action=f"/admin/clientes/{client_id}/codigo",
            confirm_label="Sim, gerar e enviar",
            verb="gerar",
        )
    actor, ip = actor_ip(request, staff)
    try:
        sent_to = await cadastros.generate_access_code(
            client_id,
            settings=request.app.state.settings,
            actor=actor,
            ip=ip,
            now=clock_of(request).now(),
        )
    except Invalid as invalid:
        client = await cadastros.client_detail(client_id)
        return _client_page(
            request, staff, client, "configuracoes", errors=invalid.errors, status_code=422
        )
    notice = f"Código gerado e enviado para {', '.join(sent_to)}."
    return redirect(request, tab_url(client_id, "configuracoes"), notice, same_page=True)


@post("/admin/clientes/{client_id:int}/situacao", include_in_schema=False, guards=[master_only])
async def set_active(
    request: Request, staff: Staff, client_id: PathId, data: Form
) -> Response[str]:
    """Deactivate (ending the client's sessions at once) or reactivate."""
    active = str(data.get("ativo", "")) == "1"
    if not active and needs_confirmation(request, data):
        client = await cadastros.client_detail(client_id)
        return _confirmation(
            request,
            staff,
            client,
            title="Desativar cliente",
            question=f"Desativar {client.name}? As sessões abertas serão encerradas e o "
            "cliente não conseguirá entrar no portal até ser reativado.",
            action=f"/admin/clientes/{client_id}/situacao",
            confirm_label="Sim, desativar",
            verb="desativar",
            fields={"ativo": "0"},
        )
    actor, ip = actor_ip(request, staff)
    await cadastros.set_active(client_id, active, actor=actor, ip=ip, now=clock_of(request).now())
    notice = (
        "Cliente reativado. Gere um novo código se ele ainda não tiver um válido."
        if active
        else "Cliente desativado: as sessões abertas foram encerradas e o acesso está bloqueado."
    )
    return redirect(request, tab_url(client_id, "configuracoes"), notice, same_page=True)
