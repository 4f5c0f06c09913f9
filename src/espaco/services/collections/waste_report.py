"""The Relatório de resíduos: what the client sent away in a period, one line per waste, with
what a DMR and a PGRS inventory ask for (IBAMA code, class, physical state, quantity per unit,
transporter, receiver, treatment) and the MTRs and CDFs that prove it.

Only collections that happened (realizada, validada) count. Quantities are summed exactly as
Decimals of the imported texts, so a total is right to the last decimal the ERP sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from espaco.db import read
from espaco.db.read import Query
from espaco.domain.documents import mask_document
from espaco.domain.periods import Period
from espaco.domain.waste import is_hazardous
from espaco.services.collections.filters import Filters, where_clause
from espaco.tables import CollectionStatus

THREAD_ROWS = 500  # rows from which the lines are built in a worker thread
PERFORMED = (CollectionStatus.done.value, CollectionStatus.validated.value)
_PERFORMED_SQL = " AND c.status IN ('done', 'validated')"


@dataclass
class WasteLine:
    """One waste (IBAMA code, description, class) and what the period did with it."""

    ibama_code: str
    description: str
    waste_class: str
    hazardous: bool
    physical_states: list[str] = field(default_factory=list)
    collections: int = 0
    quantities: dict[str, Decimal] = field(default_factory=dict)  # unit -> exact total
    transporters: list[str] = field(default_factory=list)
    receivers: list[str] = field(default_factory=list)
    treatments: list[str] = field(default_factory=list)
    mtrs: list[str] = field(default_factory=list)
    cdfs: list[str] = field(default_factory=list)
    without_mtr: int = 0

    @property
    def physical_state(self) -> str:
        return ", ".join(self.physical_states)


@dataclass
class Report:
    """The report of one client, period and place (``location_id`` None: every place)."""

    period: Period
    location_id: int | None
    lines: list[WasteLine]
    totals: dict[str, Decimal]  # unit -> exact total of every line
    collections: int

    @property
    def mtr_count(self) -> int:
        return sum(len(line.mtrs) for line in self.lines)


class _Row(NamedTuple):
    waste_ibama_code: str
    waste_description: str
    waste_class: str
    waste_physical_state: str
    unit: str
    quantity: str
    transporter_name: str
    transporter_document: str
    receiver_name: str
    receiver_document: str
    treatment: str
    mtr_number: str | None


class _Cdf(NamedTuple):
    mtr_number: str
    number: str


# + where_clause(...)
_ROWS = Query(
    _Row,
    "SELECT c.waste_ibama_code, c.waste_description, c.waste_class, c.waste_physical_state,"
    " c.unit, c.quantity, c.transporter_name, c.transporter_document, c.receiver_name,"
    " c.receiver_document, c.treatment, c.mtr_number FROM collection c WHERE ",
)
# + where_clause(...) + ")": the client, then where_clause's arguments.
_CDFS = Query(
    _Cdf,
    "SELECT DISTINCT m.mtr_number, ce.number FROM certificate_mtr m"
    " JOIN certificate ce ON ce.id = m.certificate WHERE m.client = {} AND m.mtr_number IN"
    " (SELECT c.mtr_number FROM collection c WHERE ",
)


def _party(name: str, document: str) -> str:
    """``Name — 11.222.333/0001-81``; a CPF masked (LGPD: the client is not its owner)."""
    if not document:
        return name
    shown = mask_document(document) if len(document) in (11, 14) else document
    return f"{name} — {shown}" if name else shown


def _add(items: list[str], value: str) -> None:
    # Transporters, receivers and treatments: a handful per waste, a list scan is cheapest.
    if value and value not in items:
        items.append(value)


async def report(client_id: int, period: Period, location_id: int | None = None) -> Report:
    """The client's waste report for ``period`` (and one place), lines by IBAMA code."""
    where, args = where_clause(client_id, Filters(period, location_id))
    where += _PERFORMED_SQL
    rows = await read.rows(_ROWS + where, *args)
    cdf_rows = await read.rows(_CDFS + (where + " AND c.mtr_number IS NOT NULL)"), client_id, *args)
    if len(rows) < THREAD_ROWS:
        return _build(period, location_id, rows, cdf_rows)
    # ~10 µs a row: a year of a big client would hold the event loop for a tenth of a second.
    return await asyncio.to_thread(_build, period, location_id, rows, cdf_rows)


def _build(
    period: Period, location_id: int | None, rows: list[_Row], cdf_rows: list[_Cdf]
) -> Report:
    cdfs: dict[str, list[str]] = {}
    for cdf_mtr, number in cdf_rows:
        cdfs.setdefault(cdf_mtr, []).append(number)
    lines: dict[tuple[str, str, str], WasteLine] = {}
    mtr_sets: dict[tuple[str, str, str], dict[str, None]] = {}
    cdf_sets: dict[tuple[str, str, str], dict[str, None]] = {}
    totals: dict[str, Decimal] = {}
    for row in rows:
        code, description, waste_class, state, unit, quantity = row[:6]
        t_name, t_doc, r_name, r_doc = row[6:10]
        treatment, mtr = row.treatment, row.mtr_number
        key = (code, description, waste_class)
        line = lines.get(key)
        if line is None:
            hazardous = is_hazardous(code, waste_class)
            line = lines[key] = WasteLine(code, description, waste_class, hazardous)
        line.collections += 1
        _add(line.physical_states, state)
        amount = _decimal(quantity)
        if amount is not None:
            line.quantities[unit] = line.quantities.get(unit, Decimal(0)) + amount
            totals[unit] = totals.get(unit, Decimal(0)) + amount
        _add(line.transporters, _party(t_name, t_doc))
        _add(line.receivers, _party(r_name, r_doc))
        _add(line.treatments, treatment)
        if mtr:
            # Thousands of MTRs a line: kept in a dict (ordered, O(1) membership) meanwhile.
            mtr_sets.setdefault(key, {})[mtr] = None
            for number in cdfs.get(mtr, ()):
                cdf_sets.setdefault(key, {})[number] = None
        else:
            line.without_mtr += 1
    for key, line in lines.items():
        line.quantities = dict(sorted(line.quantities.items()))
        line.mtrs = sorted(mtr_sets.get(key, ()))
        line.cdfs = sorted(cdf_sets.get(key, ()))
    ordered = sorted(lines.values(), key=_line_order)
    return Report(period, location_id, ordered, dict(sorted(totals.items())), len(rows))


def _decimal(text: str) -> Decimal | None:
    # The importer takes decimal strings only; anything else (a row from before that rule)
    # is left out of the sums rather than guessed.
    try:
        amount = Decimal(text) if text else None
    except ArithmeticError:
        return None
    return amount if amount is not None and amount.is_finite() else None


def _line_order(line: WasteLine) -> tuple[Any, ...]:
    # Coded wastes first, in the list's order; then the uncoded by description.
    return (line.ibama_code == "", line.ibama_code, line.description.lower(), line.waste_class)


def quantity_text(value: Decimal) -> str:
    """A total to the thousandth, dot decimal (``"12.350"``), half up (as a scale rounds), for
    format_quantity and the CSV."""
    return format(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP), "f")
