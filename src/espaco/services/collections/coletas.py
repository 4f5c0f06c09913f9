"""The Coletas page's queries: a client's collections by period, place and situação, the
certificates (CDF), and the rows behind a ticket, a photo or a CDF download; the filters are in
``collection_filters``, the summary above the table in ``collection_summary``.

Every function takes the scope from the caller's session (``services/access/scope.py``: the client's
id, or a group's members) and filters on it; an id from a URL is looked up *within* that scope,
so another client's row is simply not found. The page's hot
queries are raw SQL through ``database.fetch`` (``{}`` placeholders): Piccolo's query builder and
row conversion cost more than the indexed query itself (see ``bench/db_engine.py``). Paging is
keyset on ``(event_on, id)``, newest first, along the index ``collection_client_event``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from espaco.db import MAX_ID, Record, as_date, as_datetime, database
from espaco.domain.periods import Period
from espaco.pdf.ticket import TicketData, TicketPhoto
from espaco.services.access.scope import Scope, scoped
from espaco.services.collections.filters import STATUS_LABELS, WITH_TICKET, Filters, where_clause
from espaco.services.collections.summary import Summary, summary
from espaco.services.operations.media import media_path
from espaco.settings import Settings
from espaco.tables import Certificate, Collection

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


class Row(NamedTuple):
    """One line of the Coletas table (and of the CSV export). A named tuple: 50 are made per
    page, straight from the database row, at a third of a dataclass's cost."""

    id: int
    external_id: str
    event_on: date
    status: str
    location: str
    service: str
    waste_description: str
    waste_class: str
    quantity: str
    unit: str
    mtr_number: str | None
    mtr_status: str | None
    certificate_id: int | None
    client_id: int = 0  # the unit it belongs to (a group's page names it)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def has_ticket(self) -> bool:
        return self.status in WITH_TICKET


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: Cursor | None


class LocationOption(NamedTuple):
    """A place for the filter: ``(id, label)``, as ``<option>`` pairs take it."""

    id: int
    label: str


@dataclass(frozen=True)
class CertificateRow:
    """A CDF as the Coletas page lists it: how many MTRs it covers (``certificate.mtr_count``,
    kept by triggers) and not which; those are on its own page (a monthly CDF of a big client
    covers hundreds)."""

    id: int
    number: str
    issued_on: date
    period_start: date
    period_end: date
    receiver: str
    mtr_count: int
    has_pdf: bool


@dataclass(frozen=True)
class CertificateDetail:
    """A CDF with the MTRs it covers, and which of them are the client's collections."""

    certificate: CertificateRow
    # (MTR number, id of the client's performed collection with that MTR: its ticket)
    mtrs: list[tuple[str, int | None]]


_ROW_SQL = (
    "SELECT c.id, c.external_id, c.event_on, c.status, l.label, c.service,"
    " c.waste_description, c.waste_class, c.quantity, c.unit, c.mtr_number, c.mtr_status,"
    " (SELECT MIN(m.certificate) FROM certificate_mtr m"
    "   WHERE m.client = c.client AND m.mtr_number = c.mtr_number) AS certificate_id, c.client"
    " FROM collection c JOIN location l ON l.id = c.location WHERE "
)


def _row(r: Record) -> Row:
    id_, external_id, event_on, *rest = r
    return Row(id_, external_id, as_date(event_on), *rest)


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
    sql = _ROW_SQL + where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}"
    rows = await database.fetch(sql, *args, limit + 1)
    page = [_row(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(page, Cursor(page[-1].event_on, page[-1].id) if more and page else None)


async def export_rows(scope: Scope, filters: Filters) -> list[Row]:
    """Every collection the filters select (for the CSV), newest first."""
    where, args = where_clause(scope, filters)
    sql = _ROW_SQL + where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}"
    return [_row(r) for r in await database.fetch(sql, *args, EXPORT_LIMIT)]


class UnitLocation(NamedTuple):
    """A place with the unit (client) that owns it, for a group's grouped lists."""

    id: int
    label: str
    client_id: int


async def locations(scope: Scope) -> list[LocationOption]:
    """The scope's own places, for the filter."""
    return [LocationOption(p.id, p.label) for p in await unit_locations(scope)]


async def unit_locations(scope: Scope) -> list[UnitLocation]:
    """The scope's places with their owner, by label."""
    rows = await database.fetch(
        scoped(
            "SELECT id, label, client FROM location WHERE client IN {scope} ORDER BY label, id",
            scope,
        ),
        *scope,
    )
    return [UnitLocation(id_, label, owner) for id_, label, owner in rows]


_CERTIFICATE_SQL = (
    "SELECT c.id, c.number, c.issued_on, c.period_start, c.period_end, c.receiver,"
    " c.pdf_path IS NOT NULL AND c.pdf_path <> '' AS has_pdf, c.mtr_count"
    " FROM certificate c WHERE c.client IN {scope} "
)


def _certificate(r: Record) -> CertificateRow:
    id_, number, issued_on, start, end, receiver, has_pdf, mtr_count = r
    return CertificateRow(
        id_, number, as_date(issued_on), as_date(start), as_date(end), receiver,
        int(mtr_count), bool(has_pdf),
    )  # fmt: skip


async def certificates(
    scope: Scope, period: Period, limit: int = CERTIFICATE_LIMIT
) -> list[CertificateRow]:
    """The client's CDFs whose period meets ``period``, newest first, with their MTR counts;
    at most ``limit`` (the page says so and asks for a shorter period)."""
    rows = await database.fetch(
        scoped(_CERTIFICATE_SQL, scope) + "AND c.period_end >= {} AND c.period_start <= {}"
        " ORDER BY c.issued_on DESC, c.id DESC LIMIT {}",
        *scope,
        period.start,
        period.end,
        limit,
    )
    return [_certificate(r) for r in rows]


async def certificate(scope: Scope, certificate_id: int) -> CertificateDetail | None:
    """One of the scope's CDFs with the MTRs it covers, or None (not found or not theirs)."""
    rows = await database.fetch(
        scoped(_CERTIFICATE_SQL, scope) + "AND c.id = {}", *scope, certificate_id
    )
    if not rows:
        return None
    mtrs = await database.fetch(
        "SELECT m.mtr_number, (SELECT MIN(k.id) FROM collection k"
        "   WHERE k.client = m.client AND k.mtr_number = m.mtr_number"
        "   AND k.status IN ({}, {}))"
        " FROM certificate_mtr m WHERE m.certificate = {} ORDER BY m.mtr_number",
        *sorted(WITH_TICKET),
        certificate_id,
    )
    return CertificateDetail(_certificate(rows[0]), [(number, ident) for number, ident in mtrs])


async def certificate_file(
    scope: Scope, certificate_id: int, settings: Settings
) -> tuple[str, Path] | None:
    """``(number, file)`` of one of the scope's CDF PDFs, or None."""
    rows = await Certificate.raw(
        scoped(
            "SELECT number, pdf_path FROM certificate WHERE id = {} AND client IN {scope}", scope
        ),
        certificate_id,
        *scope,
    )
    if not rows or not rows[0]["pdf_path"]:
        return None
    return rows[0]["number"], media_path(settings, rows[0]["pdf_path"])


async def photo_file(
    scope: Scope, collection_id: int, photo_id: int, settings: Settings
) -> Path | None:
    """The stored photo of one of the scope's collections, or None."""
    rows = await Collection.raw(
        scoped(
            "SELECT p.path FROM collection_photo p JOIN collection c ON c.id = p.collection"
            " WHERE p.id = {} AND c.id = {} AND c.client IN {scope}",
            scope,
        ),
        photo_id,
        collection_id,
        *scope,
    )
    return media_path(settings, rows[0]["path"]) if rows else None


_TICKET_SQL = (
    "SELECT c.*, l.label, l.street, l.number AS street_number, l.complement, l.district,"
    " l.city, l.state, l.cep, k.name AS client_name, k.document AS client_document"
    " FROM collection c JOIN location l ON l.id = c.location"
    " JOIN client k ON k.id = c.client WHERE c.client IN {scope} AND c.id IN "
)
_PHOTOS_SQL = (
    "SELECT collection, stage, path, width, height, taken_at, latitude, longitude"
    " FROM collection_photo WHERE collection IN "
)


async def ticket(scope: Scope, collection_id: int, settings: Settings) -> TicketData | None:
    """Everything the ticket PDF of one of the client's collections shows, or None (not the
    client's, or not performed yet: agendada and cancelada collections have no ticket)."""
    return (await tickets(scope, [collection_id], settings)).get(collection_id)


async def tickets(
    scope: Scope, collection_ids: list[int], settings: Settings
) -> dict[int, TicketData]:
    """The tickets of several of the client's collections (two queries for all: the dossier
    asks for them a few hundred at a time); ids not the client's, or without a ticket, are
    left out."""
    if not collection_ids:
        return {}
    marks = "(" + ", ".join(["{}"] * len(collection_ids)) + ")"
    rows = await Collection.raw(scoped(_TICKET_SQL, scope) + marks, *scope, *collection_ids)
    found = [r for r in rows if r["status"] in WITH_TICKET]
    photos: dict[int, list[dict[str, Any]]] = {}
    if found:
        ids = [r["id"] for r in found]
        photo_marks = "(" + ", ".join(["{}"] * len(ids)) + ")"
        for p in await Collection.raw(
            _PHOTOS_SQL + photo_marks + " ORDER BY collection, position, id", *ids
        ):
            photos.setdefault(p["collection"], []).append(p)
    return {r["id"]: _ticket_data(r, photos.get(r["id"], []), settings) for r in found}


def _ticket_data(r: dict[str, Any], photos: list[dict[str, Any]], settings: Settings) -> TicketData:
    return TicketData(
        number=r["external_id"],
        content_hash=r["content_hash"],
        provider_name=settings.provider_name,
        provider_cnpj=settings.provider_cnpj,
        provider_logo=settings.provider_logo,
        client_name=r["client_name"],
        client_document=r["client_document"],
        location=r["label"],
        address=_address(r),
        scheduled_on=as_date(r["scheduled_on"]) if r["scheduled_on"] else None,
        performed_at=as_datetime(r["performed_at"]) if r["performed_at"] else None,
        status=r["status"],
        service=r["service"],
        waste_description=r["waste_description"],
        waste_class=r["waste_class"],
        waste_ibama_code=r["waste_ibama_code"],
        quantity=r["quantity"],
        unit=r["unit"],
        mtr_number=r["mtr_number"],
        mtr_status=r["mtr_status"],
        driver=r["driver"],
        vehicle_plate=r["vehicle_plate"],
        notes=r["notes"],
        received_by=r["received_by"],
        received_by_cpf=r["received_by_cpf"],
        refusal=r["refusal"],
        signature=media_path(settings, r["signature_path"]) if r["signature_path"] else None,
        photos=[
            TicketPhoto(
                stage=p["stage"],
                path=media_path(settings, p["path"]),
                width=p["width"],
                height=p["height"],
                taken_at=as_datetime(p["taken_at"]) if p["taken_at"] else None,
                latitude=p["latitude"],
                longitude=p["longitude"],
            )
            for p in photos
        ],
    )


def _address(r: dict[str, Any]) -> str:
    street = ", ".join(x for x in (r["street"], r["street_number"]) if x)
    if r["complement"]:
        street = f"{street} - {r['complement']}" if street else r["complement"]
    city = "/".join(x for x in (r["city"], r["state"]) if x)
    cep = f"CEP {r['cep'][:5]}-{r['cep'][5:]}" if len(r["cep"] or "") == 8 else ""
    return ", ".join(x for x in (street, r["district"], city, cep) if x)


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
    places: Scope | None = None,
) -> View:
    """The page's data; ``rows_only`` (a "Carregar mais") skips all but the next rows;
    ``places``: whose places the filter lists (default: the scope's)."""
    page = await list_collections(scope, filters, after)
    if rows_only:
        return View(page, None, [], [])
    return View(
        page,
        await scope_summary(scope, filters),
        await locations(places or scope),
        await certificates(scope, filters.period, CERTIFICATE_LIMIT),
    )


async def scope_summary(scope: Scope, filters: Filters) -> Summary:
    """The summary of one client (cached per client), or of a group's members added up."""
    if len(scope) == 1:
        return await summary(scope[0], filters)
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
