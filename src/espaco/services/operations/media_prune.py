"""``espaco media prune``: delete media files that no row references any more.

An import stores its photos, signatures and documents before its one transaction; when that
transaction is refused (a conflict, bad data, a crash), or a re-import replaces a photo, the
files stay behind. Telling which files an import made would not be enough to delete them
safely: another import may be about to reference the same file (names are content hashes).
So this walks the media folder, keeps every file a row names, and deletes the rest only when
older than a grace period longer than any import, so nothing in flight is touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from espaco.db import database
from espaco.services.operations.media import RENDITION, media_files
from espaco.settings import Settings

# Every column that names a file under the media folder.
REFERENCES = (
    ("collection_photo", "path"),
    ("collection", "signature_path"),
    ("fiscal_document", "pdf_path"),
    ("fiscal_document", "xml_path"),
    ("certificate", "pdf_path"),
)
GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class PruneReport:
    removed: int
    freed_bytes: int
    kept: int  # referenced, or too recent to judge


async def referenced_paths() -> set[str]:
    """The media-relative paths that rows name."""
    found: set[str] = set()
    for table, column in REFERENCES:
        # Table and column names are the constants above.
        sql = f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
        found.update(str(row[0]) for row in await database.fetch(sql))
    return found


def _rendition_of_original(rel: str) -> str | None:
    """The photo rendition made from a kept original (``originals/ab/<sha256>.ext``)."""
    digest = Path(rel).stem
    if len(digest) != 64:
        return None
    name = hashlib.sha256(f"photo:{RENDITION}:{digest}".encode()).hexdigest()
    return f"{name[:2]}/{name}.jpg"


async def prune_media(
    settings: Settings, *, now: datetime, grace: timedelta = GRACE, dry_run: bool = False
) -> PruneReport:
    """Delete the files under the media folder that no row names and that were last written
    more than ``grace`` before ``now``; an original kept by ``ESPACO_KEEP_ORIGINAL_PHOTOS``
    stays while its rendition is named. ``dry_run`` only counts."""
    files = media_files(settings)
    referenced = await referenced_paths()
    cutoff = (now - grace).timestamp()
    removed = freed = kept = 0
    for entry in files.entries():
        rel = entry.rel
        owner = _rendition_of_original(rel) if rel.startswith("originals/") else rel
        if owner in referenced or entry.mtime > cutoff:
            kept += 1
            continue
        if not dry_run:
            files.delete(rel)
        removed += 1
        freed += entry.size
    return PruneReport(removed, freed, kept)
