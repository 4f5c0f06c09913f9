"""Wiring the engine into Piccolo, applying migrations, and the health check."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from typing import Any

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString
from piccolo.table import Table

from espaco import db, piccolo_conf
from espaco.db import Record
from espaco.settings import Settings
from espaco.tables import ALL_TABLES

log = logging.getLogger(__name__)
APP_NAME = "espaco"


_generation = 0


def generation() -> int:
    """How many times :func:`configure` ran in this process: part of the key of any in-process
    cache of database contents, so that one never outlives its database (tests use many)."""
    return _generation


def configure(settings: Settings) -> Engine:
    """Create the engine the settings name and point every table (Piccolo's own too) at it."""
    global _generation  # noqa: PLW0603 - a process-wide counter, read by caches
    _generation += 1
    os.environ.setdefault("PICCOLO_CONF", "espaco.piccolo_conf")
    engine = db.create_engine(settings)
    piccolo_conf.DB = engine
    tables: list[type[Table]] = [*ALL_TABLES, Migration]
    for table in tables:
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    if piccolo_conf.DB is None:
        raise RuntimeError("database not configured: call espaco.database.configure first")
    return piccolo_conf.DB


async def fetch(sql: str, *args: Any) -> list[Record]:
    """A page's read (``{}`` placeholders) on the configured engine; see :func:`espaco.db.fetch`."""
    return await db.fetch(current_engine(), sql, *args)


async def start(engine: Engine) -> None:
    """Open what the engine keeps open (PostgreSQL's pool)."""
    if isinstance(engine, db.PgEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def stop(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        await close()


async def migrate() -> list[str]:
    """Apply every migration not yet applied; return the ids applied now."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config(APP_NAME)
    before = set(await _applied())
    manager = ForwardsMigrationManager(app_name=APP_NAME)
    await manager.create_migration_table()
    # Piccolo prints emoji progress lines; the CLI reports what was applied instead.
    with contextlib.redirect_stdout(io.StringIO()):
        result = await manager.run_migrations(app_config)
    if not result.success:
        raise RuntimeError(f"migração falhou: {result.message}")
    applied = sorted(set(await _applied()) - before)
    for migration_id in applied:
        log.debug("migration applied: %s", migration_id)
    if applied:  # a fresh database applies every one: one line, not one each
        log.info("%d migration(s) applied, the last %s", len(applied), applied[-1])
    return applied


async def _applied() -> list[str]:
    if not await Migration.table_exists().run():
        return []
    return await Migration.get_migrations_which_ran(app_name=APP_NAME)


async def is_healthy() -> bool:
    """True when the database answers a trivial query."""
    try:
        rows = await current_engine().run_querystring(QueryString("SELECT 1 AS ok"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        log.exception("health check failed")
        return False
    return bool(rows)
