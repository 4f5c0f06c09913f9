"""Grupos (master only): ``/admin/clientes/grupos`` lists the groups (matriz e filiais) and makes
one; ``/admin/clientes/grupos/{id}`` shows a group's members (search clients and add them,
remove them), its E-mail list and its access code, renames and deletes it, and the forms those
post. Every change is audited by ``services/access/groups.py``."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from espaco.domain.errors import Invalid, NotFound
from espaco.services.access import cadastros, groups
from espaco.services.access.groups import GroupDetail
from espaco.web.admin.common import Form, actor_ip, admin_confirmation, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, master_only
from espaco.web.pages import needs_confirmation
from espaco.web.params import PathId, page_number, query_id
from espaco.web.redirects import redirect

LIST = "/admin/clientes/grupos"


def group_url(group_id: int, query: str = "") -> str:
    return f"{LIST}/{group_id}" + (f"?q={query}" if query else "")


@get(LIST, include_in_schema=False, guards=[master_only])
async def group_list(request: Request, staff: Staff) -> Response[str]:
    return await _list_page(request, staff)


async def _list_page(
    request: Request,
    staff: Staff,
    *,
    errors: dict[str, str] | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response[str]:
    context = {"groups": await groups.list_groups(), "errors": errors or {}, "typed": typed}
    return admin_page(request, staff, "admin/grupos.html", context, status_code=status_code)


@post(LIST, include_in_schema=False, guards=[master_only])
async def create_group(request: Request, staff: Staff, data: Form) -> Response[str]:
    typed = str(data.get("nome", ""))[:300]
    try:
        name = groups.clean_name(typed)
    except Invalid as invalid:
        return await _list_page(request, staff, errors=invalid.errors, typed=typed, status_code=422)
    actor, ip = actor_ip(request, staff)
    group_id = await groups.create_group(name, actor=actor, ip=ip, now=clock_of(request).now())
    return redirect(
        request,
        group_url(group_id),
        same_page=True,
        notice=f"Grupo “{name}” criado: adicione as unidades.",
    )


async def _group_page(
    request: Request,
    staff: Staff,
    group: GroupDetail,
    *,
    errors: dict[str, str] | None = None,
    typed: str = "",
    typed_name: str | None = None,
    status_code: int = 200,
) -> Response[str]:
    query = str(request.query_params.get("q", ""))[: cadastros.MAX_QUERY]
    results = (
        await cadastros.search_clients(query, page_number(request.query_params.get("pagina")))
        if query.strip()
        else None
    )
    context: dict[str, Any] = {
        "group": group,
        "q": query,
        "results": results,
        "member_ids": {m.id for m in group.members},
        "errors": errors or {},
        "typed": typed,
        "typed_name": group.name if typed_name is None else typed_name,
        "max_name": groups.MAX_NAME,
        "max_emails": cadastros.MAX_EMAILS,
    }
    return admin_page(
        request,
        staff,
        "admin/grupo.html",
        context,
        fragment="admin/partials/grupo_painel.html",
        status_code=status_code,
    )


@get(LIST + "/{group_id:int}", include_in_schema=False, guards=[master_only])
async def group_page(request: Request, staff: Staff, group_id: PathId) -> Response[str]:
    """Members, the client search (``?q=``) to add more, the E-mail list and the code."""
    return await _group_page(request, staff, await groups.group_detail(group_id))


@post(LIST + "/{group_id:int}/membros", include_in_schema=False, guards=[master_only])
async def add_member(request: Request, staff: Staff, group_id: PathId, data: Form) -> Response[str]:
    client_id = query_id(str(data.get("cliente", ""))[:20])
    if client_id is None:
        return await _group_page(
            request, staff, await groups.group_detail(group_id),
            errors={"membro": "Escolha um cliente da busca."}, status_code=422,
        )  # fmt: skip
    actor, ip = actor_ip(request, staff)
    try:
        await groups.add_member(
            group_id, client_id, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except Invalid as invalid:
        group = await groups.group_detail(group_id)
        return await _group_page(request, staff, group, errors=invalid.errors, status_code=422)
    return redirect(
        request, group_url(group_id), same_page=True, notice="Cliente adicionado ao grupo."
    )


@post(
    LIST + "/{group_id:int}/membros/{client_id:int}/remover",
    include_in_schema=False,
    guards=[master_only],
)
async def remove_member(
    request: Request, staff: Staff, group_id: PathId, client_id: PathId, data: Form
) -> Response[str]:
    group = await groups.group_detail(group_id)
    if needs_confirmation(request, data):
        member = next((m for m in group.members if m.id == client_id), None)
        if member is None:
            raise NotFound("Grupo não encontrado.")
        return admin_confirmation(
            request, staff, group_url(group_id),
            title="Retirar do grupo",
            question=f"Retirar {member.name} do grupo {group.name}? As sessões abertas com o "
            "código do grupo serão encerradas.",
            action=f"{LIST}/{group_id}/membros/{client_id}/remover",
            confirm_label="Sim, retirar", verb="retirar",
        )  # fmt: skip
    actor, ip = actor_ip(request, staff)
    try:
        await groups.remove_member(
            group_id, client_id, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except NotFound as gone:  # removed already (twice the same click): said, not a 404
        notice = gone.message
    else:
        notice = "Cliente retirado do grupo."
    return redirect(request, group_url(group_id), same_page=True, notice=notice)


@post(LIST + "/{group_id:int}/emails", include_in_schema=False, guards=[master_only])
async def add_email(request: Request, staff: Staff, group_id: PathId, data: Form) -> Response[str]:
    typed = str(data.get("endereco", ""))[:300]
    actor, ip = actor_ip(request, staff)
    try:
        await groups.add_email(group_id, typed, actor=actor, ip=ip, now=clock_of(request).now())
    except Invalid as invalid:
        return await _group_page(
            request, staff, await groups.group_detail(group_id), errors=invalid.errors,
            typed=typed, status_code=422,
        )  # fmt: skip
    address = cadastros.normalize_email(typed)
    return redirect(
        request, group_url(group_id), same_page=True, notice=f"{address} está no E-mail do grupo."
    )


@post(
    LIST + "/{group_id:int}/emails/{email_id:int}/remover",
    include_in_schema=False,
    guards=[master_only],
)
async def remove_email(
    request: Request, staff: Staff, group_id: PathId, email_id: PathId, data: Form
) -> Response[str]:
    actor, ip = actor_ip(request, staff)
    try:
        await groups.remove_email(
            group_id, email_id, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except NotFound as gone:  # removed already (twice the same click): said, not a 404
        notice = gone.message
    else:
        notice = "Endereço removido."
    return redirect(request, group_url(group_id), same_page=True, notice=notice)


@post(LIST + "/{group_id:int}/codigo", include_in_schema=False, guards=[master_only])
async def generate_code(
    request: Request, staff: Staff, group_id: PathId, data: Form
) -> Response[str]:
    """Generate and e-mail the group's code; the screen says where it went, never what it is."""
    group = await groups.group_detail(group_id)
    if needs_confirmation(request, data):
        return admin_confirmation(
            request, staff, group_url(group_id),
            title="Gerar código do grupo",
            question=f"Gerar um novo código para o grupo {group.name} e enviá-lo por e-mail? "
            "O código atual do grupo deixará de valer e as sessões abertas com ele serão "
            "encerradas. Os códigos de cada unidade continuam valendo.",
            action=f"{LIST}/{group_id}/codigo", confirm_label="Sim, gerar e enviar",
            verb="gerar",
        )  # fmt: skip
    actor, ip = actor_ip(request, staff)
    try:
        sent_to = await groups.generate_access_code(
            group_id,
            settings=request.app.state.settings,
            actor=actor,
            ip=ip,
            now=clock_of(request).now(),
        )
    except Invalid as invalid:
        return await _group_page(request, staff, group, errors=invalid.errors, status_code=422)
    notice = f"Código do grupo gerado e enviado para {', '.join(sent_to)}."
    return redirect(request, group_url(group_id), same_page=True, notice=notice)


@post(LIST + "/{group_id:int}/nome", include_in_schema=False, guards=[master_only])
async def rename_group(
    request: Request, staff: Staff, group_id: PathId, data: Form
) -> Response[str]:
    typed = str(data.get("nome", ""))[:300]
    actor, ip = actor_ip(request, staff)
    try:
        name = await groups.rename_group(
            group_id, typed, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except Invalid as invalid:
        group = await groups.group_detail(group_id)
        return await _group_page(
            request, staff, group, errors=invalid.errors, typed_name=typed, status_code=422
        )
    # A page load, not a swap: the page's title (outside the fragment) carries the name.
    return redirect(request, group_url(group_id), notice=f"Grupo renomeado para “{name}”.")


@post(LIST + "/{group_id:int}/excluir", include_in_schema=False, guards=[master_only])
async def delete_group(
    request: Request, staff: Staff, group_id: PathId, data: Form
) -> Response[str]:
    """Delete the group (after a confirmation): its members stay, as clients on their own."""
    group = await groups.group_detail(group_id)
    if needs_confirmation(request, data):
        return admin_confirmation(
            request, staff, group_url(group_id),
            title="Excluir grupo",
            question=f"Excluir o grupo {group.name}? O código do grupo deixa de valer e as "
            "sessões abertas com ele serão encerradas. As unidades continuam como clientes "
            "avulsos, com os próprios códigos e dados.",
            action=f"{LIST}/{group_id}/excluir", confirm_label="Sim, excluir o grupo",
            verb="excluir",
        )  # fmt: skip
    actor, ip = actor_ip(request, staff)
    try:
        members = await groups.delete_group(
            group_id, actor=actor, ip=ip, now=clock_of(request).now()
        )
    except NotFound:  # deleted meanwhile (twice the same click): said, not a 404
        return redirect(request, LIST, notice="Esse grupo já tinha sido excluído.")
    kept = {
        0: "",
        1: " A unidade segue como cliente avulso, com o próprio código.",
    }.get(members, f" As {members} unidades seguem como clientes avulsos, com os próprios códigos.")
    return redirect(request, LIST, notice=f"Grupo “{group.name}” excluído.{kept}")


ROUTES = [
    group_list,
    create_group,
    group_page,
    add_member,
    remove_member,
    add_email,
    remove_email,
    generate_code,
    rename_group,
    delete_group,
]
