"""Who is asking: the client IP, the session cookies, the app's clock, and
:class:`LoginRequired` (raised by the guards of :mod:`espaco.web.guards`)."""

from __future__ import annotations

import asyncio
import ipaddress
import random
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.response import Response

from espaco.clock import Clock
from espaco.settings import Settings

CLIENT_COOKIE = "espaco_sessao"
STAFF_COOKIE = "espaco_equipe"
DEVICE_COOKIE = "espaco_dispositivo"
STAFF_DEVICE_COOKIE = "espaco_equipe_dispositivo"
YEAR = 365 * 24 * 3600
# A login refused unchecked (its lock is running, or the hashing pool is full) is answered after
# a pause of 0.5-1.5 s (a tarpit):
# it costs the server nothing while it waits, and it turns a closed-loop flood from one address
# into a trickle. Measured with 32 connections of wrong logins from one address
# (bench/login_flood.py): answered at once, the ~0.8 ms of routing, CSRF and template each
# refusal costs kept the event loop saturated (~1,900 refusals/s) and /saude's p99 went from
# ~12 to ~65 ms. The pause is spread at random so that the flood's connections do not come back
# in step (a fixed 0.5 s brought 64 of them back at once, and /saude waited behind the wave).
REFUSAL_PAUSE = (0.5, 1.5)


class LoginRequired(Exception):  # noqa: N818 - it is a control-flow signal, not an error
    """Raised by the guards; answered with a redirect to the right login page."""

    def __init__(self, login_path: str) -> None:
        self.login_path = login_path


def clock_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Clock:
    """The app's clock (``create_app(clock=…)``): the web layer's only way to the time."""
    clock: Clock = connection.app.state.clock
    return clock


async def pause_refusal(refused: bool) -> None:
    """Wait :data:`REFUSAL_PAUSE` before answering a login refused unchecked (see there)."""
    if refused:
        await asyncio.sleep(_random.uniform(*REFUSAL_PAUSE))


_random = random.SystemRandom()


def client_ip(request: Request, settings: Settings) -> str:
    """The peer address, or the first untrusted hop of X-Forwarded-For when the peer is a
    trusted proxy (``ESPACO_TRUSTED_PROXIES``); never a header from just anyone."""
    peer = request.client.host if request.client else ""
    if not settings.trusted_proxies or not _trusted(peer, settings.trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, settings.trusted_proxies):
            return hop if _is_ip(hop) else peer  # garbage is no address to count by
    return peer


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(p, strict=False) for p in proxies)


def cookie_name(settings: Settings, name: str) -> str:
    """``name`` as it travels: with the ``__Host-`` prefix under an https base URL, so that the
    browser takes it only from this host, over https, for the whole site (no sibling subdomain
    or plain-http answer can plant or shadow it)."""
    return f"__Host-{name}" if settings.secure_cookies else name


def read_cookie(request: ASGIConnection[Any, Any, Any, Any], name: str) -> str | None:
    """The value of our cookie ``name`` (see :func:`cookie_name`); an unprefixed cookie of the
    same name is ignored under https."""
    return request.cookies.get(cookie_name(request.app.state.settings, name))


def set_cookie(
    response: Response[Any],
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        cookie_name(settings, name),
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_cookie(response: Response[Any], settings: Settings, name: str) -> None:
    # Set, not delete_cookie: a browser refuses a __Host- cookie, even an expired one, without
    # Secure.
    set_cookie(response, settings, name, "", max_age=0)
