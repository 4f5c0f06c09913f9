"""``/coletas/dossie``: what the Dossiê de fiscalização of a period and place will hold and how
big it is, and ``/coletas/dossie.zip``, the ZIP itself, streamed (see services/collections/dossier).

Same filters as the Relatório de resíduos (a DMR preset or dates, a place); another client's
place answers 404. At most ``MAX_RUNNING`` dossiers are built at once per process: each one
renders tickets and reads files for as long as the download lasts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Final

from litestar import Request, get
from litestar.exceptions import HTTPException
from litestar.response import Response, Stream

from espaco.domain.documents import mask_document
from espaco.domain.formatting import format_int_br
from espaco.pdf.waste_report import ReportHeader, render_report
from espaco.services.access.sessions import ClientSession
from espaco.services.collections import dossier
from espaco.settings import Settings
from espaco.web import unidade as unidades
from espaco.web.auth import clock_of
from espaco.web.downloads import safe_filename
from espaco.web.guards import Client, client_only
from espaco.web.pages import page
from espaco.web.relatorio import (
    PLACE_QUERY,
    parse_query,
    report_and_places,
    report_csv,
)
from espaco.web.templating import render

MAX_RUNNING: Final = 2
_running = 0


def size_text(size: int) -> str:
    """``1,5 MB``, ``820 KB``: the order of magnitude a person needs before a download."""
    if size >= 1_000_000:
        whole, tenth = divmod(round(size / 100_000), 10)
        return f"{format_int_br(whole)},{tenth} MB"
    return f"{max(1, round(size / 1000))} KB"


async def _gather(request: Request, client: ClientSession) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    day = clock_of(request).today()
    query = parse_query(request, day)
    report, places, errors = await report_and_places(client, query)
    plan = await dossier.plan(client.client_id, report.period, report.location_id, settings)
    place = next((p.label for p in places if p.id == report.location_id), "Todos os locais")
    return {"client": client, "query": query, "errors": errors, "report": report,
            "plan": plan, "place": place, "day": day, "settings": settings,
            "size": size_text(plan.size + 40_000 + 2_000 * len(plan.entries))}  # fmt: skip


@get("/coletas/dossie", include_in_schema=False, guards=[client_only], opt=PLACE_QUERY)
async def dossier_page(request: Request, client: Client) -> Response[str]:
    """What the ZIP will hold and about how big it is, with the link that downloads it."""
    client = await unidades.narrowed(request, client)
    context = await _gather(request, client)
    return page(request, "dossie.html", context, status_code=422 if context["errors"] else 200)


def _index(request: Request, context: dict[str, Any]) -> bytes:
    html = render(request.app.state.templates, "dossie_index.html", context)
    return html.encode("utf-8")


@get("/coletas/dossie.zip", include_in_schema=False, guards=[client_only], opt=PLACE_QUERY)
async def dossier_zip(request: Request, client: Client) -> Stream | Response[str]:
    """The ZIP, streamed while it is written."""
    global _running  # noqa: PLW0603 - a per-process count of dossiers being built
    client = await unidades.narrowed(request, client)
    context = await _gather(request, client)
    if context["errors"]:  # say what was wrong rather than zip another period
        return page(request, "dossie.html", context, status_code=422)
    if _running >= MAX_RUNNING:
        raise HTTPException(status_code=503, headers={"Retry-After": "30"})
    settings: Settings = context["settings"]
    report = context["report"]
    header = ReportHeader(client.client_name, mask_document(client.document),
                          settings.provider_name, context["place"], context["day"])  # fmt: skip
    _running += 1
    try:
        pdf = await asyncio.to_thread(render_report, report, header)
    except BaseException:
        _running -= 1
        raise
    extra = [
        ("index.html", _index(request, context)),
        ("relatorio-residuos.csv", ("\ufeff" + report_csv(report)).encode("utf-8")),
        ("relatorio-residuos.pdf", pdf),
    ]
    pieces = dossier.stream(context["plan"], extra, client.client_id, settings, context["day"])

    async def body() -> AsyncIterator[bytes]:
        global _running  # noqa: PLW0603
        try:
            async for piece in pieces:
                if piece:
                    yield piece
        finally:
            _running -= 1

    period = report.period
    name = safe_filename(f"dossie-{period.start.isoformat()}-a-{period.end.isoformat()}.zip")
    return Stream(
        body(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


ROUTES = [dossier_page, dossier_zip]
