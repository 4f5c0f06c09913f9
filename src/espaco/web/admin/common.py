"""What every back-office page shares: the master guard, the layout's nav, one-shot notices."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from litestar.response import Response

from espaco.services.access.sessions import StaffSession
from espaco.settings import Settings
from espaco.tables import StaffRole
from espaco.web.auth import clear_cookie, client_ip, read_cookie, set_cookie
from espaco.web.pages import page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# The two guards as handler parameters: any staff user, or a master user only (else 403).
Staff = NamedDependency[StaffSession]
Master = NamedDependency[StaffSession]
NOTICE_COOKIE = "espaco_aviso"
NOTICE_MAX = 1500


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


async def require_master(staff: Staff) -> StaffSession:
    """Dependency ``master``: the staff session of a master user, or 403 for anyone else."""
    if staff.role != StaffRole.master:
        raise PermissionDeniedException()
    return staff


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


def actor_ip(request: Request, staff: StaffSession) -> tuple[str, str]:
    """Who does a change and from where, for the audit."""
    return staff.username, client_ip(request, request.app.state.settings)


# -- one-shot notices (Post/Redirect/Get) ------------------------------------------------------
def _sign(settings: Settings, data: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"notice:{data}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def see_other(request: Request, location: str, notice: str | None = None) -> Response[str]:
    """303 to ``location`` for plain forms and htmx alike (htmx follows it and swaps the
    fragment of the page it lands on); ``notice`` is shown once there."""
    response: Response[str] = Response("", status_code=303, headers={"Location": location})
    if notice:
        settings: Settings = request.app.state.settings
        text = notice if len(notice) <= NOTICE_MAX else notice[: NOTICE_MAX - 1] + "…"
        data = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        set_cookie(response, settings, NOTICE_COOKIE, f"{data}.{_sign(settings, data)}", max_age=60)
    return response


def take_notice(request: Request, settings: Settings) -> str | None:
    """The notice a redirect left for this page, when its signature holds."""
    raw = read_cookie(request, NOTICE_COOKIE) or ""
    data, _, signature = raw.partition(".")
    if not data or not hmac.compare_digest(signature, _sign(settings, data)):
        return None
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()
    except ValueError:
        return None
