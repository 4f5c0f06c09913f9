"""Who may open a route, declared on the route itself: one role each.

========  ===========================================  =========================================
role      how the route declares it                    who else gets what
========  ===========================================  =========================================
public    ``opt=PUBLIC``                               (anyone)
client    ``guards=[client_only]``                     nobody: redirect to /entrar
staff     ``guards=[staff_only]``                      nobody: redirect to /admin/entrar
master    ``guards=[master_only]``                     nobody: redirect; another staff user: 403
api       ``guards=[token_guard]`` + ``opt["scope"]``  401 without a token, 403 without the scope
========  ===========================================  =========================================

A guard puts the session it checked in the request's state; handlers take it as their
``client: Client`` or ``staff: Staff`` parameter (the name picks the dependency, and a route that
reads a session its guard did not check fails loudly instead of skipping the check).
:func:`undeclared` lists the routes with no role or two: ``create_app`` refuses to start with
one, and ``tests/web/test_roles.py`` tries every route of the table against its role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler

from espaco.services.access import sessions
from espaco.services.access.sessions import ClientSession, StaffSession
from espaco.tables import StaffRole
from espaco.web.api.guard import token_guard
from espaco.web.auth import CLIENT_COOKIE, STAFF_COOKIE, LoginRequired, clock_of, read_cookie

PUBLIC: dict[str, Any] = {"public": True}
# The sessions as handler parameters (filled from the state the route's guard left).
Client = NamedDependency[ClientSession]
Staff = NamedDependency[StaffSession]
_CLIENT = "espaco_client_session"
_STAFF = "espaco_staff_session"


class Role(StrEnum):
    public = "public"
    client = "client"
    staff = "staff"
    master = "master"
    api = "api"


Connection = ASGIConnection[Any, Any, Any, Any]


async def client_only(connection: Connection, _: BaseRouteHandler) -> None:
    """A client's session, or a redirect to /entrar."""
    await _open(connection, CLIENT_COOKIE, sessions.load_client_session, _CLIENT, "/entrar")


async def staff_only(connection: Connection, _: BaseRouteHandler) -> None:
    """Any staff user's session, or a redirect to the back-office login."""
    await _open(connection, STAFF_COOKIE, sessions.load_staff_session, _STAFF, "/admin/entrar")


async def _open(
    connection: Connection,
    cookie: str,
    load: Callable[..., Awaitable[Any]],
    key: str,
    login_path: str,
) -> None:
    """The session ``cookie`` names, kept under ``key`` for the handler; else to the login."""
    session = await load(read_cookie(connection, cookie), now=clock_of(connection).now())
    if session is None:
        raise LoginRequired(login_path)
    connection.state[key] = session


async def master_only(connection: Connection, handler: BaseRouteHandler) -> None:
    """A master user's session; 403 for another staff user, a redirect for nobody."""
    await staff_only(connection, handler)
    if connection.state[_STAFF].role != StaffRole.master:
        raise PermissionDeniedException()


def _client(request: Request[Any, Any, Any]) -> ClientSession:
    if (session := request.state.get(_CLIENT)) is None:
        raise RuntimeError(f"{request.url.path} reads the client session without client_only")
    return session  # type: ignore[no-any-return]


def _staff(request: Request[Any, Any, Any]) -> StaffSession:
    if (session := request.state.get(_STAFF)) is None:
        raise RuntimeError(f"{request.url.path} reads the staff session without a staff guard")
    return session  # type: ignore[no-any-return]


DEPENDENCIES = {
    "client": Provide(_client, sync_to_thread=False),
    "staff": Provide(_staff, sync_to_thread=False),
}
_GUARD_ROLES = {
    client_only: Role.client,
    staff_only: Role.staff,
    master_only: Role.master,
    token_guard: Role.api,
}


def role_of(handler: HTTPRouteHandler) -> Role | None:
    """The one role ``handler`` declares (None for none, two, or an API route without scope)."""
    declared = [_GUARD_ROLES[g] for g in handler.resolve_guards() if g in _GUARD_ROLES]
    if handler.opt.get("public"):
        declared.append(Role.public)
    if len(declared) != 1 or (declared[0] is Role.api and not handler.opt.get("scope")):
        return None
    return declared[0]


def handlers(app: Litestar) -> list[tuple[str, HTTPRouteHandler]]:
    """Every (path, handler) of the app's route table, but the OPTIONS answers Litestar adds
    (they carry no data: the allowed methods)."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}:
                found.append((route.path, handler))
    return found


def undeclared(app: Litestar) -> list[str]:
    """The routes of ``app`` without exactly one role (see the module's table)."""
    return [
        f"{sorted(handler.http_methods)} {path}"
        for path, handler in handlers(app)
        if role_of(handler) is None
    ]
