"""Shared fixtures: settings in a temporary data dir, and a migrated database on either engine.

``ESPACO_TEST_DATABASE_URL=postgresql://…`` runs the whole suite on PostgreSQL; unset, each test
gets its own SQLite file (a copy of one migrated once per session).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from espaco.db import database
from espaco.settings import Settings
from espaco.tables import ALL_TABLES

PG_URL = os.environ.get("ESPACO_TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-Vq8fK2pLx7Rm4Tz9Wc3Nh6Jd1Ys5Ba0E"  # random enough for the strength check


def make_settings(data_dir: Path, **overrides: str) -> Settings:
    env = {
        "ESPACO_DATA_DIR": str(data_dir),
        "ESPACO_SECRET_KEY": TEST_SECRET,
        "ESPACO_PROVIDER_NAME": "Verde Campo Ambiental Ltda",
        "ESPACO_PROVIDER_CNPJ": "11222333000181",
        "ESPACO_BASE_URL": "http://portal.example.com.br",
    }
    if PG_URL:
        env["ESPACO_DATABASE_URL"] = PG_URL
    env.update({f"ESPACO_{k.upper()}": v for k, v in overrides.items()})
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """SQLite: one migrated database file that each test copies. PostgreSQL: migrate once."""
    data_dir = tmp_path_factory.mktemp("template")
    settings = make_settings(data_dir)

    async def run() -> None:
        if PG_URL:
            await _reset_pg_schema()
        engine = database.configure(settings)
        await database.start(engine)
        try:
            await database.migrate()
        finally:
            await database.stop(engine)

    asyncio.run(run())
    return None if PG_URL else settings.sqlite_path


async def _reset_pg_schema() -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path | None) -> Iterator[Settings]:
    """Settings for one test, with a migrated, empty database."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if migrated_template is not None:
        shutil.copy(migrated_template, data_dir / "espaco.db")
    else:
        asyncio.run(truncate_pg())
    yield make_settings(data_dir)


async def truncate_pg() -> None:
    import asyncpg

    names = ", ".join(f'"{table._meta.tablename}"' for table in ALL_TABLES)
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The database configured and opened in the test's event loop; yields the settings."""
    engine = database.configure(settings)
    await database.start(engine)
    try:
        yield settings
    finally:
        await database.stop(engine)
