"""``espaco backup DESTINO``: every piece of state, consistent, readable by the owner only.

A backup is a folder ``DESTINO/espaco-AAAAMMDD-HHMMSS/`` holding:
- ``espaco.db`` (SQLite's online backup API: a consistent snapshot while the portal serves) or
  ``espaco.dump`` (``pg_dump --format=custom``: one snapshot taken as it starts, so every write
  acknowledged before the backup began is in it);
- ``media/``, ``emails/``, ``secret_key`` and ``espaco.env`` from the data dir, when present;
- ``backup.json``: the portal version, the engine, the migrations applied, the sha256 of the
  database file, and, for SQLite, each table's row count, which ``espaco restore`` checks.

The folder is 0700 and every file in it 0600. The data dir's ``ultimo-backup.json`` records when
and where the last one went, for ``espaco verificar``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from espaco import __version__
from espaco.db.database import applied_migrations, backup_sqlite
from espaco.private import FILE_MODE, make_tree_private, private_dir
from espaco.settings import ENV_FILE, SECRET_FILE, Settings

FORMAT = "espaco-backup/1"
MANIFEST = "backup.json"
SQLITE_FILE = "espaco.db"
PG_FILE = "espaco.dump"
LAST_BACKUP = "ultimo-backup.json"
FOLDERS = ("media", "emails")
FILES = (SECRET_FILE, ENV_FILE)
PG_TOOLS_HINT = (
    "instale o cliente do PostgreSQL (Debian: postgresql-client) na versão do servidor ou mais nova"
)


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message is Portuguese, for the operator."""


@dataclass(frozen=True)
class Manifest:
    """What ``backup.json`` says about the backup beside it."""

    engine: str
    version: str
    created_at: str
    migrations: list[str]
    database_sha256: str
    row_counts: dict[str, int]

    @property
    def database_file(self) -> str:
        return SQLITE_FILE if self.engine == "sqlite" else PG_FILE

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"{path}: não é uma cópia do espaco ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{path}: formato desconhecido (esperado {FORMAT})")
        return cls(
            engine=data["engine"],
            version=data["version"],
            created_at=data["created_at"],
            migrations=list(data["migrations"]),
            database_sha256=data["database_sha256"],
            row_counts=dict(data.get("row_counts", {})),
        )

    def write(self, folder: Path) -> None:
        data = {"format": FORMAT, **self.__dict__}
        (folder / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


async def backup(settings: Settings, dest: Path, *, now: datetime) -> Path:
    """Write a backup folder under ``dest`` (see the module docstring); return its path."""
    private_dir(dest)
    target = dest / f"espaco-{now:%Y%m%d-%H%M%S}"
    try:
        target.mkdir(mode=0o700)
    except FileExistsError as exc:
        raise BackupError(f"{target} já existe: espere um segundo e tente de novo") from exc
    if settings.database_kind == "sqlite":
        copy = backup_sqlite(settings.sqlite_path, target, "espaco")
        database_file = copy.rename(target / SQLITE_FILE)
        problem = sqlite_integrity(database_file)
        if problem:
            raise BackupError(f"a cópia do banco não passou na verificação: {problem}")
        counts = sqlite_row_counts(database_file)
    else:
        database_file = target / PG_FILE
        pg_dump(settings.database_url, database_file)
        counts = {}
    for name in FOLDERS:
        if (settings.data_dir / name).is_dir():
            shutil.copytree(settings.data_dir / name, target / name)
    for name in FILES:
        if (settings.data_dir / name).is_file():
            shutil.copyfile(settings.data_dir / name, target / name)
    Manifest(
        engine=settings.database_kind,
        version=__version__,
        created_at=now.isoformat(),
        migrations=sorted(await applied_migrations()),
        database_sha256=sha256(database_file),
        row_counts=counts,
    ).write(target)
    make_tree_private(target)
    record_last_backup(settings, target, now)
    return target


def record_last_backup(settings: Settings, target: Path, now: datetime) -> None:
    path = settings.data_dir / LAST_BACKUP
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"at": now.isoformat(), "path": str(target.resolve())}, handle)


def last_backup(settings: Settings) -> tuple[datetime, str] | None:
    """When and where ``espaco backup`` last wrote for this data dir, if it ever did."""
    try:
        data = json.loads((settings.data_dir / LAST_BACKUP).read_text(encoding="utf-8"))
        return datetime.fromisoformat(data["at"]), str(data["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sqlite_integrity(path: Path) -> str | None:
    """None when SQLite's ``integrity_check`` passes on ``path``, else what it found."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [row[0] for row in rows]
    return None if found == ["ok"] else "; ".join(found[:5])


def sqlite_row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608 - names from sqlite_master
            for name in names
        }


def pg_environment(url: str) -> tuple[list[str], Mapping[str, str]]:
    """libpq arguments for ``url`` with the password in ``PGPASSWORD``, not on the command line
    (where ``ps`` would show it to every user of the machine)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    dsn = parts._replace(scheme="postgresql", netloc=netloc).geturl()
    return [f"--dbname={dsn}"], env


def pg_tool(name: str, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    """Run ``pg_dump``/``pg_restore`` against ``url``; a failure becomes a BackupError."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"{name} não encontrado: {PG_TOOLS_HINT}")
    dbname, env = pg_environment(url)
    result = subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [program, *args, *dbname], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{name} falhou: {result.stderr.strip()[:2000]} ({PG_TOOLS_HINT})")
    return result


def pg_dump(url: str, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(fd)
    pg_tool(
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={target}",
        url=url,
    )
