"""The Coletas page's queries: a client's collections by period, place and situação, their
summary, the certificates (CDF), and the rows behind a ticket, a photo or a CDF download.

Every function takes the client id from the caller's session and filters on it; an id from a URL
is looked up *within* that client, so another client's row is simply not found. The page's hot
queries are raw SQL through ``database.fetch`` (``{}`` placeholders): Piccolo's query builder and
row conversion cost more than the indexed query itself (see ``bench/db_engine.py``). Paging is
keyset on ``(event_on, id)``, newest first, along the index ``collection_client_event``.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
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


class LocationOption(NamedTuple):
    """A place for the filter: ``(id, label)``, as ``<option>`` pairs take it."""

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
TALLY_CACHE_SIZE = 256  # a client's whole history: ~1,300 rows for 20,000 collections
K = TypeVar("K")
V = TypeVar("V")
Month = tuple[int, int]
Pair = tuple[str, str]  # (status, unit)


@dataclass(frozen=True)
class MonthTally:
    """One month of ``collection_month`` for a client (and the filters' place and status)."""

    n: int
    by_status: dict[str, int]
    quantities: dict[Pair, tuple[int, int]]  # performed, with a unit: (collections, thousandths)
    inexact: frozenset[Pair]  # pairs holding a quantity past three decimals
    pairs: tuple[Pair, ...]  # every (status, unit) the month holds


Tally = dict[Month, MonthTally]
_summaries: OrderedDict[tuple[int, int, int, Filters], Summary] = OrderedDict()
_tallies: OrderedDict[tuple[int, int, int, int | None, str | None], Tally] = OrderedDict()


def _remember(cache: OrderedDict[K, V], key: K, value: V, size: int = SUMMARY_CACHE_SIZE) -> V:
    """Keep ``value`` under ``key``, dropping the least recently used past ``size``."""
    cache[key] = value
    while len(cache) > size:
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


# One round trip takes up to this many edge selects (SQLite: at most 500 in a compound SELECT).
_SELECTS_PER_QUERY = 120
# An edge's quantities are summed as floating point from the covering index: SQLite computes the
# generated ``quantity_milli`` by reading the row and matching its text (~1.5 µs a row). Values
# with at most three decimals (the month's tally says so) come back exact in thousandths after
# rounding while n × Σq stays below ~2e12 (each addition errs by at most 2⁻⁵³ of the running
# sum); past this bound the texts are summed as Decimals instead.
_FLOAT_SUM_BOUND = 1e12
_EDGE_SUM = "SUM(CAST(NULLIF(c.quantity, '') AS DOUBLE PRECISION))"


def _edges(period: Period) -> tuple[list[Month], list[tuple[Month, Period, int]]]:
    """The months the summary takes whole from ``collection_month``, and the day ranges it
    reads from ``collection``, each with its month and sign: an edge month mostly inside the
    period is the whole month minus the days outside, so an edge reads at most half a month."""
    whole: list[Month] = []
    ranges: list[tuple[Month, Period, int]] = []
    for month, piece in _month_pieces(period):
        year, number = month
        first = date(year, number, 1)
        last = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
        outside = [
            Period(first, piece.start - timedelta(days=1)) if piece.start > first else None,
            Period(piece.end + timedelta(days=1), last) if piece.end < last else None,
        ]
        missing = [p for p in outside if p is not None]
        if not missing or sum(p.days for p in missing) < piece.days:
            whole.append(month)
            ranges += [(month, p, -1) for p in missing]
        else:
            ranges.append((month, piece, 1))
    return whole, ranges


async def _summary(client_id: int, filters: Filters, version: int) -> Summary:
    """The summary from ``collection_month`` (kept by triggers) for whole months, and from
    ``collection``'s covering index for the days of the edge months (see ``_edges``; for the
    default 90 days to today, a few days). Reading every row of a big client's 90 days cost
    ~0.7 ms; a year now costs about what a month does."""
    whole, ranges = _edges(filters.period)
    months = filters.period.months()
    tally = await _tally(client_id, filters, version)
    touched = [tally[m] for m in months if m in tally]
    inexact: set[Pair] = set().union(*(t.inexact for t in touched))

    by_status: dict[str, int] = dict.fromkeys(STATUS_LABELS, 0)
    by_month: dict[Month, int] = dict.fromkeys(months, 0)
    sums: dict[Pair, list[int]] = {}  # (collections, thousandths) of the exact pairs
    for month in whole:
        if (t := tally.get(month)) is None:
            continue
        by_month[month] += t.n
        for status, n in t.by_status.items():
            by_status[status] = by_status.get(status, 0) + n
        for pair, (n, milli) in t.quantities.items():
            totals = sums.setdefault(pair, [0, 0])
            totals[0] += n
            totals[1] += milli

    # The edges: a COUNT, and a floating-point SUM where the month's quantities are exact in
    # thousandths, per (status, unit) the month holds; each one range of the covering index
    # (client, status, unit, event_on, location, quantity).
    selects: list[tuple[Month, int, Pair, bool, str, list[Any]]] = []
    for month, days, sign in ranges:
        if (t := tally.get(month)) is None:
            continue
        where, args = _where(client_id, Filters(days, filters.location_id))
        for status, unit in t.pairs:
            summed = (status, unit) in t.quantities and (status, unit) not in inexact
            column = _EDGE_SUM if summed else "CAST(NULL AS DOUBLE PRECISION)"  # one type for PG
            # ``where`` holds column names and placeholders only; ``column`` is ours.
            sql = f"COUNT(*), {column} FROM collection c WHERE {where}"  # noqa: S608
            selects.append((month, sign, (status, unit), summed, sql, [*args, status, unit]))
    for start in range(0, len(selects), _SELECTS_PER_QUERY):
        chunk = selects[start : start + _SELECTS_PER_QUERY]
        union = " UNION ALL ".join(
            f"SELECT {tag} AS k, {sql} AND c.status = {{}} AND c.unit = {{}}"
            for tag, (*_, sql, _) in enumerate(chunk)
        )
        for tag, n, total in await database.fetch(union, *(a for *_, args in chunk for a in args)):
            month, sign, pair, summed, _, _ = chunk[tag]
            by_status[pair[0]] = by_status.get(pair[0], 0) + sign * n
            by_month[month] += sign * n
            if not summed:
                continue
            total = total or 0.0  # no quantity at all
            if n * abs(total) >= _FLOAT_SUM_BOUND:
                inexact.add(pair)  # too large to trust a float sum
            totals = sums.setdefault(pair, [0, 0])
            totals[0] += sign * n
            totals[1] += sign * round(total * 1000)

    quantities: dict[str, Decimal] = {}
    for (status, unit), (n, milli) in sums.items():
        if n > 0 and (status, unit) not in inexact:
            quantities[unit] = quantities.get(unit, Decimal(0)) + Decimal(milli) / 1000
    for status, unit in sorted(inexact):
        total, n = await _decimal_total(client_id, replace(filters, status=status), unit)
        if n > 0:
            quantities[unit] = quantities.get(unit, Decimal(0)) + total
    return Summary(
        total=sum(by_status.values()),
        by_status=[(s, STATUS_LABELS.get(s, s), c) for s, c in by_status.items()],
        quantities=sorted(quantities.items()),
        months=[(y, m, c) for (y, m), c in sorted(by_month.items())],
    )


async def _tally(client_id: int, filters: Filters, version: int) -> Tally:
    """The client's ``collection_month`` for the filters' place and status, by month: its whole
    history, cached per data version like the summaries (~1 ms once for 20,000 collections;
    then any period's whole months cost nothing to read)."""
    key = (database.generation(), client_id, version, filters.location_id, filters.status)
    found = _tallies.get(key)
    if found is not None:
        _tallies.move_to_end(key)
        return found
    sql = (
        "SELECT month, status, unit, SUM(n), SUM(milli), SUM(inexact) FROM collection_month"
        " WHERE client = {}"
    )
    args: list[Any] = [client_id]
    if filters.location_id is not None:
        sql += " AND location = {}"
        args.append(filters.location_id)
    if filters.status is not None:
        sql += " AND status = {}"
        args.append(filters.status)
    rows: dict[Month, list[tuple[str, str, int, int, int]]] = defaultdict(list)
    for month_on, status, unit, n, milli, inexact in await database.fetch(
        sql + " GROUP BY month, status, unit", *args
    ):
        if n:  # a key whose collections are all gone keeps a row of zeros
            day = as_date(month_on)
            rows[(day.year, day.month)].append((status, unit, int(n), int(milli), int(inexact)))
    tally: Tally = {}
    for month, found_rows in rows.items():
        by_status: dict[str, int] = {}
        for status, _, n, _, _ in found_rows:
            by_status[status] = by_status.get(status, 0) + n
        tally[month] = MonthTally(
            n=sum(by_status.values()),
            by_status=by_status,
            quantities={
                (status, unit): (n, milli)
                for status, unit, n, milli, inexact in found_rows
                if unit and status in WITH_TICKET
            },
            inexact=frozenset(
                (status, unit)
                for status, unit, _, _, inexact in found_rows
                if inexact and unit and status in WITH_TICKET
            ),
            pairs=tuple((status, unit) for status, unit, *_ in found_rows),
        )
    return _remember(_tallies, key, tally, TALLY_CACHE_SIZE)


async def _decimal_total(client_id: int, filters: Filters, unit: str) -> tuple[Decimal, int]:
    """The exact sum of one status's quantity texts in ``unit``, and how many collections (when
    one has more than three decimals, which ``quantity_milli`` cannot hold)."""
    where, args = _where(client_id, filters)
    total, count = Decimal(0), 0
    for quantity, n in await database.fetch(
        f"SELECT c.quantity, COUNT(*) FROM collection c WHERE {where} AND c.unit = {{}}"  # noqa: S608
        " GROUP BY c.quantity",
        *args,
        unit,
    ):
        count += n
        value = _decimal(quantity) if quantity else None
        if value is not None:
            total += value * n
    return total, count


async def locations(client_id: int) -> list[LocationOption]:
    """The client's own places, for the filter."""
    rows = await database.fetch(
        "SELECT id, label FROM location WHERE client = {} ORDER BY label, id", client_id
    )
    return [LocationOption(id_, label) for id_, label in rows]


_CERTIFICATE_SQL = (
    "SELECT c.id, c.number, c.issued_on, c.period_start, c.period_end, c.receiver,"
    " c.pdf_path IS NOT NULL AND c.pdf_path <> '' AS has_pdf, c.mtr_count"
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
