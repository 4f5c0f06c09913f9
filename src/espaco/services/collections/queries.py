"""The Coletas page's SQL, each query with the row type it returns (see ``espaco.db.read``).

Plain SQL: Piccolo's query builder and row conversion cost more than the indexed query itself
(``bench/db_engine.py``). The scope's filter (``IN {scope}``, ``services/access/scope.py``) comes
first; the collection filters (period, place, situação) are
``collections.filters.where_clause``, appended at run time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from espaco.db.read import Query
from espaco.services.collections.filters import STATUS_LABELS, WITH_TICKET


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


# + where_clause(...) + ORDER BY / LIMIT
ROWS = Query(
    Row,
    "SELECT c.id, c.external_id, c.event_on, c.status, l.label, c.service,"
    " c.waste_description, c.waste_class, c.quantity, c.unit, c.mtr_number, c.mtr_status,"
    " (SELECT MIN(m.certificate) FROM certificate_mtr m"
    "   WHERE m.client = c.client AND m.mtr_number = c.mtr_number) AS certificate_id, c.client"
    " FROM collection c JOIN location l ON l.id = c.location WHERE ",
)


class LocationOption(NamedTuple):
    """A place for the filter: ``(id, label)``, as ``<option>`` pairs take it."""

    id: int
    label: str


# Arguments: the scope's ids.
LOCATIONS = Query(
    LocationOption, "SELECT id, label FROM location WHERE client IN {scope} ORDER BY label, id"
)


class UnitLocation(NamedTuple):
    """A place with the unit (client) that owns it, for a group's grouped lists."""

    id: int
    label: str
    client_id: int


# Arguments: the scope's ids.
UNIT_LOCATIONS = Query(
    UnitLocation,
    "SELECT id, label, client FROM location WHERE client IN {scope} ORDER BY label, id",
)


class CertificateRow(NamedTuple):
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


# Arguments: the scope's ids, then the rest's.
_CERTIFICATES = (
    "SELECT c.id, c.number, c.issued_on, c.period_start, c.period_end, c.receiver, c.mtr_count,"
    " c.pdf_path IS NOT NULL AND c.pdf_path <> '' AS has_pdf"
    " FROM certificate c WHERE c.client IN {scope} "
)
# ... the period's first and last day, the limit.
CERTIFICATES = Query(
    CertificateRow,
    _CERTIFICATES + "AND c.period_end >= {} AND c.period_start <= {}"
    " ORDER BY c.issued_on DESC, c.id DESC LIMIT {}",
)
# ... the certificate.
CERTIFICATE = Query(CertificateRow, _CERTIFICATES + "AND c.id = {}")


class CertificateMtr(NamedTuple):
    mtr_number: str
    collection_id: int | None  # the client's performed collection with that MTR: its ticket


# Arguments: the two statuses with a ticket, the certificate.
CERTIFICATE_MTRS = Query(
    CertificateMtr,
    "SELECT m.mtr_number, (SELECT MIN(k.id) FROM collection k"
    "   WHERE k.client = m.client AND k.mtr_number = m.mtr_number"
    "   AND k.status IN ({}, {})) AS collection_id"
    " FROM certificate_mtr m WHERE m.certificate = {} ORDER BY m.mtr_number",
)


class CertificateFile(NamedTuple):
    number: str
    pdf_path: str | None


# Arguments: the certificate, the scope's ids.
CERTIFICATE_FILE = Query(
    CertificateFile, "SELECT number, pdf_path FROM certificate WHERE id = {} AND client IN {scope}"
)


class PhotoPath(NamedTuple):
    path: str


# Arguments: the photo, the collection, the scope's ids.
PHOTO_FILE = Query(
    PhotoPath,
    "SELECT p.path FROM collection_photo p JOIN collection c ON c.id = p.collection"
    " WHERE p.id = {} AND c.id = {} AND c.client IN {scope}",
)


class TicketRecord(NamedTuple):
    id: int
    external_id: str
    content_hash: str
    status: str
    scheduled_on: date | None
    performed_at: datetime | None
    service: str
    waste_description: str
    waste_class: str
    waste_ibama_code: str
    quantity: str
    unit: str
    mtr_number: str | None
    mtr_status: str | None
    driver: str
    vehicle_plate: str
    notes: str
    received_by: str
    received_by_cpf: str | None
    refusal: str | None
    signature_path: str | None
    label: str
    street: str
    street_number: str
    complement: str
    district: str
    city: str
    state: str
    cep: str
    client_name: str
    client_document: str


# Arguments: the scope's ids, then the collections (+ "({}, {}, …)").
TICKETS = Query(
    TicketRecord,
    "SELECT c.id, c.external_id, c.content_hash, c.status, c.scheduled_on, c.performed_at,"
    " c.service, c.waste_description, c.waste_class, c.waste_ibama_code, c.quantity, c.unit,"
    " c.mtr_number, c.mtr_status, c.driver, c.vehicle_plate, c.notes, c.received_by,"
    " c.received_by_cpf, c.refusal, c.signature_path,"
    " l.label, l.street, l.number AS street_number, l.complement, l.district,"
    " l.city, l.state, l.cep, k.name AS client_name, k.document AS client_document"
    " FROM collection c JOIN location l ON l.id = c.location"
    " JOIN client k ON k.id = c.client WHERE c.client IN {scope} AND c.id IN ",
)


class PhotoRecord(NamedTuple):
    collection: int
    stage: str
    path: str
    width: int
    height: int
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


# + "({}, {}, …) ORDER BY …": the collections.
PHOTOS = Query(
    PhotoRecord,
    "SELECT collection, stage, path, width, height, taken_at, latitude, longitude"
    " FROM collection_photo WHERE collection IN ",
)
