"""What an import reports and the validated records it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

SECTIONS: Final = ("clients", "locations", "invoices", "collections", "certificates")


class _Missing:
    """A nested part the record did not mention: the stored one is kept as it is."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Final = _Missing()


@dataclass(frozen=True)
class ImportProblem:
    """One reason a document was refused: where (JSON path), a stable code, and a message."""

    path: str
    code: str
    message: str


@dataclass
class SectionCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """Whether the document went in, every problem if it did not, and what changed if it did.

    ``new_fiscal_documents`` are the ids of fiscal documents this import created (not those it
    updated), for the NF notice e-mail."""

    ok: bool
    problems: list[ImportProblem] = field(default_factory=list)
    counts: dict[str, SectionCounts] = field(default_factory=dict)
    new_fiscal_documents: list[int] = field(default_factory=list)


@dataclass(slots=True)
class FileRef:
    """A file a record points at, checked but not yet stored.

    ``key`` identifies the content source (a resolved path, or the sha256 of inline bytes) so
    a file shared by many records is read and stored once."""

    key: str
    path: Path | None
    data: bytes | None
    purpose: str  # photo | signature | pdf | xml
    where: str  # the JSON path of its first use, where a problem storing it is reported
    stored: str = ""
    width: int = 0
    height: int = 0


@dataclass(slots=True)
class LocationRow:
    external_id: str
    client: str
    label: str
    street: str
    number: str
    complement: str
    district: str
    city: str
    state: str
    cep: str
    active: bool


@dataclass(slots=True)
class ClientRow:
    external_id: str
    document: str
    name: str
    trade_name: str
    active: bool
    access_emails: list[str] | None  # None: keep the stored list
    invoice_emails: list[str] | None
    locations: list[LocationRow]
    # ``group``: absent (UNCHANGED: keep its group), null (None: in no group) or the group.
    group: GroupRef | None | Unchanged = None


class Unchanged:
    """``clients[].group`` absent: the client's group (one a master user set, say) is kept."""


UNCHANGED = Unchanged()


@dataclass(frozen=True, slots=True)
class GroupRef:
    """``clients[].group``: the ERP's group (matriz e filiais) of the client."""

    external_id: str
    name: str


@dataclass(slots=True)
class FiscalRow:
    kind: str
    number: str
    series: str
    access_key: str
    issued_at: datetime
    amount_cents: int
    items: list[dict[str, Any]]
    pdf: FileRef | None
    xml: FileRef | None


@dataclass(slots=True)
class BoletoRow:
    bank_code: str
    bank_name: str
    barcode: str
    digitable_line: str
    pix_copy_paste: str | None


@dataclass(slots=True)
class InvoiceRow:
    external_id: str
    client: str
    reference_start: date
    reference_end: date
    issued_on: date
    due_on: date
    amount_cents: int
    status: str
    paid_on: date | None
    paid_amount_cents: int | None
    description: str
    fiscal: FiscalRow | None | _Missing
    boleto: BoletoRow | None | _Missing


@dataclass(slots=True)
class PhotoRow:
    stage: str
    file: FileRef
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


@dataclass(slots=True)
class CollectionRow:
    external_id: str
    client: str
    location: str
    request: str | None
    scheduled_on: date | None
    performed_at: datetime | None
    event_on: date
    status: str
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
    received_by: str
    received_by_cpf: str | None
    refusal: str | None
    notes: str
    photos: list[PhotoRow] | _Missing
    signature: FileRef | None | _Missing
    extra: CollectionExtra


@dataclass(frozen=True, slots=True)
class CollectionExtra:
    """The optional MTR fields: stored, but outside the ticket's content hash."""

    physical_state: str = ""
    transporter_name: str = ""
    transporter_document: str = ""
    receiver_name: str = ""
    receiver_document: str = ""
    treatment: str = ""

    def values(self) -> tuple[str, ...]:
        return (
            self.physical_state, self.transporter_name, self.transporter_document,
            self.receiver_name, self.receiver_document, self.treatment,
        )  # fmt: skip


NO_EXTRA: Final = CollectionExtra()


@dataclass(slots=True)
class CertificateRow:
    external_id: str
    client: str
    number: str
    issued_on: date
    period_start: date
    period_end: date
    receiver: str
    mtr_numbers: list[str]
    pdf: FileRef | None


@dataclass
class ValidDocument:
    """A document that passed validation, in the order it is written."""

    clients: list[ClientRow] = field(default_factory=list)
    invoices: list[InvoiceRow] = field(default_factory=list)
    collections: list[CollectionRow] = field(default_factory=list)
    certificates: list[CertificateRow] = field(default_factory=list)
    files: dict[tuple[str, str], FileRef] = field(default_factory=dict)


@dataclass
class Known:
    """What the database already holds that a document may refer to (read before validating)."""

    clients: set[str] = field(default_factory=set)  # external ids
    client_by_document: dict[str, str] = field(default_factory=dict)  # document -> external id
    location_client: dict[str, str] = field(default_factory=dict)  # location ext -> client ext
    request_client: dict[str, str] = field(default_factory=dict)  # protocol -> client ext
