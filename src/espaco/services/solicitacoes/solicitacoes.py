"""Collection requests, the client's side: the places to choose from, sending a request (once,
however often the form is posted), following and cancelling them.

A request is written in one transaction with its protocol number, its audit event and the
confirmation e-mail to the client's E-mail list. Protocol numbers are allocated under a lock
taken in that transaction — SQLite's write transaction (``BEGIN IMMEDIATE``) already serialises
writers, PostgreSQL takes a transaction-scoped advisory lock — so two workers never hand out the
same number, and the same lock makes the check of the form's one-time key and the insert atomic.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from espaco.clock import local_date
from espaco.db import database, read
from espaco.domain import scheduling
from espaco.domain.errors import Invalid, NotFound
from espaco.mail import Email, email_environment, render_email
from espaco.services import page_cache
from espaco.services.access.scope import Scope, column_in, scoped_query
from espaco.services.operations import audit, outbox
from espaco.services.solicitacoes.places import Place, active_places, address_of, read_places
from espaco.services.solicitacoes.queries import LIST, ListRow
from espaco.settings import Settings
from espaco.tables import (
    Client,
    ClientEmail,
    Collection,
    CollectionRequest,
    EmailKind,
    RequestStatus,
)

__all__ = ["Place", "active_places", "address_of"]  # the places, importable from here too

# Any constant of our own: the advisory lock that serialises protocol allocation on PostgreSQL.
PROTOCOL_LOCK = 0x45535043  # "ESPC"
STATUS_LABELS = {
    RequestStatus.pending: "pendente",
    RequestStatus.scheduled: "agendada",
    RequestStatus.refused: "recusada",
    RequestStatus.cancelled: "cancelada",
}
KEY_MAX = 64
LIST_PAGE_SIZE = 50
# The back button reloads the form (it is never cached) with a fresh key: the same request sent
# again this soon is the same request, not a new one.
REPEAT_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class RequestView:
    """A request as the client (and the staff) see it."""

    id: int
    protocol: str
    client_id: int
    location_label: str
    location_address: str
    intended_on: date
    description: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    scheduled_on: date | None
    refusal_reason: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[RequestStatus(self.status)]

    @property
    def cancellable(self) -> bool:
        return self.status == RequestStatus.pending


def new_submission_key() -> str:
    """The form's one-time token: posting it again finds the request it made."""
    return secrets.token_urlsafe(24)


async def _lock_protocols() -> None:
    if CollectionRequest._meta.db.engine_type == "postgres":
        await database.fetch("SELECT pg_advisory_xact_lock({})", PROTOCOL_LOCK)


async def _next_protocol(year: int) -> str:
    rows = await database.fetch(
        "SELECT max(protocol) AS last FROM collection_request WHERE protocol LIKE {}",
        f"{year:04d}-%",
    )
    last = rows[0]["last"] if rows else None
    match = scheduling.PROTOCOL.fullmatch(last or "")
    return scheduling.format_protocol(year, int(match[2]) + 1 if match else 1)


async def access_recipients(client_id: int) -> tuple[str, ...]:
    rows = (
        await ClientEmail.select(ClientEmail.address)
        .where((ClientEmail.client == client_id) & (ClientEmail.kind == EmailKind.access))
        .order_by(ClientEmail.address)
    )
    return tuple(r["address"] for r in rows)


async def _client_names(client_id: int) -> str:
    rows = await Client.select(Client.name, Client.trade_name).where(Client.id == client_id)
    return (rows[0]["trade_name"] or rows[0]["name"]) if rows else ""


async def notify_client(
    client_id: int, template: str, context: dict, *, settings: Settings, now: datetime
) -> None:
    """Write the e-mail ``template`` to the client's E-mail list (inside the caller's
    transaction); nothing when the list is empty."""
    recipients = await access_recipients(client_id)
    if not recipients:
        return
    full = {
        "client_name": await _client_names(client_id),
        "provider_name": settings.provider_name,
        "base_url": settings.base_url.rstrip("/"),
        **context,
    }
    subject, text, html = render_email(email_environment(), template, full)
    await outbox.enqueue(
        Email(to=recipients, subject=subject, text=text, html=html),
        kind=template,
        now=now,
        client_id=client_id,
    )


async def submit_request(
    scope: Scope,
    *,
    location: str,
    intended: str,
    description: str,
    submission_key: str,
    settings: Settings,
    now: datetime,
    ip: str = "",
) -> str:
    """Validate and write a request, filed for the unit (client) that owns the chosen place: its
    protocol (a second post of the same form answers the
    first one's and writes nothing); :class:`Invalid` with the fields' messages."""
    key = submission_key.strip()[:KEY_MAX]
    today = local_date(now, settings.tz)
    text = description.strip().replace("\r\n", "\n")
    errors: dict[str, str] = {}
    places = {p.id: p for p in await read_places(scope)}  # fresh: it decides a write
    try:
        location_id = int(location)
    except ValueError:
        location_id = 0
    if location_id not in places:
        errors["local"] = "Escolha um dos seus locais de coleta."
    wanted = scheduling.parse_iso_date(intended)
    problem = scheduling.date_problem(wanted, today, settings.request_notice_days)
    if problem:
        errors["data"] = problem
    problem = scheduling.description_problem(text)
    if problem:
        errors["descricao"] = problem
    if not key:
        errors["formulario"] = "O formulário expirou. Confira os dados e envie de novo."
    async with CollectionRequest._meta.db.transaction():
        await _lock_protocols()
        if key:
            done = await CollectionRequest.select(
                CollectionRequest.protocol, CollectionRequest.client
            ).where(CollectionRequest.submission_key == key)
            if done:
                if done[0]["client"] not in scope:
                    raise Invalid({"formulario": "Formulário inválido."})
                return str(done[0]["protocol"])
        if errors:
            raise Invalid(errors)
        assert wanted is not None  # noqa: S101 - date_problem returned None
        place = places[location_id]
        client_id = place.client_id
        repeated = await CollectionRequest.select(CollectionRequest.protocol).where(
            (CollectionRequest.client == client_id)
            & (CollectionRequest.location == location_id)
            & (CollectionRequest.intended_on == wanted)
            & (CollectionRequest.description == text)
            & (CollectionRequest.status == RequestStatus.pending)
            & (CollectionRequest.created_at >= now - REPEAT_WINDOW)
        )
        if repeated:
            return str(repeated[0]["protocol"])
        protocol = await _next_protocol(today.year)
        await CollectionRequest.insert(
            CollectionRequest(
                client=client_id,
                location=location_id,
                protocol=protocol,
                intended_on=wanted,
                description=text,
                status=RequestStatus.pending,
                submission_key=key,
                created_at=now,
            )
        )
        await notify_client(
            client_id,
            "request_received",
            {
                "protocol": protocol,
                "place": place.label,
                "address": place.address,
                "intended_on": f"{wanted:%d/%m/%Y}",
                "description": text,
            },
            settings=settings,
            now=now,
        )
        await audit.record(
            "request_created",
            now=now,
            actor="cliente",
            ip=ip,
            client_id=client_id,
            details={"protocol": protocol},
        )
    outbox.wake()
    return protocol


def _view_query():  # type: ignore[no-untyped-def]
    return CollectionRequest.select(
        CollectionRequest.id,
        CollectionRequest.protocol,
        CollectionRequest.client,
        CollectionRequest.location.label.as_alias("location_label"),
        CollectionRequest.location.street.as_alias("street"),
        CollectionRequest.location.number.as_alias("number"),
        CollectionRequest.location.district.as_alias("district"),
        CollectionRequest.location.city.as_alias("city"),
        CollectionRequest.location.state.as_alias("state"),
        CollectionRequest.intended_on,
        CollectionRequest.description,
        CollectionRequest.status,
        CollectionRequest.created_at,
        CollectionRequest.decided_at,
        CollectionRequest.scheduled_on,
        CollectionRequest.refusal_reason,
    )


def to_view(row: dict) -> RequestView:
    return RequestView(
        id=row["id"],
        protocol=row["protocol"],
        client_id=row["client"],
        location_label=row["location_label"],
        location_address=address_of(row),
        intended_on=row["intended_on"],
        description=row["description"],
        status=row["status"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        scheduled_on=row["scheduled_on"],
        refusal_reason=row["refusal_reason"],
    )


# The list's read, on the pages' fast path (database.fetch): Piccolo's select with its join
# cost ~60% of /solicitacoes in building the query and converting the rows.
def _list_view(r: ListRow) -> RequestView:
    place = {
        "street": r.street,
        "number": r.number,
        "district": r.district,
        "city": r.city,
        "state": r.state,
    }
    return RequestView(
        id=r.id,
        protocol=r.protocol,
        client_id=r.client_id,
        location_label=r.label,
        location_address=address_of(place),
        intended_on=r.intended_on,
        description=r.description,
        status=r.status,
        created_at=r.created_at,
        decided_at=r.decided_at,
        scheduled_on=r.scheduled_on,
        refusal_reason=r.refusal_reason,
    )


async def client_requests(
    scope: Scope, page: int = 1, per_page: int = LIST_PAGE_SIZE, *, version: int | None = None
) -> tuple[list[RequestView], bool]:
    """One page (from 1) of the scope's requests, newest first, and whether more follow; kept
    in process while the scope's data version stays (``services/page_cache``; ``version``: the
    one-client scope's, when the session lookup read it)."""
    return await page_cache.cached(
        "requests", scope, version, (page, per_page),
        lambda: _client_requests(scope, page, per_page),
    )  # fmt: skip


async def _client_requests(
    scope: Scope, page: int, per_page: int
) -> tuple[list[RequestView], bool]:
    offset = (max(page, 1) - 1) * per_page
    rows = await read.rows(scoped_query(LIST, scope), *scope, per_page + 1, offset)
    return [_list_view(r) for r in rows[:per_page]], len(rows) > per_page


async def client_request(scope: Scope, protocol: str) -> RequestView:
    """One request, looked up within the scope: another client's protocol is
    :class:`NotFound`."""
    rows = await _view_query().where(
        column_in(CollectionRequest.client, scope) & (CollectionRequest.protocol == protocol[:20])
    )
    if not rows:
        raise NotFound("Solicitação não encontrada.")
    return to_view(rows[0])


async def cancel_request(scope: Scope, protocol: str, *, now: datetime, ip: str = "") -> bool:
    """Cancel a pending request of the scope: True, or False when it is too late (Planejamento
    already answered); :class:`NotFound` when the client has no such request."""
    async with CollectionRequest._meta.db.transaction():
        rows = (
            await CollectionRequest.update(
                {
                    CollectionRequest.status: RequestStatus.cancelled,
                    CollectionRequest.decided_at: now,
                }
            )
            .where(
                column_in(CollectionRequest.client, scope)
                & (CollectionRequest.protocol == protocol[:20])
                & (CollectionRequest.status == RequestStatus.pending)
            )
            .returning(CollectionRequest.id, CollectionRequest.client)
        )
        if not rows:
            exists = await CollectionRequest.exists().where(
                column_in(CollectionRequest.client, scope)
                & (CollectionRequest.protocol == protocol[:20])
            )
            if not exists:
                raise NotFound("Solicitação não encontrada.")
            return False
        await audit.record(
            "request_cancelled",
            now=now,
            actor="cliente",
            ip=ip,
            client_id=rows[0]["client"],
            details={"protocol": protocol},
        )
    return True


async def request_collection_id(request_id: int) -> int | None:
    """The collection that fulfils a request, when there is one."""
    rows = (
        await Collection.select(Collection.id)
        .where(Collection.request == request_id)
        .order_by(Collection.id)
        .limit(1)
    )
    return rows[0]["id"] if rows else None
