"""``import_file`` and ``import_document``: validate everything, store the files, then write
the whole document in one transaction, or nothing at all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine

from espaco import db
from espaco.db import Record
from espaco.db.database import current_engine
from espaco.domain.documents import normalize_document
from espaco.services.billing import nf_notices
from espaco.services.collections import done_email
from espaco.services.imports.fields import Problems
from espaco.services.imports.files import store_files
from espaco.services.imports.model import ImportProblem, ImportResult, Known, ValidDocument
from espaco.services.imports.sql import IN_CHUNK, Sql
from espaco.services.imports.store import Conflict, Writer
from espaco.services.imports.store_collections import write_certificates, write_collections
from espaco.services.imports.store_groups import store_groups
from espaco.services.imports.validate import validate
from espaco.services.operations import outbox
from espaco.services.operations.media import MediaStore
from espaco.settings import Settings

Progress = Callable[[str, int, int], None]


async def import_file(
    path: Path, settings: Settings, *, now: datetime, progress: Progress | None = None
) -> ImportResult:
    """Import an ``espaco-import/1`` JSON file; its ``file`` references are relative to its
    folder. A file that is not valid JSON is a refusal (``invalid_json``, with line and
    column), not an exception."""
    path = Path(path)
    try:
        doc = await asyncio.to_thread(read_json, path)
    except OSError as error:
        return _refused("", "file_missing", f"Arquivo não encontrado ou ilegível: {error.strerror}")
    except json.JSONDecodeError as error:
        return _refused(
            "",
            "invalid_json",
            f"JSON inválido na linha {error.lineno}, coluna {error.colno}: {error.msg}",
        )
    except ValueError as error:
        return _refused("", "invalid_json", f"JSON inválido: {error}")
    # The parsed file is ours: validation may drop each raw record once it has read it.
    return await _import(doc, settings, path.parent, now, progress, consume=True)


async def import_document(
    doc: object,
    settings: Settings,
    *,
    base_dir: Path | None,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a parsed document. ``base_dir`` None (the HTTP API) accepts inline base64 files
    only. ``progress(stage, done, total)`` may be called from a worker thread."""
    return await _import(doc, settings, base_dir, now, progress, consume=False)


async def _import(
    doc: object,
    settings: Settings,
    base_dir: Path | None,
    now: datetime,
    progress: Progress | None,
    *,
    consume: bool,
) -> ImportResult:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    engine = current_engine()
    known = await load_known(engine, doc)
    valid, problems = await asyncio.to_thread(
        validate, doc, known, base_dir=base_dir, tz=settings.tz, progress=progress, consume=consume
    )
    if valid is None:
        return ImportResult(ok=False, problems=problems)
    media = Problems()
    await asyncio.to_thread(store_files, valid.files, MediaStore.for_settings(settings), media)
    if media.items:
        return ImportResult(ok=False, problems=media.items)
    try:
        writer = await write_document(engine, valid, now=now, progress=progress, notify=settings)
    except Conflict as conflict:
        return _refused(conflict.path, "conflict", conflict.message)
    return ImportResult(
        ok=True, counts=writer.counts, new_fiscal_documents=writer.new_fiscal_documents
    )


async def write_document(
    engine: Engine,
    doc: ValidDocument,
    *,
    now: datetime,
    progress: Progress | None = None,
    notify: Settings | None = None,
) -> Writer:
    """Write a validated document in one transaction (``BEGIN IMMEDIATE`` on SQLite); with
    ``notify``, the NF notices of the new fiscal documents and the notices of the collections
    it made done go to the outbox in it too."""
    queued = 0
    async with engine.transaction() as transaction:
        writer = Writer(Sql(engine, transaction.connection), now, progress)
        await writer.clients(doc)
        await store_groups(writer, doc)
        await writer.locations(doc)
        await writer.invoices(doc)
        await write_collections(writer, doc)
        await write_certificates(writer, doc)
        if notify is not None:
            queued += await nf_notices.enqueue_notices(notify, writer.new_fiscal_documents, now=now)
            queued += await done_email.settle(writer.sql, notify, writer.done_collections, now=now)
    if queued:
        outbox.wake()
    return writer


def read_json(path: Path) -> Any:
    """Parse a JSON file (UTF-8, BOM allowed); NaN and Infinity are not JSON."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"o arquivo não está em UTF-8 (byte {error.start})") from error
    del data  # a large file: its bytes need not outlive the decoded text
    return json.loads(text, parse_constant=_no_constant, object_hook=_SharedStrings())


class _SharedStrings:
    """``object_hook`` that makes equal short string values one object.

    An ERP file repeats the same values in every record (situação, unit, service, driver,
    dates): sharing them took the parse of a 100,000-collection file from 300 MB peak to 198 MB.
    """

    MAX_LENGTH = 80

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        seen = self.seen
        for key, value in record.items():
            if type(value) is str and len(value) <= self.MAX_LENGTH:
                record[key] = seen.setdefault(value, value)
        return record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} não é um valor JSON")


def _refused(path: str, code: str, message: str) -> ImportResult:
    return ImportResult(ok=False, problems=[ImportProblem(path, code, message)])


# -- what the database holds that the document refers to ---------------------------------------
def _strings(values: Iterable[Any]) -> list[str]:
    return sorted({v.strip() for v in values if isinstance(v, str) and v.strip()})


def _records(doc: dict[str, Any], section: str) -> list[dict[str, Any]]:
    records = doc.get(section)
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


async def _select_in(engine: Engine, sql: str, values: list[str]) -> list[Record]:
    rows: list[Record] = []
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        text = sql.replace("{in}", ", ".join(["{}"] * len(chunk)))
        rows += await db.fetch(engine, text, *chunk)
    return rows


async def load_known(engine: Engine, doc: object) -> Known:
    """Read, with a few bulk queries, the clients, documents, locations and requests that the
    document's records name (before validating, outside the write transaction)."""
    known = Known()
    if not isinstance(doc, dict):
        return known
    clients = _records(doc, "clients")
    locations = [
        loc
        for client in clients
        if isinstance(client.get("locations"), list)
        for loc in client["locations"]
        if isinstance(loc, dict)
    ]
    collections = _records(doc, "collections")
    client_refs = _strings(
        r.get("client")
        for section in ("invoices", "collections", "certificates")
        for r in _records(doc, section)
    )
    for row in await _select_in(
        engine, "SELECT external_id FROM client WHERE external_id IN ({in})", client_refs
    ):
        known.clients.add(row["external_id"])
    documents = _strings(
        normalize_document(c["document"]) for c in clients if isinstance(c.get("document"), str)
    )
    for row in await _select_in(
        engine, "SELECT external_id, document FROM client WHERE document IN ({in})", documents
    ):
        known.client_by_document[row["document"]] = row["external_id"]
    location_ids = _strings([*(loc.get("external_id") for loc in locations),
                             *(c.get("location") for c in collections)])  # fmt: skip
    for row in await _select_in(
        engine,
        "SELECT location.external_id AS location, client.external_id AS client FROM location "
        "JOIN client ON client.id = location.client WHERE location.external_id IN ({in})",
        location_ids,
    ):
        known.location_client[row["location"]] = row["client"]
    for row in await _select_in(
        engine,
        "SELECT collection_request.protocol AS protocol, client.external_id AS client "
        "FROM collection_request JOIN client ON client.id = collection_request.client "
        "WHERE collection_request.protocol IN ({in})",
        _strings(c.get("request") for c in collections),
    ):
        known.request_client[row["protocol"]] = row["client"]
    return known
