"""Writing collections (with photos, signature and the ticket's content hash) and certificates
(with the MTR rows that link them to collections), a chunk of records at a time so a large
file never has all its stored rows in memory at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from espaco.services.collections.done_email import became_done
from espaco.services.imports.model import (
    CertificateRow,
    CollectionRow,
    FileRef,
    ValidDocument,
    _Missing,
)
from espaco.services.imports.sql import WRITE_CHUNK, stored_values, to_db, update_sql
from espaco.services.imports.store import (
    CERTIFICATE_COLS,
    CERTIFICATE_MTRS,
    COLLECTION_WRITE_COLS,
    PHOTO_COLS,
    Writer,
    content_hash,
)
from espaco.services.imports.store_solicitacoes import fulfil_requests


async def write_collections(writer: Writer, doc: ValidDocument) -> None:
    sql = writer.sql
    protocols = {row.request for row in doc.collections if row.request is not None}
    request_ids = {
        row["protocol"]: row["id"]
        for row in await sql.fetch_in(
            "SELECT id, protocol FROM collection_request WHERE protocol IN ({in})", protocols
        )
    }
    total = len(doc.collections)
    for start in range(0, total, WRITE_CHUNK):
        await _collections(writer, doc.collections[start : start + WRITE_CHUNK], request_ids)
        writer.report("collections", min(start + WRITE_CHUNK, total), total)
    await fulfil_requests(writer, doc.collections, request_ids)


async def _collections(
    writer: Writer, collections: Sequence[CollectionRow], request_ids: dict[str, int]
) -> None:
    counts, sql = writer.counts["collections"], writer.sql
    rows = await sql.fetch_in(
        "SELECT * FROM collection WHERE external_id IN ({in})",
        [c.external_id for c in collections],
    )
    stored = {row["external_id"]: row for row in rows}
    stored_photos: dict[int, list[tuple[Any, ...]]] = {}
    for photo in await sql.fetch_in(
        "SELECT * FROM collection_photo WHERE collection IN ({in}) ORDER BY collection, position",
        [row["id"] for row in rows],
    ):
        stored_photos.setdefault(photo["collection"], []).append(stored_values(photo, PHOTO_COLS))
    new_ids = iter(
        await sql.new_ids("collection", sum(c.external_id not in stored for c in collections))
    )
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    photo_deletes: list[tuple[Any, ...]] = []
    photo_inserts: list[tuple[Any, ...]] = []
    for collection in collections:
        row: dict[str, Any] | None = stored.get(collection.external_id)
        collection_id = next(new_ids) if row is None else row["id"]
        old_photos = stored_photos.get(collection_id, []) if row is not None else []
        if isinstance(collection.photos, _Missing):
            photos = old_photos
        else:
            photos = [
                (
                    position,
                    photo.stage,
                    photo.file.stored,
                    photo.file.width,
                    photo.file.height,
                    photo.taken_at,
                    photo.latitude,
                    photo.longitude,
                )  # fmt: skip
                for position, photo in enumerate(collection.photos)
            ]
        if isinstance(collection.signature, FileRef):
            signature = collection.signature.stored
        elif collection.signature is None:
            signature = None
        else:  # not mentioned: the stored one stays
            signature = row["signature_path"] if row is not None else None
        request = request_ids.get(collection.request) if collection.request else None
        values = [
            writer.client_ids[collection.client], writer.location_ids[collection.location],
            request, collection.scheduled_on, collection.performed_at, collection.event_on,
            collection.status, collection.service, collection.waste_description,
            collection.waste_class, collection.waste_ibama_code, collection.quantity,
            collection.unit, collection.mtr_number, collection.mtr_status, collection.driver,
            collection.vehicle_plate, collection.received_by, collection.received_by_cpf,
            collection.refusal, collection.notes, signature,
        ]  # fmt: skip
        values.append(content_hash([collection.external_id, *values], photos))
        values += collection.extra.values()
        photos_changed = row is None or photos != old_photos
        if became_done(None if row is None else row["status"], collection.status):
            writer.done_collections.append(collection_id)
        if photos_changed and photos:
            photo_inserts += [(collection_id, *photo) for photo in photos]
        if row is None:
            inserts.append((collection_id, collection.external_id, *values))
            counts.created += 1
        elif photos_changed or stored_values(row, COLLECTION_WRITE_COLS) != tuple(values):
            updates.append((*values, collection_id))
            if photos_changed:
                photo_deletes.append((collection_id,))
            counts.updated += 1
        else:
            counts.unchanged += 1
    await sql.insert_many("collection", ("id", "external_id", *COLLECTION_WRITE_COLS), inserts)
    await sql.execute_many(update_sql("collection", COLLECTION_WRITE_COLS), updates)
    await sql.execute_many("DELETE FROM collection_photo WHERE collection = {}", photo_deletes)
    await sql.insert_many("collection_photo", ("collection", *PHOTO_COLS), photo_inserts)


async def write_certificates(writer: Writer, doc: ValidDocument) -> None:
    total = len(doc.certificates)
    for start in range(0, total, WRITE_CHUNK):
        await _certificates(writer, doc.certificates[start : start + WRITE_CHUNK])
        writer.report("certificates", min(start + WRITE_CHUNK, total), total)


async def _certificates(writer: Writer, certificates: Sequence[CertificateRow]) -> None:
    counts, sql = writer.counts["certificates"], writer.sql
    rows = await sql.fetch_in(
        "SELECT * FROM certificate WHERE external_id IN ({in})",
        [c.external_id for c in certificates],
    )
    stored = {row["external_id"]: row for row in rows}
    new_ids = iter(
        await sql.new_ids("certificate", sum(c.external_id not in stored for c in certificates))
    )
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    mtr_deletes: list[tuple[Any, ...]] = []
    mtr_inserts: list[tuple[Any, ...]] = []
    for certificate in certificates:
        client_id = writer.client_ids[certificate.client]
        values = (
            client_id, certificate.number, certificate.issued_on, certificate.period_start,
            certificate.period_end, certificate.receiver, certificate.mtr_numbers,
            certificate.pdf.stored if certificate.pdf else None,
        )  # fmt: skip
        row: dict[str, Any] | None = stored.get(certificate.external_id)
        certificate_id = next(new_ids) if row is None else row["id"]
        old = None if row is None else stored_values(row, CERTIFICATE_COLS, ("mtr_numbers",))
        if old == values:
            counts.unchanged += 1
            continue
        db_values = to_db(values, (CERTIFICATE_MTRS,))
        if row is None:
            inserts.append((certificate_id, certificate.external_id, *db_values))
            counts.created += 1
        else:
            updates.append((*db_values, certificate_id))
            counts.updated += 1
        if old is None or old[0] != client_id or old[CERTIFICATE_MTRS] != certificate.mtr_numbers:
            if row is not None:
                mtr_deletes.append((certificate_id,))
            mtr_inserts += [(certificate_id, client_id, n) for n in certificate.mtr_numbers]
    await sql.insert_many("certificate", ("id", "external_id", *CERTIFICATE_COLS), inserts)
    await sql.execute_many(update_sql("certificate", CERTIFICATE_COLS), updates)
    await sql.execute_many("DELETE FROM certificate_mtr WHERE certificate = {}", mtr_deletes)
    await sql.insert_many("certificate_mtr", ("certificate", "client", "mtr_number"), mtr_inserts)
