"""Security headers on every response, with a strict Content-Security-Policy.

No inline script or style anywhere in the templates, so the policy allows only the app's own
files; htmx's ``hx-on``/``js:`` handlers need ``eval`` and stay disabled by it, as intended.
"""

from __future__ import annotations

from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from espaco.settings import Settings

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


HSTS = (b"strict-transport-security", b"max-age=31536000")


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook adding :data:`HEADERS` to every response the app sends.

    A hook and not a middleware: Litestar runs middleware only around a matched route, so its
    own 404, 405 and 413 answers (and a 500 from the exception handler) went out bare. The hook
    wraps ``send`` for every request.

    HSTS follows ``ESPACO_BASE_URL``, not the request's scheme: behind the documented proxy
    uvicorn runs with ``proxy_headers=False`` and every request looks like plain http.
    """
    extra = [*HEADERS, HSTS] if settings.secure_cookies else HEADERS

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {bytes(name).lower() for name, _ in headers}
        headers.extend(item for item in extra if item[0] not in present)
        message["headers"] = headers

    return add_headers
