"""``/admin/conta/2fa``: a master user turns on two-step login for their own account."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Response

from espaco.services.access import staff_mfa
from espaco.settings import Settings
from espaco.web.admin.common import Form, actor_ip, admin_page
from espaco.web.auth import clock_of
from espaco.web.guards import Staff, master_only
from espaco.web.redirects import redirect

PATH = "/admin/conta/2fa"


async def _page(
    request: Request, staff: Staff, message: str | None = None, status_code: int = 200
) -> Response[str]:
    settings: Settings = request.app.state.settings
    enrolment = await staff_mfa.start_enrolment(staff.staff_id, issuer=settings.provider_name)
    return admin_page(
        request,
        staff,
        "admin/conta_2fa.html",
        {"enrolment": enrolment, "message": message, "action": PATH},
        fragment="admin/partials/totp_setup.html",
        status_code=status_code,
    )


@get(PATH, include_in_schema=False, guards=[master_only])
async def totp_page(request: Request, staff: Staff) -> Response[str]:
    """The QR code and the secret to type, or a note that TOTP is already on."""
    return await _page(request, staff)


@post(PATH, include_in_schema=False, guards=[master_only])
async def totp_confirm(request: Request, staff: Staff, data: Form) -> Response[str]:
    _, ip = actor_ip(request, staff)
    code = str(data.get("codigo", ""))[:20]
    if await staff_mfa.confirm_enrolment(staff.staff_id, code, now=clock_of(request).now(), ip=ip):
        return redirect(
            request, PATH, "Verificação em duas etapas ativada para a sua conta.", same_page=True
        )
    return await _page(
        request,
        staff,
        "Código incorreto. Confira o aplicativo autenticador e tente de novo.",
        status_code=422,
    )
