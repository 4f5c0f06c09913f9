"""The Financeiro page's reads: period totals, the billing closures, the 12-month chart, and one
invoice's fiscal document and boleto.

Every function takes the scope from the caller's session (``services/access/scope.py``: the
client's id, or a group's members) and looks ids up *within* it, so another client's id is simply
not found (``None``). The page's queries are plain SQL through ``Table.raw`` (``{}``
placeholders work on SQLite and PostgreSQL): Piccolo's query builder costs more than the indexed
query itself (see ``bench/db_engine.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

from espaco.db import as_date, as_datetime, database
from espaco.domain.fiscal import format_access_key
from espaco.domain.periods import Period
from espaco.services.access.scope import Scope, scoped

PAGE_SIZE = 25
CHART_MONTHS = 12


@dataclass(frozen=True)
class Total:
    """A sum of centavos and how many invoices make it."""

    cents: int = 0
    count: int = 0

    def __add__(self, other: Total) -> Total:
        return Total(self.cents + other.cents, self.count + other.count)


@dataclass(frozen=True)
class Totals:
    """A period's sums: ``open`` (not yet due), ``overdue``, ``paid``, and the cancelled
    invoices left out of them. The page's cards are Em aberto (``unpaid``: both of the first
    two, "dos quais vencido" the second), Pago and Geral do período."""

    open: Total = Total()
    overdue: Total = Total()
    paid: Total = Total()
    cancelled: Total = Total()

    @property
    def unpaid(self) -> Total:
        """Everything still to pay, overdue or not: what the client owes."""
        return self.open + self.overdue

    @property
    def general(self) -> Total:
        return self.open + self.overdue + self.paid

    @property
    def invoices(self) -> int:
        return self.general.count + self.cancelled.count


class InvoiceRow(NamedTuple):
    """One billing closure as the table shows it (a named tuple: 25 are made per page, at a
    third of a frozen dataclass's cost)."""

    id: int
    reference_start: date
    reference_end: date
    issued_on: date
    due_on: date
    amount_cents: int
    status: str
    paid_on: date | None
    overdue: bool
    fiscal_kind: str | None
    fiscal_number: str | None
    has_boleto: bool
    client_id: int = 0  # the unit it belongs to (a group's page names it)

    @property
    def payable(self) -> bool:
        return self.status == "open" and self.has_boleto


@dataclass(frozen=True)
class ChartMonth:
    year: int
    month: int
    billed_cents: int = 0
    paid_cents: int = 0


@dataclass(frozen=True)
class Financeiro:
    """Everything the period's fragment shows."""

    period: Period
    today: date
    totals: Totals
    rows: list[InvoiceRow]
    page: int
    pages: int
    chart: list[ChartMonth] = field(default_factory=list)


@dataclass(frozen=True)
class FiscalItem:
    description: str
    quantity: str
    unit: str
    unit_price_cents: int
    amount_cents: int


@dataclass(frozen=True)
class FiscalDetail:
    """An invoice's NF-e/NFS-e with what the note page and the DANFSe print."""

    invoice_id: int
    kind: str
    number: str
    series: str
    access_key: str
    issued_at: datetime
    amount_cents: int
    items: list[FiscalItem]
    pdf_path: str | None
    xml_path: str | None
    taker_name: str
    taker_document: str
    reference_start: date
    reference_end: date
    due_on: date

    @property
    def kind_label(self) -> str:
        return "NF-e" if self.kind == "nfe" else "NFS-e"

    @property
    def access_key_grouped(self) -> str:
        return format_access_key(self.access_key)


@dataclass(frozen=True)
class BoletoDetail:
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


def local_today(now: datetime, tz: tzinfo) -> date:
    """The provider's calendar day at instant ``now``: what "vencido" is measured against."""
    return now.astimezone(tz).date()


TOTALS_SQL = (  # one pass over the client's index range (a GROUP BY sorts: 35% slower)
    "SELECT SUM(amount_cents) FILTER (WHERE status = 'open' AND due_on >= {}),"
    " COUNT(*) FILTER (WHERE status = 'open' AND due_on >= {}),"
    " SUM(amount_cents) FILTER (WHERE status = 'open' AND due_on < {}),"
    " COUNT(*) FILTER (WHERE status = 'open' AND due_on < {}),"
    " SUM(amount_cents) FILTER (WHERE status = 'paid'), COUNT(*) FILTER (WHERE status = 'paid'),"
    " SUM(amount_cents) FILTER (WHERE status = 'cancelled'),"
    " COUNT(*) FILTER (WHERE status = 'cancelled')"
    " FROM invoice WHERE client IN {scope} AND due_on BETWEEN {} AND {}"
)
PAGE_SQL = (
    "SELECT invoice.id, invoice.reference_start, invoice.reference_end, invoice.issued_on,"
    " invoice.due_on, invoice.amount_cents, invoice.status, invoice.paid_on,"
    " fiscal_document.kind AS fiscal_kind, fiscal_document.number AS fiscal_number,"
    " boleto.id AS boleto_id, invoice.client"
    " FROM invoice"
    " LEFT JOIN fiscal_document ON fiscal_document.invoice = invoice.id"
    " LEFT JOIN boleto ON boleto.invoice = invoice.id"
    " WHERE invoice.client IN {scope} AND invoice.due_on BETWEEN {} AND {}"
    " ORDER BY invoice.due_on DESC, invoice.id DESC LIMIT {} OFFSET {}"
)
CHART_SQL = (
    "SELECT due_on, status, amount_cents FROM invoice"
    " WHERE client IN {scope} AND due_on BETWEEN {} AND {} AND status <> 'cancelled'"
)


def _month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + month - 1 + delta
    return n // 12, n % 12 + 1


def chart_window(period: Period) -> Period:
    """The twelve whole months that end with the period's last month."""
    first_year, first_month = _month_add(period.end.year, period.end.month, -(CHART_MONTHS - 1))
    next_year, next_month = _month_add(period.end.year, period.end.month, 1)
    last_day = date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)
    return Period(date(first_year, first_month, 1), last_day)


async def totals(scope: Scope, period: Period, today: date) -> Totals:
    """Em aberto (open, due today or later), Vencido (open, due before ``today``), Pago and the
    cancelled ones apart, for invoices due within ``period``."""
    rows = await database.fetch(
        scoped(TOTALS_SQL, scope), today, today, today, today, *scope, period.start, period.end
    )
    c = [int(v or 0) for v in rows[0]]
    return Totals(
        open=Total(c[0], c[1]), overdue=Total(c[2], c[3]), paid=Total(c[4], c[5]),
        cancelled=Total(c[6], c[7]),
    )  # fmt: skip


async def chart(scope: Scope, period: Period) -> list[ChartMonth]:
    """Billed (not cancelled) and paid centavos per due month, the 12 months ending with the
    period's last month."""
    window = chart_window(period)
    months = {ym: [0, 0] for ym in window.months()}
    for row in await database.fetch(scoped(CHART_SQL, scope), *scope, window.start, window.end):
        due = as_date(row["due_on"])
        sums = months[(due.year, due.month)]
        sums[0] += int(row["amount_cents"])
        if row["status"] == "paid":
            sums[1] += int(row["amount_cents"])
    return [ChartMonth(y, m, b, p) for (y, m), (b, p) in months.items()]


async def financeiro(scope: Scope, period: Period, today: date, page: int = 1) -> Financeiro:
    """The totals, the ``page``-th 25 closures (newest due date first) and the chart."""
    sums = await totals(scope, period, today)
    pages = max(1, -(-sums.invoices // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = await database.fetch(
        scoped(PAGE_SQL, scope), *scope, period.start, period.end, PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )  # fmt: skip
    rows = []
    for (
        id_, ref_start, ref_end, issued, due, cents, status, paid, kind, number, boleto_id, owner
    ) in found:  # fmt: skip
        due_on = as_date(due)
        rows.append(
            InvoiceRow(
                id=id_,
                reference_start=as_date(ref_start),
                reference_end=as_date(ref_end),
                issued_on=as_date(issued),
                due_on=due_on,
                amount_cents=int(cents),
                status=status,
                paid_on=as_date(paid) if paid else None,
                overdue=status == "open" and due_on < today,
                fiscal_kind=kind,
                fiscal_number=number,
                has_boleto=boleto_id is not None,
                client_id=owner,
            )
        )
    return Financeiro(
        period=period,
        today=today,
        totals=sums,
        rows=rows,
        page=page,
        pages=pages,
        chart=await chart(scope, period),
    )


FISCAL_SQL = (
    "SELECT fiscal_document.*, invoice.reference_start, invoice.reference_end, invoice.due_on,"
    " client.name AS client_name, client.document AS client_document"
    " FROM fiscal_document JOIN invoice ON invoice.id = fiscal_document.invoice"
    " JOIN client ON client.id = fiscal_document.client"
    " WHERE fiscal_document.invoice = {} AND fiscal_document.client IN {scope}"
)


def _items(raw: Any) -> list[FiscalItem]:
    data = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [
        FiscalItem(
            description=str(i.get("description", "")),
            quantity=str(i.get("quantity", "")),
            unit=str(i.get("unit", "")),
            unit_price_cents=int(i.get("unit_price_cents") or 0),
            amount_cents=int(i.get("amount_cents") or 0),
        )
        for i in data
        if isinstance(i, dict)
    ]


async def fiscal_document(scope: Scope, invoice_id: int) -> FiscalDetail | None:
    """The fiscal document of the scope's invoice ``invoice_id``, or None (not found or not
    the scope's)."""
    rows = await database.fetch(scoped(FISCAL_SQL, scope), invoice_id, *scope)
    if not rows:
        return None
    r = rows[0]
    return FiscalDetail(
        invoice_id=invoice_id,
        kind=r["kind"],
        number=r["number"],
        series=r["series"] or "",
        access_key=r["access_key"],
        issued_at=as_datetime(r["issued_at"]),
        amount_cents=int(r["amount_cents"]),
        items=_items(r["items"]),
        pdf_path=r["pdf_path"],
        xml_path=r["xml_path"],
        taker_name=r["client_name"],
        taker_document=r["client_document"],
        reference_start=as_date(r["reference_start"]),
        reference_end=as_date(r["reference_end"]),
        due_on=as_date(r["due_on"]),
    )


BOLETO_SQL = (
    "SELECT invoice.id, invoice.external_id, invoice.status, invoice.issued_on, invoice.due_on,"
    " invoice.amount_cents,"
    " invoice.reference_start, invoice.reference_end, invoice.paid_on,"
    " boleto.bank_code, boleto.bank_name, boleto.barcode, boleto.digitable_line,"
    " boleto.pix_copy_paste, client.name AS client_name, client.document AS client_document"
    " FROM invoice JOIN boleto ON boleto.invoice = invoice.id"
    " JOIN client ON client.id = invoice.client"
    " WHERE invoice.id = {} AND invoice.client IN {scope}"
)


async def boleto(scope: Scope, invoice_id: int) -> BoletoDetail | None:
    """The boleto of the scope's invoice ``invoice_id``, or None."""
    rows = await database.fetch(scoped(BOLETO_SQL, scope), invoice_id, *scope)
    if not rows:
        return None
    r = rows[0]
    return BoletoDetail(
        invoice_id=invoice_id,
        invoice_external_id=r["external_id"],
        status=r["status"],
        issued_on=as_date(r["issued_on"]),
        due_on=as_date(r["due_on"]),
        amount_cents=int(r["amount_cents"]),
        reference_start=as_date(r["reference_start"]),
        reference_end=as_date(r["reference_end"]),
        paid_on=as_date(r["paid_on"]) if r["paid_on"] else None,
        bank_code=r["bank_code"],
        bank_name=r["bank_name"] or "",
        barcode=r["barcode"],
        digitable_line=r["digitable_line"],
        pix_copy_paste=r["pix_copy_paste"],
        payer_name=r["client_name"],
        payer_document=r["client_document"],
    )
