"""``/coletas/relatorio``: the Relatório de resíduos on screen (htmx filters, a plain GET
without JavaScript), as CSV and as PDF, with the client's pendências.

The client comes from the session; the place filter is looked up among its own places.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.exceptions import HTTPException
from litestar.response import Response

from espaco.domain.dmr import dmr_period, dmr_presets, last_closed_quarter
from espaco.domain.documents import mask_document
from espaco.domain.errors import DomainError, NotFound
from espaco.domain.periods import Period, parse_period
from espaco.pdf.waste_report import ReportHeader, render_report
from espaco.services.access.sessions import ClientSession
from espaco.services.collections import coletas, pendencias, pendencias_email, waste_report
from espaco.settings import Settings
from espaco.web import unidade as unidades
from espaco.web.auth import clock_of
from espaco.web.downloads import csv_text, file_response
from espaco.web.guards import Client, client_only
from espaco.web.pages import page
from espaco.web.params import query_id
from espaco.web.portal_auth import Form
from espaco.web.redirects import redirect

# Routes whose ``local`` query parameter names one of the client's places: another client's
# place answers 404 (tests/web/test_cross_client.py finds them by this option).
PLACE_QUERY: Final = {"place_query": "local"}
CSV_HEADER = [
    "Código IBAMA", "Resíduo", "Classe", "Estado físico", "Perigoso", "Quantidade", "Unidade",
    "Coletas", "Transportador", "Destinador", "Tratamento", "MTRs", "CDFs",
]  # fmt: skip


@dataclass(frozen=True)
class ReportQuery:
    """The filters as the URL gave them (echoed into the form) and as parsed."""

    periodo: str  # a DMR preset key, or ""
    inicio: str
    fim: str
    local: str
    period: Period
    location_id: int | None
    errors: dict[str, str]
    unidade: int | None = None  # a group's unit (chosen in the session's scope by web.unidade)

    def params(self) -> str:
        values = {
            "periodo": self.periodo,
            "inicio": "" if self.periodo else self.period.start.isoformat(),
            "fim": "" if self.periodo else self.period.end.isoformat(),
            "local": str(self.location_id or ""),
            "unidade": str(self.unidade or ""),
        }
        return urlencode({k: v for k, v in values.items() if v})

    def label(self) -> str:
        return dmr_period(self.periodo).label if self.periodo else ""


def parse_query(request: Request, day: date) -> ReportQuery:
    """A DMR preset (``periodo``) or dates (``inicio``, ``fim``, the existing period rules);
    by default the last closed quarter. A bad value is reported and replaced by its default."""
    params = request.query_params
    periodo, local = params.get("periodo", "")[:20].strip(), params.get("local", "")[:20]
    inicio, fim = params.get("inicio", "")[:20], params.get("fim", "")[:20]
    errors: dict[str, str] = {}
    default = last_closed_quarter(day.year, day.month)
    period = default.period
    if periodo:
        try:
            preset = dmr_period(periodo)
            periodo, period = preset.key, preset.period
        except DomainError as error:
            errors["periodo"] = error.message
            periodo = ""
    elif inicio.strip() or fim.strip():
        try:
            period = parse_period(inicio, fim, default.period)
        except DomainError as error:
            errors["periodo"] = error.message
    else:
        periodo = default.key
    location_id: int | None = None
    if local.strip():
        location_id = query_id(local)
        if location_id is None:
            errors["local"] = "Local inválido"
    unidade = query_id(params.get("unidade", "")[:20])
    return ReportQuery(periodo, inicio, fim, local, period, location_id, errors, unidade)


def preset_options(day: date) -> list[tuple[str, str]]:
    """This year's and last year's quarters and semesters that have begun, newest first."""
    presets = [*dmr_presets(day.year), *dmr_presets(day.year - 1)]
    started = [p for p in presets if p.period.start <= day]
    started.sort(key=lambda p: (p.period.start, -p.period.days), reverse=True)
    return [(p.key, p.label) for p in started]


async def report_and_places(
    client: ClientSession, query: ReportQuery
) -> tuple[waste_report.Report, list[coletas.LocationOption], dict[str, str]]:
    places = await coletas.locations((client.client_id,))
    if query.location_id is not None and query.location_id not in {p.id for p in places}:
        raise NotFound()  # another client's place is simply not found
    report = await waste_report.report(client.client_id, query.period, query.location_id)
    return report, places, dict(query.errors)


@get("/coletas/relatorio", include_in_schema=False, guards=[client_only], opt=PLACE_QUERY)
async def report_page(request: Request, client: Client) -> Response[str]:
    """The report page; for htmx, the results under the filters."""
    settings: Settings = request.app.state.settings
    client = await unidades.narrowed(request, client)
    day = clock_of(request).today()
    query = parse_query(request, day)
    report, places, errors = await report_and_places(client, query)
    found = await pendencias.pendencias(
        client.client_id, day, cdf_wait_days=settings.cdf_wait_days,
        mtr_saved_days=settings.mtr_saved_days, location_id=report.location_id,
    )  # fmt: skip
    context: dict[str, Any] = {
        "client": client,
        "query": query,
        "errors": errors,
        "report": report,
        "places": places,
        "presets": preset_options(day),
        "pendencias": found,
        "aviso_semanal": await pendencias_email.is_enabled(client.client_id),
        "quantity_text": waste_report.quantity_text,
    }
    return page(
        request,
        "relatorio.html",
        context,
        fragment="partials/relatorio_resultado.html",
        status_code=422 if errors else 200,
    )


def report_csv(report: waste_report.Report) -> str:
    """One row per waste and unit, as Excel in Brazil opens it (``;``, decimal comma), every
    cell through the one formula guard (``downloads.csv_text``)."""
    rows = []
    for line in report.lines:
        units: list[tuple[str, Decimal | None]] = [*line.quantities.items()] or [("", None)]
        for unit, total in units:
            rows.append(
                [
                    line.ibama_code,
                    line.description,
                    line.waste_class,
                    line.physical_state,
                    "Sim" if line.hazardous else "Não",
                    "" if total is None else waste_report.quantity_text(total).replace(".", ","),
                    unit,
                    line.collections,
                    " | ".join(line.transporters),
                    " | ".join(line.receivers),
                    " | ".join(line.treatments),
                    " ".join(line.mtrs),
                    " ".join(line.cdfs),
                ]
            )
    return csv_text(CSV_HEADER, rows)


def file_query(request: Request, day: date) -> ReportQuery:
    """The filters of a file download: a bad one answers 400 rather than another period's file
    (the page's links only carry good ones)."""
    query = parse_query(request, day)
    if query.errors:
        raise HTTPException(status_code=400, detail=next(iter(query.errors.values())))
    return query


def _name(report: waste_report.Report, ext: str) -> str:
    return f"relatorio-residuos-{report.period.start.isoformat()}-a-{report.period.end}.{ext}"


@get("/coletas/relatorio.csv", include_in_schema=False, guards=[client_only], opt=PLACE_QUERY)
async def report_csv_file(request: Request, client: Client) -> Response[bytes]:
    client = await unidades.narrowed(request, client)
    report, _, _ = await report_and_places(client, file_query(request, clock_of(request).today()))
    body = ("\ufeff" + report_csv(report)).encode("utf-8")
    return file_response(body, "text/csv; charset=utf-8", _name(report, "csv"), inline=False,
                         cache_control="no-store")  # fmt: skip


@get("/coletas/relatorio.pdf", include_in_schema=False, guards=[client_only], opt=PLACE_QUERY)
async def report_pdf_file(request: Request, client: Client) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    client = await unidades.narrowed(request, client)
    day = clock_of(request).today()
    report, places, _ = await report_and_places(client, file_query(request, day))
    place = next((p.label for p in places if p.id == report.location_id), "Todos os locais")
    header = ReportHeader(
        client.client_name, mask_document(client.document), settings.provider_name, place, day
    )
    body = await asyncio.to_thread(render_report, report, header)
    return file_response(body, "application/pdf", _name(report, "pdf"), cache_control="no-store")


@post("/coletas/relatorio/aviso", include_in_schema=False, guards=[client_only])
async def weekly_email_choice(request: Request, client: Client, data: Form) -> Response[str]:
    """Turn the weekly pendências e-mail off (``aviso=nao``) or back on (``aviso=sim``)."""
    await pendencias_email.set_enabled(client.client_id, str(data.get("aviso", "")) == "sim")
    return redirect(request, "/coletas/relatorio#pendencias")


ROUTES = [report_page, report_csv_file, report_pdf_file, weekly_email_choice]
