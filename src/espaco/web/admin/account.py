"""``/admin/conta/2fa``: a master user turns on two-step login for their own account."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Response

from espaco.services.access import staff_mfa
from espaco.settings import Settings
from espaco.web.admin.common import Form, Master, actor_ip, admin_page, see_other
from espaco.web.auth import now

PATH = "/admin/conta/2fa"


async def _page(
    request: Request, master: Master, message: str | None = None, status_code: int = 200
) -> Response[str]:
    settings: Settings = request.app.state.settings
    enrolment = await staff_mfa.start_enrolment(master.staff_id, issuer=settings.provider_name)
    return admin_page(
        request,
        master,
        "admin/conta_2fa.html",
        {"enrolment": enrolment, "message": message, "action": PATH},
        fragment="admin/partials/totp_setup.html",
        status_code=status_code,
    )


@get(PATH, include_in_schema=False)
async def totp_page(request: Request, master: Master) -> Response[str]:
    """The QR code and the secret to type, or a note that TOTP is already on."""
    return await _page(request, master)


@post(PATH, include_in_schema=False)
async def totp_confirm(request: Request, master: Master, data: Form) -> Response[str]:
    _, ip = actor_ip(request, master)
    code = str(data.get("codigo", ""))[:20]
    if await staff_mfa.confirm_enrolment(master.staff_id, code, now=now(), ip=ip):
        return see_other(request, PATH, "Verificação em duas etapas ativada para a sua conta.")
    return await _page(
        request,
        master,
        "Código incorreto. Confira o aplicativo autenticador e tente de novo.",
        status_code=422,
    )
