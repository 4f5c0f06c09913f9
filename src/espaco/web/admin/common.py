"""What every back-office page shares: the layout's nav and one-shot notices (who may open
a page: :mod:`espaco.web.guards`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from espaco.services.access.sessions import StaffSession
from espaco.settings import Settings
from espaco.tables import StaffRole
from espaco.web.auth import clear_cookie, client_ip, read_cookie
from espaco.web.pages import page
from espaco.web.redirects import NOTICE_COOKIE, take_notice

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


def _nav(request: Request, staff: StaffSession) -> list[NavItem]:
    routes = request.app.route_handler_method_map
    master = staff.role == StaffRole.master
    candidates = [
        ("Clientes", "/admin/clientes", master),
        ("Solicitações", "/admin/solicitacoes", "/admin/solicitacoes" in routes),
        ("E-mails", "/admin/emails", master),
        ("Tokens", "/admin/tokens", master and "/admin/tokens" in routes),
        ("Conta", "/admin/conta/2fa", master),
    ]
    path = request.url.path
    return [
        NavItem(label, href, path == href or path.startswith(href + "/"))
        for label, href, shown in candidates
        if shown
    ]


def admin_page(
    request: Request,
    staff: StaffSession,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Response[str]:
    """:func:`espaco.web.pages.page` with the staff user, the nav and a pending notice."""
    settings: Settings = request.app.state.settings
    notice = take_notice(request, settings)
    full = {"staff": staff, "nav": _nav(request, staff), "notice": notice, **context}
    response = page(request, template, full, fragment=fragment, status_code=status_code)
    if read_cookie(request, NOTICE_COOKIE) is not None:
        clear_cookie(response, settings, NOTICE_COOKIE)
    return response


def admin_confirmation(
    request: Request, staff: StaffSession, back_url: str, **context: Any
) -> Response[str]:
    """The back office's page asking to confirm a destructive POST (``confirmar.html``:
    ``title``, ``question``, ``action``, ``confirm_label``, ``verb``)."""
    full = {"layout": "admin_base.html", "fields": {}, "back_url": back_url, **context}
    return admin_page(request, staff, "confirmar.html", full)


def actor_ip(request: Request, staff: StaffSession) -> tuple[str, str]:
    """Who does a change and from where, for the audit."""
    return staff.username, client_ip(request, request.app.state.settings)
