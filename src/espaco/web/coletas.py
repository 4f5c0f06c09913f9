"""``/coletas``: the client's collections with filters, "Carregar mais", the CSV export, the
ticket PDF, the photos and the CDF downloads.

The client always comes from the session; ids in URLs are looked up within it, so another
client's collection, photo or certificate answers 404.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Response
from markupsafe import Markup

from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_date, format_int_br, format_unit
from espaco.domain.money import format_quantity
from espaco.domain.periods import Period, last_days, parse_period
from espaco.pdf.ticket import render_cached
from espaco.services.access.sessions import ClientSession
from espaco.services.collections import coletas
from espaco.services.collections import filters as collection_filters
from espaco.services.collections.filters import Filters
from espaco.settings import Settings
from espaco.web import charts
from espaco.web import unidade as unit
from espaco.web.auth import now
from espaco.web.downloads import csv_text, file_response, read_or_404
from espaco.web.pages import is_fragment_request, page
from espaco.web.params import PathId, query_id
from espaco.web.templating import date_text, escape_text

DEFAULT_DAYS = 90
UNIT_HEADER = "Unidade da empresa"
CSV_HEADER = [
    "Data",
    "Local",
    "Serviço",
    "Resíduo",
    "Classe",
    "Quantidade",
    "Unidade",
    "Situação",
    "MTR",
    "Situação SINIR",
    "Ticket",
]


@dataclass(frozen=True)
class Query:
    """The filters as the URL gave them (echoed back into the form) and as parsed."""

    inicio: str
    fim: str
    local: str
    situacao: str
    filters: Filters
    errors: dict[str, str]
    unidade: int | None = None  # a group's chosen unit (None: every unit of the session)

    @property
    def situacao_value(self) -> str:
        return collection_filters.situacao_param(self.filters.status)

    def params(self, **extra: str) -> str:
        values = {
            "inicio": self.filters.period.start.isoformat(),
            "fim": self.filters.period.end.isoformat(),
            "local": str(self.filters.location_id or ""),
            "situacao": collection_filters.situacao_param(self.filters.status),
            "unidade": str(self.unidade or ""),
            **extra,
        }
        return urlencode({k: v for k, v in values.items() if v})


def parse_query(request: Request, today: date) -> Query:
    """Filters from the query string; a bad value is reported and replaced by its default."""
    params = request.query_params
    inicio, fim = params.get("inicio", "")[:20], params.get("fim", "")[:20]
    local, situacao = params.get("local", "")[:20], params.get("situacao", "")[:20]
    errors: dict[str, str] = {}
    default = last_days(today, DEFAULT_DAYS)
    try:
        period = parse_period(inicio, fim, default)
    except DomainError as error:
        errors["periodo"] = error.message
        period = default
    location_id: int | None = None
    if local.strip():
        location_id = query_id(local)
        if location_id is None:
            errors["local"] = "Local inválido"
    try:
        status = collection_filters.parse_situacao(situacao)
    except DomainError as error:
        errors["situacao"] = error.message
        status = None
    return Query(inicio, fim, local, situacao, Filters(period, location_id, status), errors)


def _today(settings: Settings) -> date:
    return now().astimezone(settings.tz).date()


# The situação filter's options: (URL spelling, label).
SITUACAO_OPTIONS = [
    (slug, collection_filters.STATUS_LABELS[status])
    for slug, status in collection_filters.SITUACOES.items()
]


@get("/coletas", include_in_schema=False)
async def coletas_page(request: Request, client: NamedDependency[ClientSession]) -> Response[str]:
    """The page; for htmx, the results (filters) or the next rows ("Carregar mais")."""
    settings: Settings = request.app.state.settings
    query = parse_query(request, _today(settings))
    scope, unidade = unit.chosen(request, client)
    query = replace(query, unidade=unidade)
    after = coletas.Cursor.parse(request.query_params.get("pagina"))
    rows_only = after is not None and is_fragment_request(request)
    data = await coletas.view(scope, query.filters, after, rows_only=rows_only, places=client.scope)
    errors = dict(query.errors)
    labels = unit.labels(client)
    if labels is not None and not rows_only:  # a group's places name their unit
        places = await coletas.unit_locations(client.scope)
        data = replace(
            data,
            locations=[
                coletas.LocationOption(p.id, f"{labels.get(p.client_id, '')} — {p.label}")
                for p in places
            ],
        )
    known = {loc.id for loc in data.locations}
    if (
        not rows_only
        and query.filters.location_id is not None
        and (query.filters.location_id not in known)
    ):
        errors["local"] = "Local não encontrado entre os seus"
    context: dict[str, Any] = {
        "client": client,
        "unidade": unidade,
        "query": query,
        "errors": errors,
        "data": data,
        "after": after,
        "rows": table_rows(data.page.rows, labels),
        "certificate_rows": certificate_rows(data.certificates),
        "certificate_limit": coletas.CERTIFICATE_LIMIT,
        "chart": charts.per_month(data.summary.months) if data.summary else None,
        "situacoes": SITUACAO_OPTIONS,
        "next_url": (
            "/coletas?" + query.params(pagina=data.page.next_cursor.token())
            if data.page.next_cursor
            else None
        ),
    }
    fragment = "partials/coletas_linhas.html" if rows_only else "partials/coletas_resultado.html"
    return page(
        request,
        "coletas.html",
        context,
        fragment=fragment,
        status_code=422 if errors else 200,
    )


def table_rows(rows: list[coletas.Row], units: dict[int, str] | None = None) -> Markup:
    """The ``<tr>`` of each collection, for the table's ``<tbody>`` (first page and "Carregar
    mais" alike).

    Built here, not in the template: 50 rows of a dozen values cost the template ~15 µs a row in
    escaping and filter calls, four times this, and "Carregar mais" has a 30 ms p99 budget at 32
    connections. Every text that comes from the ERP goes through ``h`` (tests feed markup
    into each); the rest is numbers, dates and constants. Links name themselves with
    ``aria-label``: a visually hidden span is absolutely positioned and would escape the table's
    scroll box, making the whole page scroll sideways at 360 px.
    """
    if units is None:
        return Markup("".join(map(_table_row, rows)))  # noqa: S704 - see the docstring
    return Markup(  # noqa: S704 - see the docstring; the unit's name is escaped
        "".join(
            f'<tr><td data-label="Unidade">{h(units.get(r.client_id, ""))}</td>'
            + _table_row(r).removeprefix("<tr>")
            for r in rows
        )
    )


# Waste, quantity and situação cells repeat from row to row: each distinct one is built once
# (pure functions of their texts, so never stale). Ticket and MTR numbers differ on every row
# and are escaped directly (a cache miss costs more than the escape).
h = escape_text
_STATUS_CLASS = {"validated": "selo ok", "cancelled": "selo atencao", "scheduled": "selo aviso"}


@lru_cache(maxsize=4096)
def _waste_cell(description: str, waste_class: str) -> str:
    if not waste_class:
        return h(description)
    return f'{h(description)}<br><span class="dica">Classe {h(waste_class)}</span>'


@lru_cache(maxsize=4096)
def _quantity_cell(quantity: str, unit: str) -> str:
    return f"{h(format_quantity(quantity))} {h(format_unit(unit))}" if quantity else ""


@lru_cache(maxsize=64)
def _status_cell(status: str) -> str:
    label = collection_filters.STATUS_LABELS.get(status, status)
    return f'<span class="{_STATUS_CLASS.get(status, "selo")}">{h(label)}</span>'


def _table_row(r: coletas.Row) -> str:
    ticket = (
        f'<a href="/coletas/{r.id}/ticket.pdf" class="selo" target="_blank" rel="noopener"'
        f' aria-label="PDF do ticket {escape(r.external_id)}">PDF</a>'
        if r.status in collection_filters.WITH_TICKET
        else ""
    )
    mtr = ""
    if r.mtr_number:
        mtr = number = escape(r.mtr_number)
        if r.mtr_status:
            mtr += f'<br><span class="dica">{h(r.mtr_status)}</span>'
        if r.certificate_id:
            mtr += (
                f'<br><a href="/coletas/cdf/{r.certificate_id}/mtrs"'
                f' aria-label="CDF do MTR {number}">CDF</a>'
            )
    return (
        f'<tr><td data-label="Data">{date_text(r.event_on)}</td>'
        f'<td data-label="Local">{h(r.location)}</td><td data-label="Serviço">{h(r.service)}</td>'
        f'<td data-label="Resíduo">{_waste_cell(r.waste_description, r.waste_class)}</td>'
        f'<td class="num" data-label="Quantidade">{_quantity_cell(r.quantity, r.unit)}</td>'
        f'<td data-label="Ticket">{ticket}</td><td data-label="MTR/SINIR">{mtr}</td>'
        f'<td data-label="Situação">{_status_cell(r.status)}</td></tr>\n'
    )


def certificate_rows(certificates: list[coletas.CertificateRow]) -> Markup:
    """The ``<tr>`` of each CDF of the period (a year's filter lists a dozen), built here for
    the reason ``table_rows`` is; number and receiver come from the ERP and are escaped."""
    return Markup("".join(map(_certificate_row, certificates)))  # noqa: S704 - see above


def _certificate_row(c: coletas.CertificateRow) -> str:
    number = h(c.number)
    url = f"/coletas/cdf/{c.id}/mtrs"
    mtrs = f"{format_int_br(c.mtr_count)} MTR{'' if c.mtr_count == 1 else 's'}"
    pdf = (
        f'<a href="/coletas/cdf/{c.id}" download aria-label="Baixar o CDF {number} (PDF)">'
        "Baixar</a>"
        if c.has_pdf
        else '<span class="dica">—</span>'
    )
    return (
        f'<tr id="cdf-{c.id}"><td data-label="Número">{number}</td>'
        f'<td data-label="Emissão">{date_text(c.issued_on)}</td>'
        f'<td data-label="Período">{date_text(c.period_start)} a {date_text(c.period_end)}</td>'
        f'<td data-label="Destinador">{h(c.receiver)}</td>'
        f'<td data-label="MTRs"><a href="{url}" hx-get="{url}" hx-target="#cdf-detalhe"'
        f' hx-swap="outerHTML" aria-label="{mtrs} do CDF {number}">{mtrs}</a></td>'
        f'<td data-label="PDF">{pdf}</td></tr>\n'
    )


def export_csv(rows: list[coletas.Row], units: dict[int, str] | None = None) -> str:
    """The rows as Excel in Brazil opens them: ``;``, dd/mm/aaaa, decimal comma (no BOM); every
    cell, the ERP's ticket and MTR numbers included, neutralised by ``csv_cell``. A group's
    export names each row's unit in a first column ("Unidade da empresa": "Unidade" already
    heads the quantity's unit)."""
    unit = units is not None
    return csv_text(
        [UNIT_HEADER, *CSV_HEADER] if unit else CSV_HEADER,
        (
            [
                *([units.get(r.client_id, "")] if units is not None else []),
                format_date(r.event_on),
                r.location,
                r.service,
                r.waste_description,
                r.waste_class,
                r.quantity.replace(".", ",") if r.quantity else "",
                r.unit,
                r.status_label,
                r.mtr_number,
                r.mtr_status,
                r.external_id if r.has_ticket else "",
            ]
            for r in rows
        ),
    )


def _export_name(period: Period) -> str:
    return f"coletas-{period.start.isoformat()}-a-{period.end.isoformat()}.csv"


@get("/coletas/exportar", include_in_schema=False)
async def coletas_csv(request: Request, client: NamedDependency[ClientSession]) -> Response[Any]:
    """The filtered list as CSV (UTF-8 with BOM, so Excel reads the accents)."""
    settings: Settings = request.app.state.settings
    query = parse_query(request, _today(settings))
    scope, _ = unit.chosen(request, client)
    rows = await coletas.export_rows(scope, query.filters)
    labels = unit.labels(client)
    # Up to coletas.EXPORT_LIMIT rows (~10 MB): built off the event loop.
    body = await asyncio.to_thread(lambda: ("\ufeff" + export_csv(rows, labels)).encode("utf-8"))
    return file_response(
        body,
        "text/csv; charset=utf-8",
        _export_name(query.filters.period),
        inline=False,
        cache_control="no-store",
    )


@get("/coletas/{collection_id:int}/ticket.pdf", include_in_schema=False)
async def ticket_pdf(
    request: Request, client: NamedDependency[ClientSession], collection_id: PathId
) -> Response[bytes]:
    """The ticket, opened in the browser; rendered once per content and then read from disk."""
    settings: Settings = request.app.state.settings
    ticket = await coletas.ticket(client.scope, collection_id, settings)
    if ticket is None:
        raise NotFoundException()
    cache_dir = settings.data_dir / "cache" / "tickets"
    body = await asyncio.to_thread(render_cached, ticket, settings.tz, cache_dir)
    name = f"ticket-{ticket.number}.pdf"
    return file_response(body, "application/pdf", name, cache_control="private, no-cache")


@get("/coletas/{collection_id:int}/fotos/{photo_id:int}", include_in_schema=False)
async def photo(
    request: Request,
    client: NamedDependency[ClientSession],
    collection_id: PathId,
    photo_id: PathId,
) -> Response[bytes]:
    """A photo of one of the client's collections (the downscaled JPEG the ticket embeds)."""
    settings: Settings = request.app.state.settings
    path = await coletas.photo_file(client.scope, collection_id, photo_id, settings)
    if path is None:
        raise NotFoundException()
    body = await read_or_404(path)
    return file_response(body, "image/jpeg", cache_control="private, max-age=86400")


@get("/coletas/cdf/{certificate_id:int}", include_in_schema=False)
async def certificate_pdf(
    request: Request, client: NamedDependency[ClientSession], certificate_id: PathId
) -> Response[bytes]:
    """A CDF's PDF, downloaded with its number in the file name."""
    settings: Settings = request.app.state.settings
    found = await coletas.certificate_file(client.scope, certificate_id, settings)
    if found is None:
        raise NotFoundException()
    number, path = found
    body = await read_or_404(path)
    return file_response(
        body,
        "application/pdf",
        f"cdf-{number}.pdf",
        inline=False,
        cache_control="private, no-cache",
    )


@get("/coletas/cdf/{certificate_id:int}/mtrs", include_in_schema=False)
async def certificate_page(
    request: Request, client: NamedDependency[ClientSession], certificate_id: PathId
) -> Response[str]:
    """A CDF and the MTRs it covers, each with its collection's ticket: a fragment that opens
    in place on the Coletas page, or a page of its own."""
    detail = await coletas.certificate(client.scope, certificate_id)
    if detail is None:
        raise NotFoundException()
    return page(
        request,
        "cdf.html",
        {"client": client, "cdf": detail.certificate, "mtrs": detail.mtrs},
        fragment="partials/cdf.html",
    )


ROUTES = [coletas_page, coletas_csv, ticket_pdf, photo, certificate_pdf, certificate_page]
