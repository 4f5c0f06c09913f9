"""``/admin/tokens`` (master only): the ERP's API tokens — create one (shown once), see when
each was last used, revoke."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from espaco.services.access import api_tokens
from espaco.services.access.sessions import StaffSession
from espaco.web.admin.common import Form, Master, actor_ip, admin_page, see_other
from espaco.web.auth import now
from espaco.web.params import PathId

PATH = "/admin/tokens"
NAME_MAX = 100


def _page(
    request: Request,
    master: StaffSession,
    tokens: list[api_tokens.TokenRow],
    *,
    new_token: str = "",
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response[str]:
    return admin_page(
        request,
        master,
        "admin/tokens.html",
        {
            "tokens": tokens,
            "scopes": api_tokens.SCOPE_LABELS,
            "new_token": new_token,
            "errors": errors or {},
            "typed": typed or {"nome": "", "escopos": list(api_tokens.SCOPES)},
        },
        fragment="admin/partials/tokens_lista.html",
        status_code=status_code,
    )


@get(PATH, include_in_schema=False)
async def tokens_page(request: Request, master: Master) -> Response[str]:
    return _page(request, master, await api_tokens.list_tokens())


@post(PATH, include_in_schema=False)
async def create_token(request: Request, master: Master, data: Form) -> Response[str]:
    """Create a token and show it in this answer only: it is never stored in clear, nor put in
    a redirect or a cookie."""
    name = str(data.get("nome", "")).strip()[: NAME_MAX + 1]
    raw_scopes = data.get("escopos", [])
    chosen = api_tokens.parse_scopes(
        [raw_scopes] if isinstance(raw_scopes, str) else [str(s) for s in raw_scopes]
    )
    errors = {}
    if not name:
        errors["nome"] = "Dê um nome ao token (por exemplo, o sistema que vai usá-lo)."
    elif len(name) > NAME_MAX:
        errors["nome"] = f"O nome pode ter no máximo {NAME_MAX} caracteres."
    if not chosen:
        errors["escopos"] = "Escolha ao menos um escopo."
    if errors:
        typed = {"nome": name, "escopos": list(chosen)}
        tokens = await api_tokens.list_tokens()
        return _page(request, master, tokens, errors=errors, typed=typed, status_code=422)
    actor, _ = actor_ip(request, master)
    token = await api_tokens.create_token(
        name, chosen, created_by=master.staff_id, now=now(), actor=actor
    )
    response = _page(request, master, await api_tokens.list_tokens(), new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


@post(PATH + "/{token_id:int}/revogar", include_in_schema=False)
async def revoke_token(request: Request, master: Master, token_id: PathId) -> Response[str]:
    actor, _ = actor_ip(request, master)
    if await api_tokens.revoke(token_id, now=now(), actor=actor):
        notice = "Token revogado: a partir de agora ele é recusado."
    else:
        notice = "Esse token já estava revogado."
    return see_other(request, PATH, notice)
