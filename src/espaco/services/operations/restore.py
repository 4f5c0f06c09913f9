"""``espaco restore ORIGEM``: put a backup made by ``espaco backup`` back.

Before anything is touched the backup is checked: its manifest, the sha256 of its database file,
SQLite's ``integrity_check`` (or ``pg_restore --list`` for a PostgreSQL dump). A target that
already holds data (tables in the database, files in ``media/``) is refused unless ``replace``
is asked for. After the restore the database is checked again: integrity, the migrations the
backup had, and on SQLite each table's row count against the manifest.

Stop the portal before restoring over a live install: the restore replaces the database under it.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from espaco.private import create_private_file, make_tree_private, private_dir
from espaco.services.operations.backup import (
    FILES,
    FOLDERS,
    BackupError,
    Manifest,
    pg_tool,
    sha256,
    sqlite_integrity,
    sqlite_row_counts,
)
from espaco.settings import Settings


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    version: str
    created_at: str
    tables: int
    rows: int
    media_files: int


def restore(settings: Settings, source: Path, *, replace: bool) -> RestoreReport:
    """Restore the backup folder ``source`` into the install ``settings`` names."""
    manifest = Manifest.read(source)
    if manifest.engine != settings.database_kind:
        raise BackupError(
            f"a cópia é de um banco {manifest.engine} e o portal está configurado para"
            f" {settings.database_kind} (ESPACO_DATABASE_URL)"
        )
    database_file = source / manifest.database_file
    if not database_file.is_file():
        raise BackupError(f"{database_file} não existe: cópia incompleta")
    if sha256(database_file) != manifest.database_sha256:
        raise BackupError(f"{database_file} foi alterado ou corrompido (sha256 não confere)")
    if settings.database_kind == "sqlite":
        problem = sqlite_integrity(database_file)
        if problem:
            raise BackupError(f"a cópia do banco está corrompida: {problem}")
    else:
        pg_tool("pg_restore", "--list", str(database_file), url=settings.database_url)

    holding = _what_target_holds(settings)
    if holding and not replace:
        raise BackupError(
            f"o destino já tem dados ({'; '.join(holding)}): use --substituir para trocá-los"
            " pela cópia (pare o portal antes)"
        )

    private_dir(settings.data_dir)
    if settings.database_kind == "sqlite":
        rows = _restore_sqlite(database_file, settings.sqlite_path, manifest)
        tables = len(manifest.row_counts)
    else:
        tables, rows = _restore_postgresql(database_file, settings.database_url, manifest)
    media_files = 0
    for name in FOLDERS:
        media_files += _restore_folder(source / name, settings.data_dir / name)
    for name in FILES:
        if (source / name).is_file() and (replace or not (settings.data_dir / name).exists()):
            create_private_file(settings.data_dir / name)
            shutil.copyfile(source / name, settings.data_dir / name)
    return RestoreReport(
        engine=manifest.engine,
        version=manifest.version,
        created_at=manifest.created_at,
        tables=tables,
        rows=rows,
        media_files=media_files,
    )


def _what_target_holds(settings: Settings) -> list[str]:
    found = []
    if settings.database_kind == "sqlite":
        path = settings.sqlite_path
        if path.is_file() and path.stat().st_size and sqlite_row_counts(path):
            found.append(f"banco {path}")
    elif asyncio.run(_pg_table_count(settings.database_url)):
        found.append("tabelas no banco PostgreSQL")
    for name in FOLDERS:
        folder = settings.data_dir / name
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            found.append(f"arquivos em {folder}")
    return found


def _restore_sqlite(source: Path, target: Path, manifest: Manifest) -> int:
    create_private_file(target)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)  # replaces every page of the target, WAL included
    problem = sqlite_integrity(target)
    if problem:
        raise BackupError(f"o banco restaurado não passou na verificação: {problem}")
    counts = sqlite_row_counts(target)
    if counts != manifest.row_counts:
        differ = sorted(k for k in counts.keys() | manifest.row_counts.keys()
                        if counts.get(k) != manifest.row_counts.get(k))  # fmt: skip
        raise BackupError(f"contagens diferentes da cópia nas tabelas: {', '.join(differ)}")
    with closing(sqlite3.connect(target)) as connection:
        applied = [r[0] for r in connection.execute("SELECT name FROM migration ORDER BY name")]
    _check_migrations(applied, manifest)
    return sum(counts.values())


def _restore_postgresql(dump: Path, url: str, manifest: Manifest) -> tuple[int, int]:
    asyncio.run(_pg_execute(url, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    pg_tool(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        str(dump),
        url=url,
    )
    applied, tables, rows = asyncio.run(_pg_summary(url))
    _check_migrations(applied, manifest)
    return tables, rows


def _check_migrations(applied: list[str], manifest: Manifest) -> None:
    if sorted(applied) != sorted(manifest.migrations):
        raise BackupError("as migrações do banco restaurado não são as da cópia")


def _restore_folder(source: Path, target: Path) -> int:
    """Swap ``target`` for a copy of ``source``; return how many files it now holds."""
    if not source.is_dir():
        return 0
    incoming = target.with_name(f".{target.name}.restaurando")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(source, incoming)
    make_tree_private(incoming)
    if target.exists():
        old = target.with_name(f".{target.name}.anterior")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        incoming.rename(target)
        shutil.rmtree(old)
    else:
        incoming.rename(target)
    return sum(1 for p in target.rglob("*") if p.is_file())


async def _connect(url: str):  # type: ignore[no-untyped-def]
    import asyncpg

    return await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))


async def _pg_table_count(url: str) -> int:
    connection = await _connect(url)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
        )
    finally:
        await connection.close()


async def _pg_execute(url: str, sql: str) -> None:
    connection = await _connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _pg_summary(url: str) -> tuple[list[str], int, int]:
    connection = await _connect(url)
    try:
        applied = [r["name"] for r in await connection.fetch("SELECT name FROM migration")]
        names = [
            r["table_name"]
            for r in await connection.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        rows = 0
        for name in names:
            rows += int(await connection.fetchval(f'SELECT count(*) FROM "{name}"'))  # noqa: S608 - names from the catalogue
        return applied, len(names), rows
    finally:
        await connection.close()
