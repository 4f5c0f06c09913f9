"""Shared fixtures: settings in a temporary data dir, and a migrated database on either engine.

``ESPACO_TEST_DATABASE_URL=postgresql://…`` runs the whole suite on PostgreSQL; unset, each test
gets its own SQLite file (a copy of one migrated once per session).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from smtp_support import SmtpServer, self_signed_certificate

from espaco.db import database
from espaco.services.access import passwords
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


# argon2 at its real cost (~150-200 ms and 64 MiB a hash) was half of a web test's time: each
# seeded code is hashed and each login verifies one. A test whose subject is that cost (floods,
# the hashing lanes' bounds) is marked ``real_argon2``; the others hash with the cheapest
# parameters, which travel in the hash, so verifying is as cheap. Production's are checked in
# tests/services/test_passwords.py.
_CHEAP = PasswordHasher.from_parameters(
    dataclasses.replace(passwords.PARAMETERS, time_cost=1, memory_cost=8, parallelism=1)
)
_CHEAP_DUMMY = _CHEAP.hash(passwords.DUMMY_SECRET)


@pytest.fixture(autouse=True)
def cheap_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_argon2") is None:
        monkeypatch.setattr(passwords, "_hasher", lambda: _CHEAP)
        monkeypatch.setattr(passwords, "_dummy_hash", lambda: _CHEAP_DUMMY)


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


# -- running ``espaco`` commands in the test process -------------------------------------------
@pytest.fixture
def umask_022() -> Iterator[None]:
    """The process umask is 022 for the test (as a shell's usually is): ``espaco`` sets 077 for
    itself, and the test process gets its own back after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def command_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """The environment an ``espaco`` command reads in this test: the data dir, the test secret and
    database, warnings only; no other ``ESPACO_`` variable of the shell the tests run in."""
    for name in list(os.environ):
        if name.startswith("ESPACO_") and not name.startswith("ESPACO_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ESPACO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ESPACO_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    if PG_URL:
        monkeypatch.setenv("ESPACO_DATABASE_URL", PG_URL)


# -- a real SMTP server (tests/smtp_support.py) -------------------------------------------------
@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server (aiosmtpd, plain) listening for the test; ``.handler`` keeps the mail."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """An SMTP server whose port nothing listens on until the test calls ``start()``."""
    server = SmtpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A one-day self-signed certificate for 127.0.0.1: (cert.pem, key.pem)."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))
