"""The SQLite engine: pragmas on every connection, writes serialised, reads on one connection.

These build their own SQLite engine in a temporary folder, so they run in both suites.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from conftest import make_settings
from factories import NOW
from litestar.testing import TestClient

from espaco.app import create_app
from espaco.db import SQLiteEngine, database
from espaco.tables import AuditEvent


@pytest.fixture
async def sqlite_db(tmp_path: Path):
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'espaco.db'}")
    engine = database.configure(settings)
    await database.start(engine)
    await database.migrate()
    try:
        yield engine
    finally:
        await database.stop(engine)


async def pragmas(run) -> dict[str, object]:
    names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    return {name: next(iter((await run(f"PRAGMA {name}"))[0].values())) for name in names}


async def test_every_connection_runs_wal_full_sync_busy_timeout_and_foreign_keys(sqlite_db):
    expected = {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 10_000, "foreign_keys": 1}

    async def read(sql):
        return sqlite_db.read_sync(sql)

    assert await pragmas(read) == expected
    async with sqlite_db.transaction() as transaction:

        async def write(sql):
            async with transaction.connection.execute(sql) as cursor:
                return await cursor.fetchall()

        assert await pragmas(write) == expected


async def test_concurrent_writers_in_one_process_never_meet_a_locked_database(sqlite_db):
    async def write(n: int) -> None:
        async with sqlite_db.transaction():
            await AuditEvent.insert(AuditEvent(created_at=NOW, action=f"a{n}"))
            await asyncio.sleep(0)  # let the others try to start theirs meanwhile
            await AuditEvent.insert(AuditEvent(created_at=NOW, action=f"b{n}"))

    await asyncio.gather(*(write(n) for n in range(50)))
    assert await AuditEvent.count() == 100


async def test_a_writer_in_another_process_waits_instead_of_failing(sqlite_db, tmp_path):
    # A second engine on the same file stands for another process (espaco import while serving).
    other = SQLiteEngine(path=str(tmp_path / "espaco.db"))
    async with other.transaction() as held:
        await held.connection.execute(
            "INSERT INTO audit_event (created_at, action, actor, ip,"
            " details) VALUES ('2026-11-28', 'x', '', '', '{}')"
        )

        async def ours() -> None:
            await AuditEvent.insert(AuditEvent(created_at=NOW, action="ours"))

        task = asyncio.create_task(ours())
        await asyncio.sleep(0.3)
        assert not task.done()  # waiting on the busy timeout, not failed
    await asyncio.wait_for(task, 5)
    assert await AuditEvent.count() == 2
    await other.close()


async def test_a_failed_transaction_leaves_nothing(sqlite_db):
    with pytest.raises(RuntimeError):
        async with sqlite_db.transaction():
            await AuditEvent.insert(AuditEvent(created_at=NOW, action="half"))
            raise RuntimeError("boom")
    assert await AuditEvent.count() == 0


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_start_up_logs_the_sqlite_version(tmp_path):
    # Litestar reconfigures the root logger at start-up, so listen on the app's own logger.
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'espaco.db'}")
    handler, logger = Collect(), logging.getLogger("espaco")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        with TestClient(create_app(settings)):
            pass
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    assert any(line.startswith(f"SQLite {sqlite3.sqlite_version} at ") for line in handler.lines)
