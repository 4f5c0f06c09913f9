"""What a client can filter the Coletas page by: period, place and situação (their URL spelling
and labels), and the SQL condition for them that the listing and the summary share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from espaco.domain.errors import DomainError
from espaco.domain.periods import Period
from espaco.services.access.scope import Scope, scoped
from espaco.tables import CollectionStatus

# URL spelling (pt-BR, what people bookmark) ↔ stored status.
SITUACOES: dict[str, str] = {
    "agendada": CollectionStatus.scheduled,
    "realizada": CollectionStatus.done,
    "validada": CollectionStatus.validated,
    "cancelada": CollectionStatus.cancelled,
}
STATUS_LABELS: dict[str, str] = {
    CollectionStatus.scheduled: "Agendada",
    CollectionStatus.done: "Realizada",
    CollectionStatus.validated: "Validada",
    CollectionStatus.cancelled: "Cancelada",
}
WITH_TICKET = frozenset({CollectionStatus.done, CollectionStatus.validated})


@dataclass(frozen=True)
class Filters:
    """What the client asked to see: a period of ``event_on`` days, one place, one status."""

    period: Period
    location_id: int | None = None
    status: str | None = None


def parse_situacao(text: str | None) -> str | None:
    """The stored status for a ``situacao`` parameter; blank is None. Code ``"situacao"``."""
    if not text or not text.strip():
        return None
    status = SITUACOES.get(text.strip().lower())
    if status is None:
        raise DomainError("situacao", "Situação desconhecida")
    return status


def situacao_param(status: str | None) -> str:
    """The URL spelling of a stored status (``"done"`` → ``"realizada"``)."""
    return next((k for k, v in SITUACOES.items() if v == status), "")


def where_clause(client: int | Scope, filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition on ``collection c`` for the client (or a group's scope) and filters
    (``{}`` placeholders) and its values."""
    scope = (client,) if isinstance(client, int) else client
    sql = scoped("c.client IN {scope} AND c.event_on >= {} AND c.event_on <= {}", scope)
    args: list[Any] = [*scope, filters.period.start, filters.period.end]
    if filters.location_id is not None:
        sql += " AND c.location = {}"
        args.append(filters.location_id)
    if filters.status is not None:
        sql += " AND c.status = {}"
        args.append(filters.status)
    return sql, args
