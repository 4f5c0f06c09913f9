"""The Financeiro page's reads: period totals, the billing closures, the 12-month chart, and one
invoice's fiscal document and boleto.

Every function takes the scope from the caller's session (``services/access/scope.py``: the
client's id, or a group's members) and looks ids up *within* it, so another client's id is simply
not found (:class:`NotFound`). The SQL is in ``billing.queries``, run
by ``espaco.db.read`` (typed rows, the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from espaco.db import read
from espaco.domain.errors import NotFound
from espaco.domain.fiscal import FISCAL_KIND_LABELS, format_access_key
from espaco.domain.periods import Period
from espaco.services import page_cache
from espaco.services.access.scope import Scope, scoped_query
from espaco.services.billing.queries import BOLETO, CHART, FISCAL, PAGE, TOTALS, BoletoDetail

__all__ = ["BoletoDetail"]  # its query's row type, kept importable from here

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
        return FISCAL_KIND_LABELS[self.kind]

    @property
    def access_key_grouped(self) -> str:
        return format_access_key(self.access_key)


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
    (c,) = await read.rows(
        scoped_query(TOTALS, scope), today, today, today, today, *scope, period.start, period.end
    )
    return Totals(
        open=Total(c[0], c[1]), overdue=Total(c[2], c[3]), paid=Total(c[4], c[5]),
        cancelled=Total(c[6], c[7]),
    )  # fmt: skip


async def chart(scope: Scope, period: Period) -> list[ChartMonth]:
    """Billed (not cancelled) and paid centavos per due month, the 12 months ending with the
    period's last month."""
    window = chart_window(period)
    months = {ym: [0, 0] for ym in window.months()}
    for due, status, cents in await read.rows(
        scoped_query(CHART, scope), *scope, window.start, window.end
    ):
        sums = months[(due.year, due.month)]
        sums[0] += cents
        if status == "paid":
            sums[1] += cents
    return [ChartMonth(y, m, b, p) for (y, m), (b, p) in months.items()]


async def financeiro(
    scope: Scope, period: Period, today: date, page: int = 1, *, version: int | None = None
) -> Financeiro:
    """The totals, the ``page``-th 25 closures (newest due date first) and the chart; kept in
    process while the scope's data version stays (``services/page_cache``; ``version``: the
    one-client scope's, when the session lookup read it)."""
    return await page_cache.cached(
        "financeiro", scope, version, (period, today, page),
        lambda: _financeiro(scope, period, today, page),
    )  # fmt: skip


async def _financeiro(scope: Scope, period: Period, today: date, page: int) -> Financeiro:
    sums = await totals(scope, period, today)
    pages = max(1, -(-sums.invoices // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = await read.rows(
        scoped_query(PAGE, scope),
        *scope,
        period.start,
        period.end,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    rows = [
        InvoiceRow(
            *r[:8],
            overdue=r.status == "open" and r.due_on < today,
            fiscal_kind=r.fiscal_kind,
            fiscal_number=r.fiscal_number,
            has_boleto=r.boleto_id is not None,
            client_id=r.client,
        )
        for r in found
    ]
    return Financeiro(
        period=period,
        today=today,
        totals=sums,
        rows=rows,
        page=page,
        pages=pages,
        chart=await chart(scope, period),
    )


def _items(data: Any) -> list[FiscalItem]:
    return [
        FiscalItem(
            description=str(i.get("description", "")),
            quantity=str(i.get("quantity", "")),
            unit=str(i.get("unit", "")),
            unit_price_cents=int(i.get("unit_price_cents") or 0),
            amount_cents=int(i.get("amount_cents") or 0),
        )
        for i in data or []
        if isinstance(i, dict)
    ]


async def fiscal_document(scope: Scope, invoice_id: int) -> FiscalDetail:
    """The fiscal document of the scope's invoice ``invoice_id``; :class:`NotFound` (not found
    or not the scope's)."""
    r = await read.first(scoped_query(FISCAL, scope), invoice_id, *scope)
    if r is None:
        raise NotFound("Nota fiscal não encontrada.")
    return FiscalDetail(
        invoice_id,
        *r[:6],
        items=_items(r.items),
        pdf_path=r.pdf_path,
        xml_path=r.xml_path,
        taker_name=r.client_name,
        taker_document=r.client_document,
        reference_start=r.reference_start,
        reference_end=r.reference_end,
        due_on=r.due_on,
    )


async def boleto(scope: Scope, invoice_id: int) -> BoletoDetail:
    """The boleto of the scope's invoice ``invoice_id``; :class:`NotFound` without one."""
    found = await read.first(scoped_query(BOLETO, scope), invoice_id, *scope)
    if found is None:
        raise NotFound("Boleto não encontrado.")
    return found
