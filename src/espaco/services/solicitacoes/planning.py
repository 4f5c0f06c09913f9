"""Planejamento: the queue of collection requests and the two answers to one — schedule it (an
agendada collection linked to the request, which the client then sees in Coletas) or refuse it
with a reason. The back-office and the ERP API (``/api/v1/requests``) call the same functions.

A decision is a conditional ``UPDATE … WHERE status = 'pending'``: when two people (or a person
and the ERP) answer the same request at once, the database lets exactly one update the row, and
the other is told the request was already decided. The collection, the e-mail to the client and
the audit event are written in the winner's transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from espaco.clock import local_date
from espaco.db.read import like
from espaco.domain import scheduling
from espaco.domain.errors import Invalid, NotFound
from espaco.services.imports.store_solicitacoes import placeholder_id
from espaco.services.operations import audit, outbox
from espaco.services.solicitacoes.solicitacoes import (
    STATUS_LABELS,
    RequestView,
    _view_query,
    notify_client,
    to_view,
)
from espaco.settings import Settings
from espaco.tables import Client, Collection, CollectionRequest, CollectionStatus, RequestStatus

PER_PAGE = 50
API_LIMIT = 500
# The situação filter of the queue, as it appears in URLs.
STATUS_SLUGS = {label: status for status, label in STATUS_LABELS.items()}
ALREADY_DECIDED = (
    "Esta solicitação já foi decidida por outra pessoa ou pelo ERP: veja a situação atual."
)
NOT_FOUND = "Solicitação não encontrada."
COLLECTION_SERVICE = "Coleta solicitada pelo portal"


@dataclass(frozen=True)
class QueueItem:
    request: RequestView
    client_name: str
    client_document: str


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Decision:
    """What a schedule or refuse did: ``ok``, or the Portuguese reason it did not (decided
    already: ``conflict``). Bad input raises :class:`Invalid`; no such request,
    :class:`NotFound`."""

    ok: bool
    error: str | None = None
    collection_id: int | None = None
    conflict: bool = False  # already decided (the API answers 409)


@dataclass(frozen=True)
class ApiRequest:
    """A request as the ERP reads it."""

    protocol: str
    status: str
    client_external_id: str
    client_document: str
    location_external_id: str
    intended_on: date
    description: str
    created_at: datetime
    decided_at: datetime | None
    scheduled_on: date | None
    refusal_reason: str | None


async def queue(
    *,
    status: str | None = RequestStatus.pending,
    start: date | None = None,
    end: date | None = None,
    client: str = "",
    page: int = 1,
) -> QueuePage:
    """Requests oldest first, filtered by situação (None: all), intended date and client (name,
    trade name, document or ERP id containing ``client``)."""
    conditions: list[Any] = []
    if status:
        conditions.append(CollectionRequest.status == status)
    if start:
        conditions.append(CollectionRequest.intended_on >= start)
    if end:
        conditions.append(CollectionRequest.intended_on <= end)
    text = " ".join(client.split())[:100]
    if text:
        pattern = like(text.lower())
        document = "".join(c for c in text.upper() if c.isalnum())
        ids = await Client.select(Client.id).where(
            WhereRaw(
                "(lower(name) LIKE {} ESCAPE '!' OR lower(trade_name) LIKE {} ESCAPE '!' "
                "OR lower(external_id) LIKE {} ESCAPE '!' OR document LIKE {} ESCAPE '!')",
                pattern,
                pattern,
                pattern,
                like(document) if document else pattern,
            )
        )
        conditions.append(CollectionRequest.client.is_in([r["id"] for r in ids] or [0]))
    where: Any = None
    for condition in conditions:
        where = condition if where is None else where & condition
    count = CollectionRequest.count()
    if where is not None:
        count = count.where(where)
    total = await count
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    query = _view_query().columns(
        CollectionRequest.client.name.as_alias("client_name"),
        CollectionRequest.client.trade_name.as_alias("client_trade_name"),
        CollectionRequest.client.document.as_alias("client_document"),
    )
    if where is not None:
        query = query.where(where)
    rows = (
        await query.order_by(CollectionRequest.created_at)
        .order_by(CollectionRequest.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    items = tuple(
        QueueItem(to_view(r), r["client_trade_name"] or r["client_name"], r["client_document"])
        for r in rows
    )
    return QueuePage(items=items, total=total, page=page, pages=pages)


async def request_detail(protocol: str) -> QueueItem:
    """The request ``protocol`` with its client; :class:`NotFound` when there is none."""
    rows = (
        await _view_query()
        .columns(
            CollectionRequest.client.name.as_alias("client_name"),
            CollectionRequest.client.trade_name.as_alias("client_trade_name"),
            CollectionRequest.client.document.as_alias("client_document"),
        )
        .where(CollectionRequest.protocol == protocol[:20])
    )
    if not rows:
        raise NotFound(NOT_FOUND)
    r = rows[0]
    return QueueItem(to_view(r), r["client_trade_name"] or r["client_name"], r["client_document"])


async def _lost(protocol: str) -> Decision:
    """Why a decision found no pending request: decided already, or :class:`NotFound`."""
    exists = await CollectionRequest.exists().where(CollectionRequest.protocol == protocol[:20])
    if exists:
        return Decision(ok=False, error=ALREADY_DECIDED, conflict=True)
    raise NotFound(NOT_FOUND)


async def schedule_request(
    protocol: str,
    on: date | None,
    *,
    actor: str,
    staff_id: int | None,
    ip: str,
    settings: Settings,
    now: datetime,
) -> Decision:
    """Schedule a pending request for ``on`` (today or later): the request becomes agendada, an
    agendada collection linked to it is created, the client is e-mailed, the decision audited."""
    today = local_date(now, settings.tz)
    if on is None:
        raise Invalid({"data": "Informe a data da coleta."})
    if on < today:
        raise Invalid({"data": "A data da coleta não pode estar no passado."})
    async with CollectionRequest._meta.db.transaction():
        rows = (
            await CollectionRequest.update(
                {
                    CollectionRequest.status: RequestStatus.scheduled,
                    CollectionRequest.scheduled_on: on,
                    CollectionRequest.decided_at: now,
                    CollectionRequest.decided_by: staff_id,
                }
            )
            .where(
                (CollectionRequest.protocol == protocol[:20])
                & (CollectionRequest.status == RequestStatus.pending)
            )
            .returning(
                CollectionRequest.id,
                CollectionRequest.client,
                CollectionRequest.location,
                CollectionRequest.description,
            )
        )
        if not rows:
            return await _lost(protocol)
        row = rows[0]
        inserted = await Collection.insert(
            Collection(
                client=row["client"],
                location=row["location"],
                external_id=placeholder_id(protocol),
                request=row["id"],
                scheduled_on=on,
                event_on=on,
                status=CollectionStatus.scheduled,
                service=COLLECTION_SERVICE,
                notes=row["description"],
            )
        ).returning(Collection._meta.primary_key)
        await notify_client(
            row["client"],
            "request_scheduled",
            {"protocol": protocol, "scheduled_on": f"{on:%d/%m/%Y}"},
            settings=settings,
            now=now,
        )
        await audit.record(
            "request_scheduled",
            now=now,
            actor=actor,
            ip=ip,
            client_id=row["client"],
            details={"protocol": protocol, "scheduled_on": on.isoformat()},
        )
    outbox.wake()
    return Decision(ok=True, collection_id=int(inserted[0]["id"]))


async def refuse_request(
    protocol: str,
    reason: str,
    *,
    actor: str,
    staff_id: int | None,
    ip: str,
    settings: Settings,
    now: datetime,
) -> Decision:
    """Refuse a pending request with a reason the client reads; e-mailed and audited."""
    reason = reason.strip().replace("\r\n", "\n")
    if not reason:
        raise Invalid({"motivo": "Informe o motivo da recusa."})
    if len(reason) > scheduling.REFUSAL_MAX:
        raise Invalid(
            {"motivo": f"O motivo pode ter no máximo {scheduling.REFUSAL_MAX} caracteres."}
        )
    async with CollectionRequest._meta.db.transaction():
        rows = (
            await CollectionRequest.update(
                {
                    CollectionRequest.status: RequestStatus.refused,
                    CollectionRequest.refusal_reason: reason,
                    CollectionRequest.decided_at: now,
                    CollectionRequest.decided_by: staff_id,
                }
            )
            .where(
                (CollectionRequest.protocol == protocol[:20])
                & (CollectionRequest.status == RequestStatus.pending)
            )
            .returning(CollectionRequest.id, CollectionRequest.client)
        )
        if not rows:
            return await _lost(protocol)
        client_id = rows[0]["client"]
        await notify_client(
            client_id,
            "request_refused",
            {"protocol": protocol, "reason": reason},
            settings=settings,
            now=now,
        )
        await audit.record(
            "request_refused",
            now=now,
            actor=actor,
            ip=ip,
            client_id=client_id,
            details={"protocol": protocol},
        )
    outbox.wake()
    return Decision(ok=True)


async def list_for_api(
    *, status: str | None = None, since: datetime | None = None, limit: int = API_LIMIT
) -> list[ApiRequest]:
    """Requests for the ERP, oldest first: ``status`` one of pending|scheduled|refused|cancelled
    (None: all), ``since`` keeps those created or decided at or after it."""
    query = CollectionRequest.select(
        CollectionRequest.protocol,
        CollectionRequest.status,
        CollectionRequest.client.external_id.as_alias("client_external_id"),
        CollectionRequest.client.document.as_alias("client_document"),
        CollectionRequest.location.external_id.as_alias("location_external_id"),
        CollectionRequest.intended_on,
        CollectionRequest.description,
        CollectionRequest.created_at,
        CollectionRequest.decided_at,
        CollectionRequest.scheduled_on,
        CollectionRequest.refusal_reason,
    )
    conditions: list[Any] = []
    if status:
        conditions.append(CollectionRequest.status == status)
    if since is not None:
        conditions.append(
            (CollectionRequest.created_at >= since) | (CollectionRequest.decided_at >= since)
        )
    for condition in conditions:
        query = query.where(condition)
    rows = (
        await query.order_by(CollectionRequest.created_at)
        .order_by(CollectionRequest.id)
        .limit(max(1, min(limit, API_LIMIT)))
    )
    return [ApiRequest(**row) for row in rows]
