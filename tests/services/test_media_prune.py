"""``espaco media prune``: files no row names are deleted once older than the grace period;
named files, recent files and the originals of named photos stay."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import coletas_samples as cs
import import_samples as s

from espaco.db import database
from espaco.services.operations.media import MediaStore
from espaco.services.operations.media_prune import _rendition_of_original, prune_media
from espaco.tables import CollectionPhoto

OLD = (datetime.now(UTC) - timedelta(days=3)).timestamp()


def _age(path: Path) -> Path:
    os.utime(path, (OLD, OLD))
    return path


def _orphan(root: Path, rel: str, data: bytes = b"x" * 1000) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


async def test_prune_keeps_what_rows_name_and_deletes_old_orphans(db):
    doc = s.document(clients=cs.clients(), collections=[cs.with_photos(cs.collection(1), 2)])
    await cs.seed(db, doc)
    root = db.media_dir
    named = {
        str(row[0])
        for row in await database.fetch(
            "SELECT path FROM collection_photo UNION SELECT signature_path FROM collection"
            " WHERE signature_path IS NOT NULL"
        )
    }
    assert len(named) == 3  # two photos and a signature
    for path in root.rglob("*"):
        if path.is_file():
            _age(path)  # even old, a named file stays
    old_orphan = _age(_orphan(root, "ab/" + "a" * 64 + ".jpg"))
    failed_import_pdf = _age(_orphan(root, "cd/" + "c" * 64 + ".pdf"))
    recent_orphan = _orphan(root, "ef/" + "e" * 64 + ".jpg")  # an import may be writing it
    # Originals (ESPACO_KEEP_ORIGINAL_PHOTOS) stay while their rendition is named.
    kept_original, lost_original = None, None
    for digest in ("1" * 64, "2" * 64):
        original = _age(_orphan(root, f"originals/{digest[:2]}/{digest}.png"))
        rendition = _rendition_of_original(original.relative_to(root).as_posix())
        if digest.startswith("1"):
            _age(_orphan(root, rendition))
            first = await CollectionPhoto.select().order_by(CollectionPhoto.id).first()
            assert first is not None
            replaced_photo = root / first["path"]
            # The first photo now names this rendition, as a re-import would.
            await CollectionPhoto.update({CollectionPhoto.path: rendition}).where(
                CollectionPhoto.id == first["id"]
            )
            kept_original = original
        else:
            lost_original = original

    gone = [old_orphan, failed_import_pdf, lost_original, replaced_photo]
    size = sum(path.stat().st_size for path in gone)
    counted = await prune_media(db, now=datetime.now(UTC), dry_run=True)
    assert (counted.removed, counted.freed_bytes) == (4, size)
    assert all(path.exists() for path in gone)

    report = await prune_media(db, now=datetime.now(UTC))
    assert (report.removed, report.freed_bytes) == (4, size)
    assert not replaced_photo.exists()
    assert not old_orphan.exists()
    assert not failed_import_pdf.exists()
    assert lost_original is not None and not lost_original.exists()
    assert recent_orphan.exists()
    assert kept_original is not None and kept_original.exists()
    still_named = await database.fetch("SELECT path FROM collection_photo")
    assert len(still_named) == 2  # the two photos, one now naming the kept original's rendition
    assert all((root / str(row[0])).is_file() for row in still_named)
    assert (await prune_media(db, now=datetime.now(UTC))).removed == 0


def test_a_file_reused_by_an_import_counts_as_recent(tmp_path):
    """An import that finds its file already there (left by a failed import days ago) marks
    it recent, so a prune running meanwhile spares it."""
    data = b"%PDF-1.4\n%%EOF\n"
    rel = MediaStore(tmp_path).store_document(data, "pdf")
    _age(tmp_path / rel)
    MediaStore(tmp_path).store_document(data, "pdf")  # a later import, a new store
    assert (tmp_path / rel).stat().st_mtime > OLD + 3600
