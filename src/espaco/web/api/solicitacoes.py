"""The clients' collection requests for the ERP (scope ``requests``): read the queue, schedule
one, refuse one — the same service functions as the back-office's Planejamento."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Response

from espaco.domain.errors import Invalid
from espaco.services.solicitacoes import planning
from espaco.services.solicitacoes.planning import ApiRequest, Decision
from espaco.settings import Settings
from espaco.web.api.guard import caller_of, token_guard
from espaco.web.api.schemas import _error, errors, unprocessable
from espaco.web.auth import client_ip, clock_of
from espaco.web.errors import ApiProblem

COMMON: dict[str, Any] = {
    "guards": [token_guard],
    "opt": {"scope": "requests"},
    "tags": ["Solicitações"],
}
Status = Literal["pending", "scheduled", "refused", "cancelled"]


@dataclass
class RequestOut:
    """A client's request: what it asked for and what became of it."""

    protocol: FromPath[str]
    status: str
    client: str
    client_document: str
    location: str
    intended_on: str
    description: str
    created_at: str
    decided_at: str | None
    scheduled_on: str | None
    refusal_reason: str | None


class ScheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    scheduled_on: date


class RefuseIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _out(r: ApiRequest) -> dict[str, Any]:
    return {
        "protocol": r.protocol,
        "status": r.status,
        "client": r.client_external_id,
        "client_document": r.client_document,
        "location": r.location_external_id,
        "intended_on": r.intended_on.isoformat(),
        "description": r.description,
        "created_at": r.created_at.isoformat(),
        "decided_at": _iso(r.decided_at),
        "scheduled_on": _iso(r.scheduled_on),
        "refusal_reason": r.refusal_reason,
    }


@get(
    "/requests",
    **COMMON,
    summary="Solicitações de coleta",
    description=(
        "As solicitações dos clientes, das mais antigas às mais novas (até 500): `status` "
        "filtra a situação; `since` (ISO 8601 com fuso) guarda as criadas ou decididas desde "
        "então. Escopo: `requests`."
    ),
    responses=errors((200, ResponseSpec(list[RequestOut], description="As solicitações"))),
)
async def list_requests(
    status: Annotated[Status | None, QueryParameter(required=False)] = None,
    since: Annotated[datetime | None, QueryParameter(required=False)] = None,
) -> Response[Any]:
    if since is not None and since.tzinfo is None:
        raise ApiProblem(400, "invalid", "since precisa do fuso (ISO 8601)", "since")
    rows = await planning.list_for_api(status=status, since=since)
    return Response([_out(r) for r in rows])


# The back-office form's field names, as the API calls them.
FIELDS = {"data": "scheduled_on", "motivo": "reason"}


async def _decided(protocol: str, decide: Awaitable[Decision], when: datetime) -> Response[Any]:
    try:
        decision = await decide
    except Invalid as invalid:
        field, message = next(iter(invalid.errors.items()))
        raise ApiProblem(422, "invalid", message, FIELDS.get(field, field)) from invalid
    if not decision.ok:
        raise ApiProblem(409, "already_decided", decision.error or "", "protocol")
    rows = [r for r in await planning.list_for_api(since=when) if r.protocol == protocol]
    if not rows:  # decided and then gone: answer what we know
        raise ApiProblem(404, "not_found", planning.NOT_FOUND, "protocol")
    return Response(_out(rows[0]))


def _who(request: Request) -> tuple[str, str]:
    settings: Settings = request.app.state.settings
    return f"api:{caller_of(request).name}", client_ip(request, settings)


DECISION_ERRORS = errors(
    (200, ResponseSpec(RequestOut, description="A solicitação como ficou")),
    (409, _error("Já decidida", "already_decided", planning.ALREADY_DECIDED, "protocol")),
)


@post(
    "/requests/{protocol:str}/schedule",
    **COMMON,
    status_code=200,
    summary="Agendar uma solicitação",
    description=(
        "Agenda para `scheduled_on` (hoje ou depois): vira uma coleta agendada que o cliente vê, "
        "e o cliente recebe um e-mail. Escopo: `requests`."
    ),
    responses={
        **DECISION_ERRORS,
        **dict(
            [
                unprocessable(
                    "invalid", "A data da coleta não pode estar no passado.", "scheduled_on"
                )
            ]
        ),
    },
)
async def schedule(
    request: Request, protocol: FromPath[str], data: JSONBody[ScheduleIn]
) -> Response[Any]:
    actor, ip = _who(request)
    when = clock_of(request).now()
    decide = planning.schedule_request(
        protocol,
        data.scheduled_on,
        actor=actor,
        staff_id=None,
        ip=ip,
        settings=request.app.state.settings,
        now=when,
    )
    return await _decided(protocol, decide, when)


@post(
    "/requests/{protocol:str}/refuse",
    **COMMON,
    status_code=200,
    summary="Recusar uma solicitação",
    description="Recusa com um motivo que o cliente lê (e recebe por e-mail). Escopo: `requests`.",
    responses={
        **DECISION_ERRORS,
        **dict([unprocessable("invalid", "Informe o motivo da recusa.", "reason")]),
    },
)
async def refuse(
    request: Request, protocol: FromPath[str], data: JSONBody[RefuseIn]
) -> Response[Any]:
    actor, ip = _who(request)
    when = clock_of(request).now()
    decide = planning.refuse_request(
        protocol,
        data.reason,
        actor=actor,
        staff_id=None,
        ip=ip,
        settings=request.app.state.settings,
        now=when,
    )
    return await _decided(protocol, decide, when)
