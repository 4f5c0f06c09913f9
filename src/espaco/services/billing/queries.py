"""The Financeiro page's SQL, each query with the row type it returns (see ``espaco.db.read``).

Plain SQL, not Piccolo's query builder: building the query cost more than the indexed query
itself (``bench/db_engine.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from espaco.db.read import Json, Query


class TotalsRow(NamedTuple):
    open_cents: int
    open_count: int
    overdue_cents: int
    overdue_count: int
    paid_cents: int
    paid_count: int
    cancelled_cents: int
    cancelled_count: int


# One pass over the client's index range (a GROUP BY sorts: 35% slower). Arguments: today four
# times, the scope's ids, the period's first and last day.
TOTALS = Query(
    TotalsRow,
    "SELECT COALESCE(SUM(amount_cents) FILTER (WHERE status = 'open' AND due_on >= {}), 0),"
    " COUNT(*) FILTER (WHERE status = 'open' AND due_on >= {}),"
    " COALESCE(SUM(amount_cents) FILTER (WHERE status = 'open' AND due_on < {}), 0),"
    " COUNT(*) FILTER (WHERE status = 'open' AND due_on < {}),"
    " COALESCE(SUM(amount_cents) FILTER (WHERE status = 'paid'), 0),"
    " COUNT(*) FILTER (WHERE status = 'paid'),"
    " COALESCE(SUM(amount_cents) FILTER (WHERE status = 'cancelled'), 0),"
    " COUNT(*) FILTER (WHERE status = 'cancelled')"
    " FROM invoice WHERE client IN {scope} AND due_on BETWEEN {} AND {}",
)


class InvoiceRecord(NamedTuple):
    id: int
    reference_start: date
    reference_end: date
    issued_on: date
    due_on: date
    amount_cents: int
    status: str
    paid_on: date | None
    fiscal_kind: str | None
    fiscal_number: str | None
    boleto_id: int | None
    client: int


# Arguments: the scope's ids, the period's first and last day, the page size and offset.
PAGE = Query(
    InvoiceRecord,
    "SELECT invoice.id, invoice.reference_start, invoice.reference_end, invoice.issued_on,"
    " invoice.due_on, invoice.amount_cents, invoice.status, invoice.paid_on,"
    " fiscal_document.kind AS fiscal_kind, fiscal_document.number AS fiscal_number,"
    " boleto.id AS boleto_id, invoice.client"
    " FROM invoice"
    " LEFT JOIN fiscal_document ON fiscal_document.invoice = invoice.id"
    " LEFT JOIN boleto ON boleto.invoice = invoice.id"
    " WHERE invoice.client IN {scope} AND invoice.due_on BETWEEN {} AND {}"
    " ORDER BY invoice.due_on DESC, invoice.id DESC LIMIT {} OFFSET {}",
)


class ChartRow(NamedTuple):
    due_on: date
    status: str
    amount_cents: int


# Arguments: the scope's ids, the window's first and last day.
CHART = Query(
    ChartRow,
    "SELECT due_on, status, amount_cents FROM invoice"
    " WHERE client IN {scope} AND due_on BETWEEN {} AND {} AND status <> 'cancelled'",
)


class FiscalRecord(NamedTuple):
    kind: str
    number: str
    series: str
    access_key: str
    issued_at: datetime
    amount_cents: int
    items: Json
    pdf_path: str | None
    xml_path: str | None
    client_name: str
    client_document: str
    reference_start: date
    reference_end: date
    due_on: date


# Arguments: the invoice, the scope's ids.
FISCAL = Query(
    FiscalRecord,
    "SELECT fiscal_document.kind, fiscal_document.number,"
    " COALESCE(fiscal_document.series, '') AS series, fiscal_document.access_key,"
    " fiscal_document.issued_at, fiscal_document.amount_cents, fiscal_document.items,"
    " fiscal_document.pdf_path, fiscal_document.xml_path,"
    " client.name AS client_name, client.document AS client_document,"
    " invoice.reference_start, invoice.reference_end, invoice.due_on"
    " FROM fiscal_document JOIN invoice ON invoice.id = fiscal_document.invoice"
    " JOIN client ON client.id = fiscal_document.client"
    " WHERE fiscal_document.invoice = {} AND fiscal_document.client IN {scope}",
)


class BoletoDetail(NamedTuple):
    """An invoice's boleto with what its page and PDF show."""

    invoice_id: int
    invoice_external_id: str
    status: str
    issued_on: date
    due_on: date
    amount_cents: int
    reference_start: date
    reference_end: date
    paid_on: date | None
    bank_code: str
    bank_name: str
    barcode: str
    digitable_line: str
    pix_copy_paste: str | None
    payer_name: str
    payer_document: str

    @property
    def payable(self) -> bool:
        return self.status == "open"


# Arguments: the invoice, the scope's ids.
BOLETO = Query(
    BoletoDetail,
    "SELECT invoice.id, invoice.external_id, invoice.status, invoice.issued_on, invoice.due_on,"
    " invoice.amount_cents, invoice.reference_start, invoice.reference_end, invoice.paid_on,"
    " boleto.bank_code, COALESCE(boleto.bank_name, '') AS bank_name, boleto.barcode,"
    " boleto.digitable_line, boleto.pix_copy_paste,"
    " client.name AS client_name, client.document AS client_document"
    " FROM invoice JOIN boleto ON boleto.invoice = invoice.id"
    " JOIN client ON client.id = invoice.client"
    " WHERE invoice.id = {} AND invoice.client IN {scope}",
)
