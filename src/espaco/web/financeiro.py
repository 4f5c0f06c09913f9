"""Financeiro: ``/financeiro`` (totals, chart and closures of a period), an invoice's fiscal
document (``/financeiro/{id}/nota`` and its PDF/XML) and boleto (``/financeiro/{id}/boleto`` and
its PDF). Ids are looked up within the session's client: another client's id answers 404."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Response
from markupsafe import Markup

from espaco.domain import whatsapp
from espaco.domain.errors import DomainError, NotFound
from espaco.domain.periods import PRESETS, Period, parse_period, preset_period
from espaco.services import page_cache
from espaco.services.billing import financeiro
from espaco.services.operations.media import MediaError, media_path
from espaco.settings import Settings
from espaco.web import charts
from espaco.web import financeiro_view as payment
from espaco.web import unidade as unit
from espaco.web.auth import clock_of
from espaco.web.downloads import file_response, read_or_404
from espaco.web.guards import Client, client_only
from espaco.web.pages import page
from espaco.web.params import PathId, page_number

DEFAULT_PRESET = "este-ano"


def _query(request: Request, name: str) -> str:
    return str(request.query_params.get(name, ""))[:20]


def choose_period(request: Request, today: date) -> tuple[Period, str, str | None]:
    """The period of the query: ``inicio``/``fim`` (either blank takes the default's side), or a
    ``periodo`` preset, or this year; returns (period, preset key or "", error message)."""
    default = preset_period(DEFAULT_PRESET, today)
    inicio, fim, preset = (
        _query(request, "inicio"),
        _query(request, "fim"),
        _query(request, "periodo"),
    )
    if inicio.strip() or fim.strip():
        try:
            period = parse_period(inicio, fim, default)
        except DomainError as error:
            return default, DEFAULT_PRESET, error.message
        return period, next((k for k in PRESETS if preset_period(k, today) == period), ""), None
    if preset in PRESETS:
        return preset_period(preset, today), preset, None
    return default, DEFAULT_PRESET, None


def period_url(period: Period, page_number: int = 1, unidade: int | None = None) -> str:
    params = {"inicio": period.start.isoformat(), "fim": period.end.isoformat()}
    if page_number > 1:
        params["pagina"] = str(page_number)
    if unidade is not None:
        params["unidade"] = str(unidade)
    return "/financeiro?" + urlencode(params)


@lru_cache(maxsize=4)
def preset_links(today: date) -> dict[str, tuple[str, str]]:
    """The preset tabs (key: (label, url)) for ``today``; cached, as they change once a day.
    Templates only read the dict."""
    return {k: (label, period_url(preset_period(k, today))) for k, label in PRESETS.items()}


def unit_preset_links(today: date, unidade: int | None) -> dict[str, tuple[str, str]]:
    """The preset tabs, keeping a group's chosen unit."""
    if unidade is None:
        return preset_links(today)
    return {
        k: (label, f"{url}&unidade={unidade}") for k, (label, url) in preset_links(today).items()
    }


def _charts(chart: list[financeiro.ChartMonth]) -> tuple[Markup, Markup, str]:
    """The period's chart, its table of values and its months' range: made once for each kept
    read (``page_cache.derived``)."""
    months = [(m.year, m.month, m.billed_cents, m.paid_cents) for m in chart]
    return (
        charts.billed_and_paid(months),
        charts.billed_and_paid_table(months),
        charts.month_range(months),
    )


@get("/financeiro", include_in_schema=False, guards=[client_only])
async def financeiro_page(request: Request, client: Client) -> Response[str]:
    """The period's totals, the 12-month chart and the closures, 25 a page."""
    today = clock_of(request).today()
    period, preset, error = choose_period(request, today)
    number = page_number(_query(request, "pagina"))
    scope, unidade = unit.chosen(request, client)
    data = await financeiro.financeiro(
        scope, period, today, number, version=unit.version(client, scope)
    )
    chart, chart_table, chart_range = page_cache.derived(_charts, data.chart)
    context = {
        "client": client,
        "unidade": unidade,
        "f": data,
        "units": unit.labels(client),
        "preset": preset,
        "presets": unit_preset_links(today, unidade),
        "period_url": period_url,
        "error": error,
        "chart": chart,
        "chart_table": chart_table,
        "chart_range": chart_range,
    }
    return page(
        request,
        "financeiro.html",
        context,
        fragment="partials/financeiro_periodo.html",
        status_code=422 if error else 200,
    )


@get("/financeiro/{invoice_id:int}/nota", include_in_schema=False, guards=[client_only])
async def nota_page(request: Request, client: Client, invoice_id: PathId) -> Response[str]:
    """The fiscal document: a fragment that opens in place, or a page of its own."""
    nota = await financeiro.fiscal_document(client.scope, invoice_id)
    return page(
        request,
        "nota.html",
        {"client": client, "nota": nota, "back": request.headers.get("referer", "")},
        fragment="partials/nota.html",
    )


async def _media(settings: Settings, rel: str) -> bytes:
    try:
        path = media_path(settings, rel)
    except MediaError as error:
        raise NotFound() from error
    return await read_or_404(path)


@get("/financeiro/{invoice_id:int}/nota.pdf", include_in_schema=False, guards=[client_only])
async def nota_pdf(request: Request, client: Client, invoice_id: PathId) -> Response[bytes]:
    """The PDF the ERP supplied or, where it sent only the XML, a DANFSe-like summary."""
    settings: Settings = request.app.state.settings
    nota = await financeiro.fiscal_document(client.scope, invoice_id)
    name = f"{nota.kind_label}-{nota.number}.pdf"
    if nota.pdf_path:
        return file_response(await _media(settings, nota.pdf_path), "application/pdf", name)
    if not nota.xml_path:
        raise NotFound()
    return file_response(
        await asyncio.to_thread(payment.nota_pdf, nota, settings), "application/pdf", name
    )


@get("/financeiro/{invoice_id:int}/nota.xml", include_in_schema=False, guards=[client_only])
async def nota_xml(request: Request, client: Client, invoice_id: PathId) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    nota = await financeiro.fiscal_document(client.scope, invoice_id)
    if not nota.xml_path:
        raise NotFound()
    data = await _media(settings, nota.xml_path)
    return file_response(
        data, "application/xml", f"{nota.kind_label}-{nota.number}.xml", inline=False
    )


@get("/financeiro/{invoice_id:int}/boleto", include_in_schema=False, guards=[client_only])
async def boleto_page(request: Request, client: Client, invoice_id: PathId) -> Response[str]:
    """The linha digitável to copy, the PIX QR and copia-e-cola, and the link to the PDF."""
    settings: Settings = request.app.state.settings
    boleto = await financeiro.boleto(client.scope, invoice_id)
    pix = payment.pix_for(boleto, settings) if boleto.payable else None
    line = payment.printed_line(boleto)
    share = whatsapp.link(
        whatsapp.boleto_text(settings.provider_name, boleto.amount_cents, boleto.due_on, line)
    )
    return page(
        request,
        "boleto.html",
        {"client": client, "boleto": boleto, "pix": pix, "line": line, "whatsapp_url": share},
    )


@get("/financeiro/{invoice_id:int}/boleto.pdf", include_in_schema=False, guards=[client_only])
async def boleto_pdf(request: Request, client: Client, invoice_id: PathId) -> Response[bytes]:
    """The ficha de compensação; paid and cancelled invoices have no payable boleto (404)."""
    settings: Settings = request.app.state.settings
    boleto = await financeiro.boleto(client.scope, invoice_id)
    if not boleto.payable:
        raise NotFound()
    data = await asyncio.to_thread(payment.boleto_pdf, boleto, settings)
    return file_response(data, "application/pdf", f"boleto-{boleto.invoice_external_id}.pdf")


ROUTES = [financeiro_page, nota_page, nota_pdf, nota_xml, boleto_page, boleto_pdf]
