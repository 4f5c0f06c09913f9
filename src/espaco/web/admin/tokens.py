"""``/admin/tokens`` (master only): the ERP's API tokens — create one (shown once), see when
each was last used, revoke."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from espaco.domain.errors import Invalid
from espaco.services.access import api_tokens
from espaco.services.access.sessions import StaffSession
from espaco.web.admin.common import Form, actor_ip, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, master_only
from espaco.web.params import PathId
from espaco.web.redirects import redirect

PATH = "/admin/tokens"


def _page(
    request: Request,
    staff: StaffSession,
    tokens: list[api_tokens.TokenRow],
    *,
    new_token: str = "",
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response[str]:
    return admin_page(
        request,
        staff,
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


@get(PATH, include_in_schema=False, guards=[master_only])
async def tokens_page(request: Request, staff: Staff) -> Response[str]:
    return _page(request, staff, await api_tokens.list_tokens())


@post(PATH, include_in_schema=False, guards=[master_only])
async def create_token(request: Request, staff: Staff, data: Form) -> Response[str]:
    """Create a token and show it in this answer only: it is never stored in clear, nor put in
    a redirect or a cookie."""
    name = str(data.get("nome", "")).strip()[: api_tokens.NAME_MAX + 1]
    raw_scopes = data.get("escopos", [])
    chosen = api_tokens.parse_scopes(
        [raw_scopes] if isinstance(raw_scopes, str) else [str(s) for s in raw_scopes]
    )
    actor, _ = actor_ip(request, staff)
    try:
        token = await api_tokens.create_token(
            name, chosen, created_by=staff.staff_id, now=clock_of(request).now(), actor=actor
        )
    except Invalid as invalid:
        typed = {"nome": name, "escopos": list(chosen)}
        tokens = await api_tokens.list_tokens()
        return _page(request, staff, tokens, errors=invalid.errors, typed=typed, status_code=422)
    response = _page(request, staff, await api_tokens.list_tokens(), new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


@post(PATH + "/{token_id:int}/revogar", include_in_schema=False, guards=[master_only])
async def revoke_token(request: Request, staff: Staff, token_id: PathId) -> Response[str]:
    actor, _ = actor_ip(request, staff)
    if await api_tokens.revoke(token_id, now=clock_of(request).now(), actor=actor):
        notice = "Token revogado: a partir de agora ele é recusado."
    else:
        notice = "Esse token já estava revogado."
    return redirect(request, PATH, notice, same_page=True)
