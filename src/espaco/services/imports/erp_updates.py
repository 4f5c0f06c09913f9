"""What an ERP changes often, one record at a time by ``external_id``: an invoice's status, a
collection's situação and MTR, a collection's photos and signature.

Each change keeps the collection's ``content_hash`` (what its ticket shows) exactly as the
importer computes it, so a later import of the same data finds the record unchanged.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from espaco.db import database
from espaco.db.database import current_engine
from espaco.domain.errors import DomainError, NotFound
from espaco.services.collections import done_email
from espaco.services.collections.done_email import became_done
from espaco.services.imports.model import ImportProblem
from espaco.services.imports.sql import Sql, update_sql
from espaco.services.imports.store import COLLECTION_COLS, PHOTO_COLS, content_hash
from espaco.services.operations import outbox
from espaco.services.operations.media import MediaStore
from espaco.settings import Settings
from espaco.tables import CollectionStatus, InvoiceStatus

PERFORMED = (CollectionStatus.done, CollectionStatus.validated)
MAX_PHOTOS = 20


@dataclass
class Outcome:
    """The record as it stands after the change, or why nothing changed."""

    problems: list[ImportProblem] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _refused(path: str, code: str, message: str) -> Outcome:
    return Outcome(problems=[ImportProblem(path, code, message)])


# -- invoices ----------------------------------------------------------------------------------
async def set_invoice_status(
    external_id: str,
    status: str,
    *,
    paid_on: date | None,
    paid_amount_cents: int | None,
    now: datetime,
) -> Outcome:
    """Set an invoice's status; ``paid`` needs the day and the amount paid, the others take
    neither. Raises :class:`NotFound`."""
    if status == InvoiceStatus.paid:
        if paid_on is None:
            return _refused("paid_on", "required", "Data do pagamento obrigatória quando pago")
        if paid_amount_cents is None:
            return _refused("paid_amount", "required", "Valor pago obrigatório quando pago")
    elif paid_on is not None or paid_amount_cents is not None:
        return _refused(
            "paid_on" if paid_on is not None else "paid_amount",
            "not_allowed",
            "Data e valor do pagamento só valem para faturas pagas",
        )
    engine = current_engine()
    async with engine.transaction() as transaction:
        sql = Sql(engine, transaction.connection)
        rows = await sql.fetch(
            "UPDATE invoice SET status = {}, paid_on = {}, paid_amount_cents = {}, updated_at = {} "
            "WHERE external_id = {} RETURNING external_id, status, paid_on, paid_amount_cents",
            [status, paid_on, paid_amount_cents, now, external_id],
        )
    if not rows:
        raise NotFound(f"Fatura {external_id!r} não encontrada.")
    return Outcome(state=_invoice_state(rows[0]))


def _invoice_state(row: dict[str, Any]) -> dict[str, Any]:
    paid = row["paid_amount_cents"]
    return {
        "external_id": row["external_id"],
        "status": row["status"],
        "paid_on": _iso(row["paid_on"]),
        "paid_amount": None if paid is None else f"{paid // 100}.{paid % 100:02d}",
    }


# -- collections -------------------------------------------------------------------------------
async def update_collection(
    external_id: str,
    changes: dict[str, Any],
    *,
    tz: ZoneInfo,
    notify: Settings | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Change some of ``status``, ``performed_at``, ``mtr_number`` and ``mtr_status`` (the keys
    present in ``changes``; None clears). With ``notify`` (and ``now``), a collection this makes
    done gets its "coleta realizada" notice (``services/collections/done_email.py``) in the same
    transaction. Raises :class:`NotFound`."""
    engine = current_engine()
    queued = 0
    async with engine.transaction() as transaction:
        sql = Sql(engine, transaction.connection)
        row = await _collection(sql, external_id)
        values = dict(row)
        values.update(changes)
        if values["status"] in PERFORMED and values["performed_at"] is None:
            return _refused(
                "performed_at", "required", "Data e hora da coleta obrigatória quando realizada"
            )
        performed = values["performed_at"]
        values["event_on"] = (
            performed.astimezone(tz).date() if performed is not None else values["scheduled_on"]
        )
        if values["event_on"] is None:
            return _refused(
                "performed_at", "required", "A coleta não tem data agendada: informe a realizada"
            )
        state = await _rewrite(sql, row, values)
        if notify is not None and now is not None and became_done(row["status"], values["status"]):
            queued = await done_email.settle(sql, notify, [row["id"]], now=now)
    if queued:
        outbox.wake()
    return Outcome(state=state)


async def add_photo(
    external_id: str,
    data: bytes,
    *,
    stage: Literal["before", "after"],
    taken_at: datetime | None,
    settings: Settings,
) -> Outcome:
    """Add a photo (JPEG, PNG or WebP up to 15 MB, checked by its bytes) to a collection; the
    same photo at the same stage is not added twice. Raises :class:`NotFound`."""
    await _collection_exists(external_id)
    try:
        stored = await asyncio.to_thread(MediaStore.for_settings(settings).store_photo, data)
    except DomainError as error:
        return _refused("file", error.code, error.message)
    engine = current_engine()
    async with engine.transaction() as transaction:
        sql = Sql(engine, transaction.connection)
        row = await _collection(sql, external_id)
        photos = await _photos(sql, row["id"])
        if any(p["path"] == stored.path and p["stage"] == stage for p in photos):
            return Outcome(state=await _state(sql, row, photos))
        if len(photos) >= MAX_PHOTOS:
            return _refused("file", "too_many", f"A coleta já tem {MAX_PHOTOS} fotos")
        position = max((p["position"] for p in photos), default=-1) + 1
        await sql.execute_many(
            'INSERT INTO collection_photo ("collection", "position", "stage", "path", "width", '
            '"height", "taken_at") VALUES ({}, {}, {}, {}, {}, {}, {})',
            [(row["id"], position, stage, stored.path, stored.width, stored.height, taken_at)],
        )
        return Outcome(state=await _rewrite(sql, row, dict(row)))


async def set_signature(external_id: str, data: bytes, *, settings: Settings) -> Outcome:
    """Set (or replace) the receiver's drawn signature. Raises :class:`NotFound`."""
    await _collection_exists(external_id)
    try:
        stored = await asyncio.to_thread(MediaStore.for_settings(settings).store_signature, data)
    except DomainError as error:
        return _refused("file", error.code, error.message)
    engine = current_engine()
    async with engine.transaction() as transaction:
        sql = Sql(engine, transaction.connection)
        row = await _collection(sql, external_id)
        return Outcome(state=await _rewrite(sql, row, {**row, "signature_path": stored.path}))


async def _collection_exists(external_id: str) -> None:
    rows = await database.fetch("SELECT id FROM collection WHERE external_id = {}", external_id)
    if not rows:
        raise NotFound(_missing_collection(external_id))


def _missing_collection(external_id: str) -> str:
    return f"Coleta {external_id!r} não encontrada."


async def _collection(sql: Sql, external_id: str) -> dict[str, Any]:
    rows = await sql.fetch("SELECT * FROM collection WHERE external_id = {}", [external_id])
    if not rows:
        raise NotFound(_missing_collection(external_id))
    return rows[0]


async def _photos(sql: Sql, collection_id: int) -> list[dict[str, Any]]:
    return await sql.fetch(
        "SELECT * FROM collection_photo WHERE collection = {} ORDER BY position", [collection_id]
    )


async def _rewrite(sql: Sql, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write ``values`` over ``row`` with the content hash the importer would compute."""
    photos = await _photos(sql, row["id"])
    columns = COLLECTION_COLS[:-1]
    ordered = [values[c] for c in columns]
    photo_values = [tuple(p[c] for c in PHOTO_COLS) for p in photos]
    values["content_hash"] = content_hash([row["external_id"], *ordered], photo_values)
    await sql.execute_many(
        update_sql("collection", COLLECTION_COLS),
        [(*ordered, values["content_hash"], row["id"])],
    )
    return await _state(sql, {**row, **values}, photos)


async def _state(
    sql: Sql, row: dict[str, Any], photos: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    if photos is None:
        photos = await _photos(sql, row["id"])
    return {
        "external_id": row["external_id"],
        "status": row["status"],
        "performed_at": _iso(row["performed_at"]),
        "mtr_number": row["mtr_number"],
        "mtr_status": row["mtr_status"],
        "photos": [{"stage": p["stage"], "position": p["position"]} for p in photos],
        "signature": row["signature_path"] is not None,
    }


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()
