"""The Coletas page's queries: a client's collections by period, place and situação, the
certificates (CDF), and the rows behind a ticket, a photo or a CDF download; the filters are in
``collections.filters``, the summary above the table in ``collections.summary``.

Every function takes the scope from the caller's session (``services/access/scope.py``: the
client's id, or a group's members) and filters on it; an id from a URL is looked up *within*
it, so another client's row is simply not found. The SQL is in ``collections.queries``, run by
``espaco.db.read`` (typed rows). Paging is keyset on ``(event_on, id)``, newest first, along the
index ``collection_client_event``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from espaco.db import MAX_ID, read
from espaco.domain.errors import NotFound
from espaco.domain.periods import Period
from espaco.pdf.ticket import TicketData, TicketPhoto
from espaco.services import page_cache
from espaco.services.access.scope import Scope, scoped_query
from espaco.services.collections.filters import WITH_TICKET, Filters, where_clause
from espaco.services.collections.queries import (
    CERTIFICATE,
    CERTIFICATE_FILE,
    CERTIFICATE_MTRS,
    CERTIFICATES,
    LOCATIONS,
    PHOTO_FILE,
    PHOTOS,
    ROWS,
    TICKETS,
    UNIT_LOCATIONS,
    CertificateRow,
    LocationOption,
    PhotoRecord,
    Row,
    TicketRecord,
    UnitLocation,
)
from espaco.services.collections.summary import Summary, summary
from espaco.services.operations.media import media_path
from espaco.settings import Settings

__all__ = [
    "CertificateRow",
    "LocationOption",
    "Row",
    "UnitLocation",
]  # the queries' row types, importable here

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
# A monthly CDF over the longest period a filter takes (five years) is 60.
CERTIFICATE_LIMIT = 60


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last row's ``(event_on, id)``; the next page starts below it."""

    event_on: date
    id: int

    def token(self) -> str:
        return f"{self.event_on.isoformat()}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """A cursor from its URL token, or None when absent or malformed."""
        if not text:
            return None
        day, _, ident = text.partition(".")
        if not ident.isascii() or not ident.isdigit() or int(ident[:12]) > MAX_ID:
            return None
        try:
            return cls(date.fromisoformat(day), int(ident))
        except ValueError:
            return None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: Cursor | None


@dataclass(frozen=True)
class CertificateDetail:
    """A CDF with the MTRs it covers, and which of them are the scope's collections."""

    certificate: CertificateRow
    # (MTR number, id of the scope's performed collection with that MTR: its ticket)
    mtrs: list[tuple[str, int | None]]


async def list_collections(
    scope: Scope, filters: Filters, after: Cursor | None = None, *, limit: int = PAGE_SIZE
) -> Page:
    """One page of the scope's collections, newest first, starting below ``after``."""
    if after is not None and after.event_on < filters.period.start:
        return Page([], None)  # a cursor from before the period: nothing below it
    if after is not None and after.event_on < filters.period.end:
        # The index walk starts at the cursor's day: with two upper bounds on event_on, SQLite
        # starts at the period's end and skips every newer row (1.6 ms deep in a big history).
        filters = replace(filters, period=Period(filters.period.start, after.event_on))
    where, args = where_clause(scope, filters)
    if after is not None:
        # Spelled so that both engines walk the (client, event_on, id) index backwards.
        where += " AND (c.event_on < {} OR c.id < {})"
        args += [after.event_on, after.id]
    query = ROWS + (where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}")
    rows = await read.rows(query, *args, limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    return Page(page, Cursor(page[-1].event_on, page[-1].id) if more and page else None)


async def export_rows(scope: Scope, filters: Filters) -> list[Row]:
    """Every collection the filters select (for the CSV), newest first."""
    where, args = where_clause(scope, filters)
    query = ROWS + (where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}")
    return await read.rows(query, *args, EXPORT_LIMIT)


async def locations(scope: Scope) -> list[LocationOption]:
    """The scope's own places, for the filter."""
    return await read.rows(scoped_query(LOCATIONS, scope), *scope)


async def unit_locations(scope: Scope) -> list[UnitLocation]:
    """The scope's places with their owner, by label."""
    return await read.rows(scoped_query(UNIT_LOCATIONS, scope), *scope)


async def certificates(
    scope: Scope, period: Period, limit: int = CERTIFICATE_LIMIT
) -> list[CertificateRow]:
    """The client's CDFs whose period meets ``period``, newest first, with their MTR counts;
    at most ``limit`` (the page says so and asks for a shorter period)."""
    return await read.rows(
        scoped_query(CERTIFICATES, scope), *scope, period.start, period.end, limit
    )


async def certificate(scope: Scope, certificate_id: int) -> CertificateDetail:
    """One of the scope's CDFs with the MTRs it covers; :class:`NotFound` (not found or not
    theirs)."""
    found = await read.first(scoped_query(CERTIFICATE, scope), *scope, certificate_id)
    if found is None:
        raise NotFound("CDF não encontrado.")
    mtrs = await read.rows(CERTIFICATE_MTRS, *sorted(WITH_TICKET), certificate_id)
    return CertificateDetail(found, [(number, ident) for number, ident in mtrs])


async def certificate_file(
    scope: Scope, certificate_id: int, settings: Settings
) -> tuple[str, Path]:
    """``(number, file)`` of one of the scope's CDF PDFs; :class:`NotFound` without one."""
    found = await read.first(scoped_query(CERTIFICATE_FILE, scope), certificate_id, *scope)
    if found is None or not found.pdf_path:
        raise NotFound("PDF do CDF não encontrado.")
    return found.number, media_path(settings, found.pdf_path)


async def photo_file(scope: Scope, collection_id: int, photo_id: int, settings: Settings) -> Path:
    """The stored photo of one of the scope's collections; :class:`NotFound` without one."""
    found = await read.first(scoped_query(PHOTO_FILE, scope), photo_id, collection_id, *scope)
    if found is None:
        raise NotFound("Foto não encontrada.")
    return media_path(settings, found.path)


async def ticket(scope: Scope, collection_id: int, settings: Settings) -> TicketData:
    """Everything the ticket PDF of one of the scope's collections shows; :class:`NotFound`
    (not the scope's, or not performed yet: agendada and cancelada collections have none)."""
    found = (await tickets(scope, [collection_id], settings)).get(collection_id)
    if found is None:
        raise NotFound("Ticket não encontrado.")
    return found


async def tickets(
    scope: Scope, collection_ids: list[int], settings: Settings
) -> dict[int, TicketData]:
    """The tickets of several of the scope's collections (two queries for all: the dossier
    asks for them a few hundred at a time); ids not the scope's, or without a ticket, are
    left out."""
    if not collection_ids:
        return {}
    marks = "(" + ", ".join(["{}"] * len(collection_ids)) + ")"
    rows = await read.rows(scoped_query(TICKETS, scope) + marks, *scope, *collection_ids)
    found = [r for r in rows if r.status in WITH_TICKET]
    photos: dict[int, list[PhotoRecord]] = {}
    if found:
        ids = [r.id for r in found]
        photo_marks = "(" + ", ".join(["{}"] * len(ids)) + ")"
        for p in await read.rows(
            PHOTOS + (photo_marks + " ORDER BY collection, position, id"), *ids
        ):
            photos.setdefault(p.collection, []).append(p)
    return {r.id: _ticket_data(r, photos.get(r.id, []), settings) for r in found}


def _ticket_data(r: TicketRecord, photos: list[PhotoRecord], settings: Settings) -> TicketData:
    return TicketData(
        number=r.external_id,
        content_hash=r.content_hash,
        provider_name=settings.provider_name,
        provider_cnpj=settings.provider_cnpj,
        provider_logo=settings.provider_logo,
        client_name=r.client_name,
        client_document=r.client_document,
        location=r.label,
        address=_address(r),
        scheduled_on=r.scheduled_on,
        performed_at=r.performed_at,
        status=r.status,
        service=r.service,
        waste_description=r.waste_description,
        waste_class=r.waste_class,
        waste_ibama_code=r.waste_ibama_code,
        quantity=r.quantity,
        unit=r.unit,
        mtr_number=r.mtr_number,
        mtr_status=r.mtr_status,
        driver=r.driver,
        vehicle_plate=r.vehicle_plate,
        notes=r.notes,
        received_by=r.received_by,
        received_by_cpf=r.received_by_cpf,
        refusal=r.refusal,
        signature=media_path(settings, r.signature_path) if r.signature_path else None,
        photos=[
            TicketPhoto(
                stage=p.stage,
                path=media_path(settings, p.path),
                width=p.width,
                height=p.height,
                taken_at=p.taken_at,
                latitude=p.latitude,
                longitude=p.longitude,
            )
            for p in photos
        ],
    )


def _address(r: TicketRecord) -> str:
    street = ", ".join(x for x in (r.street, r.street_number) if x)
    if r.complement:
        street = f"{street} - {r.complement}" if street else r.complement
    city = "/".join(x for x in (r.city, r.state) if x)
    cep = f"CEP {r.cep[:5]}-{r.cep[5:]}" if len(r.cep or "") == 8 else ""
    return ", ".join(x for x in (street, r.district, city, cep) if x)


@dataclass(frozen=True)
class View:
    """Everything the Coletas page shows for one request."""

    page: Page
    summary: Summary | None
    locations: list[LocationOption]
    certificates: list[CertificateRow]


async def view(
    scope: Scope,
    filters: Filters,
    after: Cursor | None,
    *,
    rows_only: bool = False,
    version: int | None = None,
    places: Scope | None = None,
) -> View:
    """The page's data; ``rows_only`` (a "Carregar mais") skips all but the next rows;
    ``version``: the scope's ``data_version`` if the caller has read it (see ``summary``);
    ``places``: whose places the filter lists (default: the scope's). Kept in process while
    the data versions of the scope and those places stay (``services/page_cache``)."""
    places = places or scope
    read_scope = scope if set(places) <= set(scope) else tuple(sorted({*scope, *places}))
    return await page_cache.cached(
        "coletas", read_scope, version if read_scope == scope else None,
        (scope, filters, after, rows_only, places),
        lambda: _view(scope, filters, after, rows_only, version, places),
    )  # fmt: skip


async def _view(
    scope: Scope,
    filters: Filters,
    after: Cursor | None,
    rows_only: bool,
    version: int | None,
    places: Scope,
) -> View:
    page = await list_collections(scope, filters, after)
    if rows_only:
        return View(page, None, [], [])
    return View(
        page,
        await scope_summary(scope, filters, version),
        await locations(places),
        await certificates(scope, filters.period, CERTIFICATE_LIMIT),
    )


async def scope_summary(scope: Scope, filters: Filters, version: int | None = None) -> Summary:
    """The summary of one client (cached per client), or of a group's members added up."""
    if len(scope) == 1:
        return await summary(scope[0], filters, version)
    return merge_summaries([await summary(client_id, filters) for client_id in scope])


def merge_summaries(parts: list[Summary]) -> Summary:
    """Several clients' summaries of the same filters, added up."""
    by_status: dict[str, tuple[str, int]] = {}
    quantities: dict[str, Decimal] = {}
    months: dict[tuple[int, int], int] = {}
    for part in parts:
        for status, label, n in part.by_status:
            by_status[status] = (label, by_status.get(status, (label, 0))[1] + n)
        for unit, total in part.quantities:
            quantities[unit] = quantities.get(unit, Decimal(0)) + total
        for year, month, n in part.months:
            months[(year, month)] = months.get((year, month), 0) + n
    return Summary(
        total=sum(p.total for p in parts),
        by_status=[(status, label, n) for status, (label, n) in by_status.items()],
        quantities=sorted(quantities.items()),
        months=[(y, m, n) for (y, m), n in months.items()],
    )
