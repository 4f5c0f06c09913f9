"""Wiring the engine into Piccolo, applying migrations, and the health check."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.table import Table

from espaco import db, piccolo_conf
from espaco.db import Record
from espaco.private import create_private_file
from espaco.settings import Settings
from espaco.tables import ALL_TABLES

log = logging.getLogger(__name__)
APP_NAME = "espaco"


def configure(settings: Settings) -> Engine:
    """Create the engine the settings name and point every table (Piccolo's own too) at it."""
    os.environ.setdefault("PICCOLO_CONF", "espaco.piccolo_conf")
    engine = db.create_engine(settings)
    piccolo_conf.DB = engine
    tables: list[type[Table]] = [*ALL_TABLES, Migration]
    for table in tables:
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    """The engine :func:`configure` made last. In-process caches of database contents put it in
    their keys, so that a cache never outlives its database (the tests configure many)."""
    if piccolo_conf.DB is None:
        raise RuntimeError("database not configured: call espaco.db.database.configure first")
    return piccolo_conf.DB


async def fetch(sql: str, *args: Any, generic: bool = False) -> list[Record]:
    """A page's read (``{}`` placeholders) on the configured engine; see :func:`espaco.db.fetch`."""
    return await db.fetch(current_engine(), sql, *args, generic=generic)


# Connections of one worker's asyncpg pools (docs/deploy-scale.md: max_connections for N
# workers): the main pool, and the lookup pool of generic plans (``db.PgEngine``). A lookup holds
# its connection for one round trip (~0.1 ms), so a few serve a worker's 32 connections at once.
POOL_SIZE = 10
LOOKUP_POOL_SIZE = 3


async def start(engine: Engine) -> None:
    """Open what the engine keeps open: PostgreSQL's pool of :data:`POOL_SIZE` connections and
    its lookup pool of :data:`LOOKUP_POOL_SIZE`, both returned to without asyncpg's reset query
    (see :func:`espaco.db.keep_session`)."""
    if isinstance(engine, db.PgEngine):
        await engine.start_connection_pool(min_size=1, max_size=POOL_SIZE, reset=db.keep_session)
        await engine.start_lookup_pool(LOOKUP_POOL_SIZE, db.keep_session)


async def stop(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        await close()


MIGRATION_LOCK = 0x65737061636F  # "espaco": the PostgreSQL advisory lock key of migrations


async def migrate(*, backup_to: Path | None = None) -> list[str]:
    """Apply every migration not yet applied; return the ids applied now.

    On PostgreSQL, workers starting together on several machines take an advisory lock first:
    one applies the migrations, the others wait and then find nothing to do. On SQLite, when a
    database that already holds data is about to change, it is first copied into ``backup_to``
    (``espaco-antes-de-<migration>-<time>.db``): the way back if a migration goes wrong.
    """
    engine = current_engine()
    if isinstance(engine, db.PgEngine):
        connection = await engine.get_new_connection()
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            return await _migrate(None)
        finally:
            await connection.close()  # ends the session, and with it the lock
    return await _migrate(backup_to)


async def pending() -> list[str]:
    """Ids of the migrations in the package that the database has not applied."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config(APP_NAME)
    manager = ForwardsMigrationManager(app_name=APP_NAME)
    modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
    return sorted(set(manager.get_migration_ids(modules)) - set(await applied_migrations()))


async def _migrate(backup_to: Path | None) -> list[str]:
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config(APP_NAME)
    before = set(await applied_migrations())
    waiting = await pending()
    if backup_to is not None and before and waiting:
        engine = current_engine()
        assert isinstance(engine, db.SQLiteEngine)  # noqa: S101 - only SQLite passes backup_to
        copy = backup_sqlite(
            Path(engine.connection_kwargs["database"]), backup_to, f"espaco-antes-de-{waiting[0]}"
        )
        log.info("database copied to %s before migrating", copy)
    manager = ForwardsMigrationManager(app_name=APP_NAME)
    await manager.create_migration_table()
    # Piccolo prints emoji progress lines; the CLI reports what was applied instead.
    with contextlib.redirect_stdout(io.StringIO()):
        result = await manager.run_migrations(app_config)
    if not result.success:
        raise RuntimeError(f"migração falhou: {result.message}")
    applied = sorted(set(await applied_migrations()) - before)
    for migration_id in applied:
        log.debug("migration applied: %s", migration_id)
    if applied:  # a fresh database applies every one: one line, not one each
        log.info("%d migration(s) applied, the last %s", len(applied), applied[-1])
    return applied


def backup_sqlite(source: Path, folder: Path, stem: str) -> Path:
    """A consistent copy of the SQLite file ``source`` as ``folder/<stem>-<UTC time>.db``, 0600
    (SQLite's online backup: safe while the portal writes)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stem}-{stamp}.db"
    create_private_file(target)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside
    return target


async def applied_migrations() -> list[str]:
    """Ids of the migrations the database has applied (none before the first migrate)."""
    if not await Migration.table_exists().run():
        return []
    return await Migration.get_migrations_which_ran(app_name=APP_NAME)


async def is_healthy() -> bool:
    """True when the database answers a trivial query."""
    try:
        rows = await fetch("SELECT 1 AS ok")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        log.exception("health check failed")
        return False
    return bool(rows)
