"""Who calls the API: a bearer token, with the scope the endpoint needs, within its rate."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from espaco.services.access import api_tokens
from espaco.services.access.api_tokens import ApiCaller
from espaco.web.auth import clock_of
from espaco.web.errors import ApiProblem

CALLER_KEY = "api_caller"


async def token_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """401 without a valid token, 429 past its rate, 403 without the handler's ``scope``."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    caller = None
    if scheme.lower() == "bearer" and token.strip():
        caller = await api_tokens.authenticate(token.strip())
    if caller is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "Token ausente, inválido ou revogado. Envie Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    decision = await api_tokens.count_request(caller, now=clock_of(connection).now())
    if not decision.allowed:
        raise ApiProblem(
            429,
            "rate_limited",
            f"Limite de {api_tokens.REQUESTS_PER_MINUTE} pedidos por minuto atingido para este "
            f"token: tente de novo em {decision.retry_after} s.",
            headers={"Retry-After": str(decision.retry_after)},
        )
    scope = handler.opt.get("scope")
    if scope and scope not in caller.scopes:
        raise ApiProblem(
            403, "forbidden", f"Este token não tem o escopo '{scope}' que esta operação exige."
        )
    connection.state[CALLER_KEY] = caller


def caller_of(connection: ASGIConnection) -> ApiCaller:
    caller: ApiCaller = connection.state[CALLER_KEY]
    return caller
