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
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, get
from litestar.response import Response

from espaco.domain import whatsapp
from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_date
from espaco.domain.periods import Period, last_days, parse_period
from espaco.pdf.ticket import render_cached
from espaco.services import page_cache
from espaco.services.collections import coletas
from espaco.services.collections import filters as collection_filters
from espaco.services.collections.filters import Filters
from espaco.settings import Settings
from espaco.web import charts
from espaco.web import unidade as unit
from espaco.web.auth import clock_of
from espaco.web.downloads import csv_text, file_response, read_or_404
from espaco.web.guards import Client, client_only
from espaco.web.pages import is_fragment_request, page
from espaco.web.params import PathId, query_id

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


# The situação filter's options: (URL spelling, label).
SITUACAO_OPTIONS = [
    (slug, collection_filters.STATUS_LABELS[status])
    for slug, status in collection_filters.SITUACOES.items()
]


@get("/coletas", include_in_schema=False, guards=[client_only])
async def coletas_page(request: Request, client: Client) -> Response[str]:
    """The page; for htmx, the results (filters) or the next rows ("Carregar mais")."""
    query = parse_query(request, clock_of(request).today())
    scope, unidade = unit.chosen(request, client)
    query = replace(query, unidade=unidade)
    after = coletas.Cursor.parse(request.query_params.get("pagina"))
    rows_only = after is not None and is_fragment_request(request)
    data = await coletas.view(
        scope, query.filters, after, rows_only=rows_only, version=unit.version(client, scope),
        places=client.scope,
    )  # fmt: skip
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
    chart = page_cache.derived(charts.per_month, data.summary.months) if data.summary else None
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
        "units": labels,
        "share": TicketShare.of(request.app.state.settings),
        "certificate_limit": coletas.CERTIFICATE_LIMIT,
        "chart": chart,
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


@dataclass(frozen=True)
class TicketShare:
    """The "Enviar pelo WhatsApp" link of each row's ticket: ``whatsapp.link(ticket_text(…))``
    built from cached encoded pieces (day and place repeat from row to row, the rest is
    constant), since percent-encoding each row's whole text cost ~36 µs a row, more than the
    rest of the row."""

    provider: str
    base_url: str

    @classmethod
    def of(cls, settings: Settings) -> TicketShare:
        return cls(settings.provider_name, settings.base_url.rstrip("/"))

    def link(self, collection_id: int, day: date, place: str) -> str:
        """The link of one row's ticket (called by the row macro, macros/coletas.html)."""
        before, after, tail = _share_parts(self.provider, place)
        prefix, suffix = _share_url(self.base_url)
        return f"{before}{_share_day(day)}{after}{prefix}{collection_id}{suffix}{tail}"


_SENTINEL = "\x00"
_SOME_DAY = date(2000, 1, 1)


@lru_cache(maxsize=4096)
def _share_parts(provider: str, place: str) -> tuple[str, str, str]:
    """The link's text encoded around its day and its ticket URL: before the day, from the day
    to the URL, after the URL. Percent-encoding is per character, so encoding the pieces and
    joining them gives the encoding of the whole; the pieces repeat for every row of one place,
    the day for every row of one day."""
    head, tail = whatsapp.ticket_text(provider, _SOME_DAY, place, _SENTINEL).split(_SENTINEL)
    before, after = head.split(format_date(_SOME_DAY), 1)  # the day comes before the place
    return whatsapp.BASE + quote(before, safe=""), quote(after, safe=""), quote(tail, safe="")


@lru_cache(maxsize=4096)
def _share_day(day: date) -> str:
    return quote(format_date(day), safe="")


@lru_cache(maxsize=8)
def _share_url(base_url: str) -> tuple[str, str]:
    return quote(f"{base_url}/coletas/", safe=""), quote("/ticket.pdf", safe="")


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


@get("/coletas/exportar", include_in_schema=False, guards=[client_only])
async def coletas_csv(request: Request, client: Client) -> Response[Any]:
    """The filtered list as CSV (UTF-8 with BOM, so Excel reads the accents)."""
    query = parse_query(request, clock_of(request).today())
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


@get("/coletas/{collection_id:int}/ticket.pdf", include_in_schema=False, guards=[client_only])
async def ticket_pdf(request: Request, client: Client, collection_id: PathId) -> Response[bytes]:
    """The ticket, opened in the browser; rendered once per content and then read from disk."""
    settings: Settings = request.app.state.settings
    ticket = await coletas.ticket(client.scope, collection_id, settings)
    cache_dir = settings.data_dir / "cache" / "tickets"
    body = await asyncio.to_thread(render_cached, ticket, settings.tz, cache_dir)
    name = f"ticket-{ticket.number}.pdf"
    return file_response(body, "application/pdf", name, cache_control="private, no-cache")


@get(
    "/coletas/{collection_id:int}/fotos/{photo_id:int}",
    include_in_schema=False,
    guards=[client_only],
)
async def photo(
    request: Request,
    client: Client,
    collection_id: PathId,
    photo_id: PathId,
) -> Response[bytes]:
    """A photo of one of the client's collections (the downscaled JPEG the ticket embeds)."""
    settings: Settings = request.app.state.settings
    path = await coletas.photo_file(client.scope, collection_id, photo_id, settings)
    body = await read_or_404(path)
    return file_response(body, "image/jpeg", cache_control="private, max-age=86400")


@get("/coletas/cdf/{certificate_id:int}", include_in_schema=False, guards=[client_only])
async def certificate_pdf(
    request: Request, client: Client, certificate_id: PathId
) -> Response[bytes]:
    """A CDF's PDF, downloaded with its number in the file name."""
    settings: Settings = request.app.state.settings
    found = await coletas.certificate_file(client.scope, certificate_id, settings)
    number, path = found
    body = await read_or_404(path)
    return file_response(
        body,
        "application/pdf",
        f"cdf-{number}.pdf",
        inline=False,
        cache_control="private, no-cache",
    )


@get("/coletas/cdf/{certificate_id:int}/mtrs", include_in_schema=False, guards=[client_only])
async def certificate_page(
    request: Request, client: Client, certificate_id: PathId
) -> Response[str]:
    """A CDF and the MTRs it covers, each with its collection's ticket: a fragment that opens
    in place on the Coletas page, or a page of its own."""
    detail = await coletas.certificate(client.scope, certificate_id)
    return page(
        request,
        "cdf.html",
        {"client": client, "cdf": detail.certificate, "mtrs": detail.mtrs},
        fragment="partials/cdf.html",
    )


ROUTES = [coletas_page, coletas_csv, ticket_pdf, photo, certificate_pdf, certificate_page]
