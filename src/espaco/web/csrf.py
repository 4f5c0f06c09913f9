"""CSRF tokens bound to the session they protect.

Litestar's own CSRF check compares a form token with a cookie that holds the same random value:
any pair the attacker obtained (a visit of his own) passes beside the victim's session cookie,
if he can plant the cookie (a sibling subdomain, a plain-http response on the way). Here the
token is an HMAC, under ``ESPACO_SECRET_KEY``, of the session cookie of the area the form
belongs to (``/admin`` → the staff session, elsewhere → the client session); before login, of a
random pre-session cookie. A token is worth nothing beside another session's cookie, and a new
session (every login) makes new tokens.

Safe methods get the token in ``ScopeState.csrf_token`` (the templates' ``csrf_token``) and, on
a first visit, the pre-session cookie; other methods must send it as the ``_csrf_token`` form
field or the ``X-CSRFToken`` header, else 403. The API (bearer tokens, no cookies), the static
files, the health check and the calendar feed (a GET for calendar programs) are exempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from espaco.settings import Settings
from espaco.web.auth import CLIENT_COOKIE, STAFF_COOKIE, cookie_name

PRE_SESSION_COOKIE = "espaco_csrf"
FIELD = "_csrf_token"
HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT = ("/api/", "/static/", "/saude", "/agenda/")
# The text errors.http_error recognises to show "Formulário expirado".
FAILED = "CSRF token verification failed"


def expected_token(settings: Settings, path: str, cookies: dict[str, str]) -> str:
    """The token a form on ``path`` must carry for a browser holding ``cookies``."""
    staff_area = path == "/admin" or path.startswith("/admin/")
    area, session_cookie = ("staff", STAFF_COOKIE) if staff_area else ("client", CLIENT_COOKIE)
    session = cookies.get(cookie_name(settings, session_cookie), "")
    if session:
        binding = f"session:{session}"
    else:
        binding = f"pre:{cookies.get(cookie_name(settings, PRE_SESSION_COOKIE), '')}"
    message = f"csrf\0{area}\0{binding}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def csrf_protection(settings: Settings) -> Any:
    """ASGI middleware factory for Litestar's ``middleware=[...]``."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
                await app(scope, receive, send)
                return
            request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            cookies = dict(request.cookies)
            new_pre_session = None
            if not cookies.get(cookie_name(settings, PRE_SESSION_COOKIE)):
                new_pre_session = secrets.token_urlsafe(32)
                cookies[cookie_name(settings, PRE_SESSION_COOKIE)] = new_pre_session
            token = expected_token(settings, scope["path"], cookies)
            if request.method not in SAFE_METHODS:
                sent = request.headers.get(HEADER)
                content_type, _ = request.content_type
                if not sent and content_type in (
                    RequestEncodingType.URL_ENCODED,
                    RequestEncodingType.MULTI_PART,
                ):
                    sent = (await request.form()).get(FIELD)
                # (Without a session, a POST that brought no pre-session cookie is checked
                # against the random one just made up: it cannot match.)
                if not isinstance(sent, str) or not hmac.compare_digest(
                    sent.encode(), token.encode()
                ):
                    raise PermissionDeniedException(FAILED)
            ScopeState.from_scope(scope).csrf_token = token
            if new_pre_session is None:
                await app(scope, receive, send)
                return

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    cookie = Cookie(
                        key=cookie_name(settings, PRE_SESSION_COOKIE),
                        value=new_pre_session,
                        path="/",
                        secure=settings.secure_cookies,
                        httponly=True,
                        samesite="lax",
                    )
                    headers = MutableScopeHeaders.from_message(message)
                    headers.add("set-cookie", cookie.to_header(header=""))
                await send(message)

            await app(scope, receive, send_with_cookie)

        return middleware

    return factory
