"""The Dossiê de fiscalização: one ZIP, for a period and place, of every ticket PDF, CDF PDF,
nota PDF and XML, the Relatório de resíduos (CSV and PDF) and an ``index.html`` linking them —
what a generator shows an inspector.

The ZIP is streamed: ``zipfile`` writes into a sink that is drained after every piece, so the
process never holds more than one stored file (read in 1 MiB pieces) and the ZIP's own
bookkeeping (the central directory, ~100 bytes a file). PDFs, photos and XML-sized things
that are already compressed are stored, not deflated again; text files are deflated.
File reads, ticket rendering and the zip writes run in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import re
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final, NamedTuple

from espaco.db import Record, database, read
from espaco.db.read import Query
from espaco.domain.fiscal import FISCAL_KIND_LABELS
from espaco.domain.periods import Period
from espaco.pdf.ticket import TicketData, render_cached
from espaco.services.collections import coletas
from espaco.services.collections.filters import Filters, where_clause
from espaco.services.operations.media import MediaError, media_path
from espaco.settings import Settings

PIECE: Final = 1 << 20  # bytes read from a stored file at a time
TICKET_BATCH: Final = 200  # tickets whose data is read at once
TICKET_ESTIMATE: Final = 12_000  # a ticket without photos, bytes; photos are added as stored
_STORED_SUFFIXES: Final = (".pdf", ".jpg", ".jpeg", ".png", ".zip")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(text: str) -> str:
    """A name part that no unzip tool reads as a path: runs of other characters become ``-``."""
    return _UNSAFE.sub("-", text).strip("-.") or "arquivo"


@dataclass(frozen=True)
class Entry:
    """One file of the dossier: its name in the ZIP, what it is, where its bytes come from."""

    name: str
    section: str  # tickets | cdf | notas
    label: str
    path: Path | None = None  # a stored file
    collection_id: int | None = None  # a ticket, rendered (or read from the ticket cache)
    size: int = 0  # bytes (an estimate for a ticket not rendered yet)


@dataclass
class Plan:
    """What the dossier of one client, period and place will hold."""

    period: Period
    location_id: int | None
    entries: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # named in the data, file absent

    def count(self, section: str) -> int:
        return sum(e.section == section for e in self.entries)

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries)


class _Ticket(NamedTuple):
    id: int
    external_id: str
    event_on: date
    signature_path: str | None


_TICKETS = Query(
    _Ticket, "SELECT c.id, c.external_id, c.event_on, c.signature_path FROM collection c WHERE "
)
_PHOTOS_SQL = (
    "SELECT p.path FROM collection_photo p JOIN collection c ON c.id = p.collection WHERE "
)
# ``m.client = ce.client`` always holds (the import writes a certificate's MTRs with its client)
# and lets both engines read the client's MTRs through ``certificate_mtr_client``. DISTINCT gives
# PostgreSQL the period's MTR count, which it otherwise took for 1 and probed ``collection`` once
# for every MTR of the client's CDFs: 36 ms, now 7-11 ms, for the measured client when 2,000
# clients have CDFs (bench/explain_pages.py, docs/benchmarks.md). SQLite dedupes an IN list by
# itself, and DISTINCT made it walk the client's collections by MTR number: 5.1 ms against
# 2.0 ms without it (12.7 ms before, by certificate).
_CDF_SQL = (
    "SELECT DISTINCT ce.id, ce.number, ce.pdf_path FROM certificate ce"
    " JOIN certificate_mtr m ON m.certificate = ce.id AND m.client = ce.client"
    " WHERE ce.client = {{}} AND m.mtr_number IN"
    " (SELECT {distinct}c.mtr_number FROM collection c WHERE "
)
_CDF_SQL_BY_ENGINE = {
    "sqlite": _CDF_SQL.format(distinct=""),
    "postgres": _CDF_SQL.format(distinct="DISTINCT "),
}
_NOTAS_SQL = (
    "SELECT f.id, f.kind, f.number, f.pdf_path, f.xml_path FROM fiscal_document f"
    " JOIN invoice i ON i.id = f.invoice WHERE f.client = {}"
    " AND i.reference_start <= {} AND i.reference_end >= {} ORDER BY f.issued_at, f.id"
)


def _stat(settings: Settings, rel: str | None) -> tuple[Path | None, int]:
    if not rel:
        return None, 0
    try:
        path = media_path(settings, rel)
        return path, path.stat().st_size
    except (MediaError, OSError):
        return None, 0


async def plan(client_id: int, period: Period, location_id: int | None, settings: Settings) -> Plan:
    """The dossier's files (sizes from the disk, a ticket's estimated from its photos)."""
    where, args = where_clause(client_id, Filters(period, location_id))
    where += " AND c.status IN ('done', 'validated')"
    tickets = await read.rows(_TICKETS + (where + " ORDER BY c.event_on, c.id"), *args)
    photos = await database.fetch(_PHOTOS_SQL + where, *args)
    cdf_sql = _CDF_SQL_BY_ENGINE[database.current_engine().engine_type]
    cdfs = await database.fetch(
        cdf_sql + where + " AND c.mtr_number IS NOT NULL) ORDER BY ce.number, ce.id",
        client_id, *args,
    )  # fmt: skip
    notas = await database.fetch(_NOTAS_SQL, client_id, period.end, period.start)
    return await asyncio.to_thread(_plan, settings, period, location_id, tickets, photos, cdfs,
                                   notas)  # fmt: skip


def _plan(
    settings: Settings,
    period: Period,
    location_id: int | None,
    tickets: list[_Ticket],
    photos: list[Record],
    cdfs: list[Record],
    notas: list[Record],
) -> Plan:
    result = Plan(period, location_id)
    photo_bytes = sum(_stat(settings, p[0])[1] for p in photos)
    signature_bytes = sum(_stat(settings, t[3])[1] for t in tickets)
    per_ticket = (photo_bytes + signature_bytes) // max(len(tickets), 1)
    for id_, external_id, event_on, _ in tickets:
        day = event_on.isoformat()
        name = f"tickets/{day}-{safe_filename(external_id)}.pdf"
        result.entries.append(
            Entry(name, "tickets", f"Ticket {external_id} ({event_on:%d/%m/%Y})",
                  collection_id=id_, size=TICKET_ESTIMATE + per_ticket)
        )  # fmt: skip
    for id_, number, pdf_path in cdfs:
        path, size = _stat(settings, pdf_path)
        label = f"CDF {number}"
        if path is None:
            result.missing.append(label)
            continue
        name = f"cdf/cdf-{safe_filename(number)}-{id_}.pdf"
        result.entries.append(Entry(name, "cdf", label, path=path, size=size))
    for id_, kind, number, pdf_path, xml_path in notas:
        kind_label = FISCAL_KIND_LABELS[kind]
        stem = f"notas/{kind_label}-{safe_filename(number)}-{id_}"
        for suffix, rel in (("pdf", pdf_path), ("xml", xml_path)):
            label = f"{kind_label} nº {number} ({suffix.upper()})"
            path, size = _stat(settings, rel)
            if path is None:
                if rel:
                    result.missing.append(label)
                continue
            result.entries.append(Entry(f"{stem}.{suffix}", "notas", label, path=path, size=size))
    return result


class _Sink:
    """Where zipfile writes: kept until drained (zipfile counts the position itself, since
    the sink cannot seek, and writes each file's sizes after its data)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _info(name: str, day: date) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
    stored = name.lower().endswith(_STORED_SUFFIXES)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


async def stream(
    the_plan: Plan,
    extra: list[tuple[str, bytes]],
    client_id: int,
    settings: Settings,
    today: date,
) -> AsyncIterator[bytes]:
    """The ZIP, piece by piece: first ``extra`` (index, report CSV and PDF), then the plan's
    files. A file that vanished since the plan is left out (the index still names it)."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w")  # type: ignore[call-overload]  # a writable sink is enough
    cache_dir = settings.data_dir / "cache" / "tickets"
    for name, data in extra:
        await asyncio.to_thread(archive.writestr, _info(name, today), data)
        yield sink.drain()
    batch: dict[int, TicketData] = {}
    for index, entry in enumerate(the_plan.entries):
        if entry.collection_id is not None:
            if entry.collection_id not in batch:  # the next few hundred, in two queries
                upcoming = the_plan.entries[index : index + TICKET_BATCH]
                ids = [e.collection_id for e in upcoming if e.collection_id is not None]
                batch = await coletas.tickets((client_id,), ids, settings)
            ticket = batch.pop(entry.collection_id, None)
            if ticket is None:
                continue
            pdf = await asyncio.to_thread(render_cached, ticket, settings.tz, cache_dir)
            await asyncio.to_thread(archive.writestr, _info(entry.name, today), pdf)
            del pdf
            yield sink.drain()
            continue
        if entry.path is None:
            continue
        try:
            handle = await asyncio.to_thread(entry.path.open, "rb")
        except OSError:
            continue
        try:
            target = await asyncio.to_thread(archive.open, _info(entry.name, today), "w")
            while piece := await asyncio.to_thread(handle.read, PIECE):
                await asyncio.to_thread(target.write, piece)
                yield sink.drain()
            await asyncio.to_thread(target.close)
        finally:
            handle.close()
        yield sink.drain()
    await asyncio.to_thread(archive.close)
    yield sink.drain()
