"""``espaco backup DEST``: a consistent copy of the SQLite database and the media folder."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from espaco.settings import SECRET_FILE, Settings


async def backup(settings: Settings, dest: Path) -> Path:
    """Write ``DEST/espaco-AAAAMMDD-HHMMSS/`` with the database, the media and the secret key.

    SQLite's online backup API copies a consistent snapshot while the portal keeps serving.
    With PostgreSQL the database belongs to ``pg_dump``; the media folder is still copied.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = dest / f"espaco-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    if settings.database_kind == "sqlite":
        source = sqlite3.connect(settings.sqlite_path)
        copy = sqlite3.connect(target / "espaco.db")
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        (target / "LEIA-ME.txt").write_text(
            "O banco é PostgreSQL: faça a cópia dele com pg_dump.\n", encoding="utf-8"
        )
    if settings.media_dir.is_dir():
        shutil.copytree(settings.media_dir, target / "media")
    secret = settings.data_dir / SECRET_FILE
    if secret.is_file():
        shutil.copy2(secret, target / SECRET_FILE)
    return target
