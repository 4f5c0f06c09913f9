"""The Coletas page's queries: a client's collections by period, place and situação, their
summary, the certificates (CDF), and the rows behind a ticket, a photo or a CDF download.

Every function takes the client id from the caller's session and filters on it; an id from a URL
is looked up *within* that client, so another client's row is simply not found. The page's hot
queries are raw SQL through ``database.fetch`` (``{}`` placeholders): Piccolo's query builder and
row conversion cost more than the indexed query itself (see ``bench/db_engine.py``). Paging is
keyset on ``(event_on, id)``, newest first, along the index ``collection_client_event``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from espaco import database
from espaco.db import Record, as_date, as_datetime
from espaco.domain.errors import DomainError
from espaco.domain.periods import Period
from espaco.pdf.ticket import TicketData, TicketPhoto
from espaco.services.media import media_path
from espaco.settings import Settings
from espaco.tables import Certificate, Collection, CollectionStatus

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000

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


@dataclass(frozen=True)
class Summary:
    """The period at a glance: collections by situação, quantity by unit, collections a month."""

    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status
    quantities: list[tuple[str, Decimal]]  # (unit, total), units in alphabetical order
    months: list[tuple[int, int, int]] = field(default_factory=list)  # (year, month, count)


@dataclass(frozen=True)
class LocationOption:
    id: int
    label: str


@dataclass(frozen=True)
class CertificateRow:
    """A CDF as the Coletas page lists it: its MTRs are counted here and listed on its page
    (a monthly CDF of a big client covers hundreds)."""

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


def _where(client_id: int, filters: Filters) -> tuple[str, list[Any]]:
    sql = "c.client = {} AND c.event_on >= {} AND c.event_on <= {}"
    args: list[Any] = [client_id, filters.period.start, filters.period.end]
    if filters.location_id is not None:
        sql += " AND c.location = {}"
        args.append(filters.location_id)
    if filters.status is not None:
        sql += " AND c.status = {}"
        args.append(filters.status)
    return sql, args


_ROW_SQL = (
    "SELECT c.id, c.external_id, c.event_on, c.status, l.label, c.service,"
    " c.waste_description, c.waste_class, c.quantity, c.unit, c.mtr_number, c.mtr_status,"
    " (SELECT MIN(m.certificate) FROM certificate_mtr m"
    "   WHERE m.client = c.client AND m.mtr_number = c.mtr_number) AS certificate_id"
    " FROM collection c JOIN location l ON l.id = c.location WHERE "
)


# The summary's ranges (see ``_tagged``): counts read the (client, status, event_on, ...) index,
# quantity sums the (client, status, unit, event_on, location, quantity_milli) one.
_SELECTS_PER_QUERY = 120  # SQLite takes at most 500 SELECTs in one compound statement


def _month_pieces(period: Period) -> list[tuple[tuple[int, int], Period]]:
    """The period cut at month boundaries: ((year, month), the month's days in the period)."""
    pieces = []
    for year, month in period.months():
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        pieces.append(((year, month), Period(max(first, period.start), min(last, period.end))))
    return pieces


def _row(r: Record) -> Row:
    id_, external_id, event_on, *rest = r
    return Row(id_, external_id, as_date(event_on), *rest)


async def list_collections(
    client_id: int, filters: Filters, after: Cursor | None = None, *, limit: int = PAGE_SIZE
) -> Page:
    """One page of the client's collections, newest first, starting below ``after``."""
    if after is not None and after.event_on < filters.period.start:
        return Page([], None)  # a cursor from before the period: nothing below it
    if after is not None and after.event_on < filters.period.end:
        # The index walk starts at the cursor's day: with two upper bounds on event_on, SQLite
        # starts at the period's end and skips every newer row (1.6 ms deep in a big history).
        filters = replace(filters, period=Period(filters.period.start, after.event_on))
    where, args = _where(client_id, filters)
    if after is not None:
        # Spelled so that both engines walk the (client, event_on, id) index backwards.
        where += " AND (c.event_on < {} OR c.id < {})"
        args += [after.event_on, after.id]
    sql = _ROW_SQL + where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}"
    rows = await database.fetch(sql, *args, limit + 1)
    page = [_row(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(page, Cursor(page[-1].event_on, page[-1].id) if more and page else None)


async def export_rows(client_id: int, filters: Filters) -> list[Row]:
    """Every collection the filters select (for the CSV), newest first."""
    where, args = _where(client_id, filters)
    sql = _ROW_SQL + where + " ORDER BY c.event_on DESC, c.id DESC LIMIT {}"
    return [_row(r) for r in await database.fetch(sql, *args, EXPORT_LIMIT)]


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


SUMMARY_CACHE_SIZE = 2048
K = TypeVar("K")
V = TypeVar("V")
_summaries: OrderedDict[tuple[int, int, int, Filters], Summary] = OrderedDict()


def _remember(cache: OrderedDict[K, V], key: K, value: V) -> V:
    """Keep ``value`` under ``key``, dropping the least recently used past the cache's size."""
    cache[key] = value
    while len(cache) > SUMMARY_CACHE_SIZE:
        cache.popitem(last=False)
    return value


async def summary(client_id: int, filters: Filters) -> Summary:
    """Counts by status and by month, and quantity totals by unit (of realizadas and
    validadas), for the filtered period.

    Cached per client, filters and ``client.data_version``, which database triggers bump on
    every change to the client's collections (see the 2026-11-28T14:58 migration): the same
    summary is asked for at each visit. The version is read before the sums, so a summary is
    never older than the version it is cached under."""
    rows = await database.fetch("SELECT data_version FROM client WHERE id = {}", client_id)
    version = int(rows[0][0]) if rows else -1
    key = (database.generation(), client_id, version, filters)
    found = _summaries.get(key)
    if found is not None:
        _summaries.move_to_end(key)
        return found
    return _remember(_summaries, key, await _summary(client_id, filters, version))


async def _summary(client_id: int, filters: Filters, version: int) -> Summary:
    """The summary, computed from the indexes: one COUNT per status and month, one SUM of
    ``quantity_milli`` per status and unit, each a range of a covering index that the database
    reads without touching rows or sorting (a GROUP BY by day, and Decimal sums of the quantity
    texts, cost four times as much for a big client's 90 days)."""
    statuses = [filters.status] if filters.status else list(STATUS_LABELS)
    by_status: dict[str, int] = dict.fromkeys(STATUS_LABELS, 0)
    by_month: dict[tuple[int, int], int] = dict.fromkeys(filters.period.months(), 0)
    counted = [
        (status, month, replace(filters, status=status, period=piece))
        for status in statuses
        for month, piece in _month_pieces(filters.period)
    ]
    selects = [("COUNT(*)", *_where(client_id, f)) for _, _, f in counted]
    for (status, month, _), (n,) in zip(counted, await _tagged(selects), strict=True):
        by_status[status] += n
        by_month[month] += n
    quantities: dict[str, Decimal] = {}
    summed = [
        (status, unit)
        for status in statuses
        if status in WITH_TICKET
        for unit in await _units(client_id, version)
    ]
    selects = []
    for status, unit in summed:
        where, args = _where(client_id, replace(filters, status=status))
        selects.append(
            ("SUM(c.quantity_milli), COUNT(c.quantity_milli), COUNT(*)",
             where + " AND c.unit = {}", [*args, unit])
        )  # fmt: skip
    for (status, unit), (milli, exact, n) in zip(summed, await _tagged(selects), strict=True):
        total = Decimal(int(milli or 0)) / 1000
        if exact < n:  # a quantity with more than three decimals: sum the texts themselves
            total = await _decimal_total(client_id, replace(filters, status=status), unit)
        if n:
            quantities[unit] = quantities.get(unit, Decimal(0)) + total
    return Summary(
        total=sum(by_status.values()),
        by_status=[(s, STATUS_LABELS.get(s, s), c) for s, c in by_status.items()],
        quantities=sorted(quantities.items()),
        months=[(y, m, c) for (y, m), c in sorted(by_month.items())],
    )


async def _tagged(selects: list[tuple[str, str, list[Any]]]) -> list[tuple[Any, ...]]:
    """The one row of each ``SELECT <columns> FROM collection c WHERE <where>``, in order, sent
    as a few UNION ALLs (one round trip for a dozen ranges)."""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(selects), _SELECTS_PER_QUERY):
        chunk = selects[start : start + _SELECTS_PER_QUERY]
        # Columns are ours, ``where`` holds column names and placeholders only, tags are ints.
        sql = " UNION ALL ".join(
            f"SELECT {tag} AS k, {columns} FROM collection c WHERE {where}"  # noqa: S608
            for tag, (columns, where, _) in enumerate(chunk)
        )
        rows = await database.fetch(sql, *(arg for _, _, args in chunk for arg in args))
        by_tag = {row[0]: tuple(row)[1:] for row in rows}
        found += [by_tag[tag] for tag in range(len(chunk))]
    return found


_units_cache: OrderedDict[tuple[int, int, int], list[str]] = OrderedDict()


async def _units(client_id: int, version: int) -> list[str]:
    """The units of the client's realizadas and validadas (cached per data version: a scan of
    the client's index entries, ~1 ms for 20,000 collections)."""
    key = (database.generation(), client_id, version)
    found = _units_cache.get(key)
    if found is None:
        rows = await database.fetch(
            "SELECT DISTINCT unit FROM collection WHERE client = {} AND status IN ({}, {})"
            " AND unit <> '' ORDER BY unit",
            client_id,
            *sorted(WITH_TICKET),
        )
        found = _remember(_units_cache, key, [r[0] for r in rows])
    return found


async def _decimal_total(client_id: int, filters: Filters, unit: str) -> Decimal:
    """The exact sum of one status's quantity texts in ``unit`` (when one has more than three
    decimals, which ``quantity_milli`` cannot hold)."""
    where, args = _where(client_id, filters)
    total = Decimal(0)
    for quantity, n in await database.fetch(
        f"SELECT c.quantity, COUNT(*) FROM collection c WHERE {where} AND c.unit = {{}}"  # noqa: S608
        " GROUP BY c.quantity",
        *args,
        unit,
    ):
        value = _decimal(quantity) if quantity else None
        if value is not None:
            total += value * n
    return total


async def locations(client_id: int) -> list[LocationOption]:
    """The client's own places, for the filter."""
    rows = await database.fetch(
        "SELECT id, label FROM location WHERE client = {} ORDER BY label, id", client_id
    )
    return [LocationOption(id_, label) for id_, label in rows]


_CERTIFICATE_SQL = (
    "SELECT c.id, c.number, c.issued_on, c.period_start, c.period_end, c.receiver,"
    " c.pdf_path IS NOT NULL AND c.pdf_path <> '' AS has_pdf,"
    " (SELECT COUNT(*) FROM certificate_mtr m WHERE m.certificate = c.id) AS mtr_count"
    " FROM certificate c WHERE c.client = {} "
)


def _certificate(r: Record) -> CertificateRow:
    id_, number, issued_on, start, end, receiver, has_pdf, mtr_count = r
    return CertificateRow(
        id_, number, as_date(issued_on), as_date(start), as_date(end), receiver,
        int(mtr_count), bool(has_pdf),
    )  # fmt: skip


async def certificates(client_id: int, period: Period) -> list[CertificateRow]:
    """The client's CDFs whose period meets ``period``, newest first, with their MTR counts."""
    rows = await database.fetch(
        _CERTIFICATE_SQL + "AND c.period_end >= {} AND c.period_start <= {}"
        " ORDER BY c.issued_on DESC, c.id DESC",
        client_id,
        period.start,
        period.end,
    )
    return [_certificate(r) for r in rows]


async def certificate(client_id: int, certificate_id: int) -> CertificateDetail | None:
    """One of the client's CDFs with the MTRs it covers, or None (not found or not theirs)."""
    rows = await database.fetch(_CERTIFICATE_SQL + "AND c.id = {}", client_id, certificate_id)
    if not rows:
        return None
    mtrs = await database.fetch(
        "SELECT m.mtr_number, (SELECT MIN(k.id) FROM collection k"
        "   WHERE k.client = m.client AND k.mtr_number = m.mtr_number"
        "   AND k.status IN ('done', 'validated'))"
        " FROM certificate_mtr m WHERE m.certificate = {} ORDER BY m.mtr_number",
        certificate_id,
    )
    return CertificateDetail(_certificate(rows[0]), [(number, ident) for number, ident in mtrs])


async def certificate_file(
    client_id: int, certificate_id: int, settings: Settings
) -> tuple[str, Path] | None:
    """``(number, file)`` of one of the client's CDF PDFs, or None."""
    rows = await Certificate.raw(
        "SELECT number, pdf_path FROM certificate WHERE id = {} AND client = {}",
        certificate_id,
        client_id,
    )
    if not rows or not rows[0]["pdf_path"]:
        return None
    return rows[0]["number"], media_path(settings, rows[0]["pdf_path"])


async def photo_file(
    client_id: int, collection_id: int, photo_id: int, settings: Settings
) -> Path | None:
    """The stored photo of one of the client's collections, or None."""
    rows = await Collection.raw(
        "SELECT p.path FROM collection_photo p JOIN collection c ON c.id = p.collection"
        " WHERE p.id = {} AND c.id = {} AND c.client = {}",
        photo_id,
        collection_id,
        client_id,
    )
    return media_path(settings, rows[0]["path"]) if rows else None


async def ticket(client_id: int, collection_id: int, settings: Settings) -> TicketData | None:
    """Everything the ticket PDF of one of the client's collections shows, or None (not the
    client's, or not performed yet: agendada and cancelada collections have no ticket)."""
    rows = await Collection.raw(
        "SELECT c.*, l.label, l.street, l.number AS street_number, l.complement, l.district,"
        " l.city, l.state, l.cep, k.name AS client_name, k.document AS client_document"
        " FROM collection c JOIN location l ON l.id = c.location"
        " JOIN client k ON k.id = c.client WHERE c.id = {} AND c.client = {}",
        collection_id,
        client_id,
    )
    if not rows or rows[0]["status"] not in WITH_TICKET:
        return None
    r = rows[0]
    photos = await Collection.raw(
        "SELECT stage, path, width, height, taken_at, latitude, longitude FROM collection_photo"
        " WHERE collection = {} ORDER BY position, id",
        collection_id,
    )
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
    client_id: int, filters: Filters, after: Cursor | None, *, rows_only: bool = False
) -> View:
    """The page's data; ``rows_only`` (a "Carregar mais") skips all but the next rows."""
    page = await list_collections(client_id, filters, after)
    if rows_only:
        return View(page, None, [], [])
    return View(
        page,
        await summary(client_id, filters),
        await locations(client_id),
        await certificates(client_id, filters.period),
    )
