"""Upgrades: a database made by the previous release, with data, migrates with its data intact;
on SQLite a copy is taken first; on PostgreSQL workers starting together migrate once."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import PG_URL, TEST_SECRET, command_env

from espaco import cli
from espaco.db import database
from espaco.services.access.passwords import verify_secret
from espaco.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "upgrade"
PREVIOUS = "0.1.0"  # scripts/make_upgrade_fixture.py wrote these from that release's code
MIGRATIONS = sorted(
    re.search(r'^ID = "([^"]+)"', p.read_text(encoding="utf-8"), re.MULTILINE).group(1)  # type: ignore[union-attr]
    for p in (ROOT / "migrations").glob("espaco_*.py")
)


@pytest.fixture
def env(tmp_path, monkeypatch, umask_022):
    command_env(monkeypatch, tmp_path / "dados")
    yield tmp_path / "dados"
    if PG_URL:  # leave the shared test database migrated, as the other tests expect it
        asyncio.run(_reset_and_migrate())


async def _pg(sql: str) -> list:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        if sql.lstrip().upper().startswith("SELECT"):
            return list(await connection.fetch(sql))
        await connection.execute(sql)
        return []
    finally:
        await connection.close()


async def _reset_and_migrate() -> None:
    await _pg("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    settings = Settings.from_env(
        {"ESPACO_DATA_DIR": str(ROOT), "ESPACO_DATABASE_URL": PG_URL,
         "ESPACO_SECRET_KEY": TEST_SECRET},
        create_dirs=False,
    )  # fmt: skip
    engine = database.configure(settings)
    await database.start(engine)
    try:
        await database.migrate()
    finally:
        await database.stop(engine)


def load_previous_release(data_dir: Path) -> None:
    engine = "postgresql" if PG_URL else "sqlite"
    sql = (FIXTURES / f"release-{PREVIOUS}.{engine}.sql").read_text(encoding="utf-8")
    if PG_URL:
        asyncio.run(_pg("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        asyncio.run(_pg(sql))
    else:
        data_dir.mkdir(mode=0o700)
        with closing(sqlite3.connect(data_dir / "espaco.db")) as connection:
            connection.executescript(sql)


def table_counts(data_dir: Path) -> dict[str, int]:
    if PG_URL:
        names = [r["tablename"] for r in asyncio.run(_pg(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]  # fmt: skip
        return {n: asyncio.run(_pg(f'SELECT count(*) AS n FROM "{n}"'))[0]["n"] for n in names}  # noqa: S608
    with closing(sqlite3.connect(data_dir / "espaco.db")) as connection:
        listed = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        names = [r[0] for r in listed]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def rows(data_dir: Path, sql: str) -> list[tuple]:
    if PG_URL:
        return [tuple(r) for r in asyncio.run(_pg(sql))]
    with closing(sqlite3.connect(data_dir / "espaco.db")) as connection:
        return connection.execute(sql).fetchall()


def test_a_database_of_the_previous_release_upgrades_with_its_data_intact(env, capsys):
    load_previous_release(env)
    before = table_counts(env)
    assert before["client"] == 2 and before["collection"] == 3 and before["staff_user"] == 1
    old_migrations = {r[0] for r in rows(env, "SELECT name FROM migration")}
    assert old_migrations < set(MIGRATIONS), "this release brings at least one migration"

    assert cli.main(["migrate"]) == 0
    applied = [line.removeprefix("aplicada: ") for line in capsys.readouterr().out.splitlines()]
    assert sorted(applied) == sorted(set(MIGRATIONS) - old_migrations)

    after = table_counts(env)
    assert {name: after[name] for name in before if name != "migration"} == {
        name: count for name, count in before.items() if name != "migration"
    }
    assert after["migration"] == len(MIGRATIONS)
    assert rows(env, "SELECT document, name FROM client ORDER BY id") == [
        ("00001001000150", "Cliente 1 Ltda"),
        ("00001002000103", "Cliente 2 Ltda"),
    ]
    assert rows(env, "SELECT amount_cents FROM invoice ORDER BY id") == [(123457,), (123458,)]
    ((password_hash,),) = rows(env, "SELECT password_hash FROM staff_user")
    assert verify_secret(password_hash, "senha da versão anterior")

    if not PG_URL:  # the copy taken before migrating holds the old release's database
        (copy,) = (env / "backups").iterdir()
        assert copy.name.startswith(f"espaco-antes-de-{applied[0]}")
        assert oct(copy.stat().st_mode & 0o777) == oct(0o600)
        with closing(sqlite3.connect(copy)) as connection:
            names = {r[0] for r in connection.execute("SELECT name FROM migration")}
            clients = connection.execute("SELECT count(*) FROM client").fetchone()[0]
        assert names == old_migrations and clients == 2

    assert cli.main(["migrate"]) == 0  # nothing left: no second copy
    assert capsys.readouterr().out.strip() == "o banco já está atualizado"
    if not PG_URL:
        assert len(list((env / "backups").iterdir())) == 1


@pytest.mark.skipif(not PG_URL, reason="the lock is PostgreSQL's: SQLite serves from one process")
def test_workers_starting_together_on_postgresql_migrate_once(env, tmp_path):
    asyncio.run(_pg("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    code = "from espaco.cli import main; raise SystemExit(main(['migrate']))"
    workers = []
    for n in range(4):
        worker_env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "src"),
            "ESPACO_DATA_DIR": str(tmp_path / f"w{n}"),
            "ESPACO_DATABASE_URL": PG_URL,
            "ESPACO_SECRET_KEY": TEST_SECRET,
            "ESPACO_LOG_LEVEL": "WARNING",
        }
        workers.append(subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code], env=worker_env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    results = [(w.wait(timeout=120), *w.communicate()) for w in workers]
    assert [rc for rc, _, _ in results] == [0] * 4, [err[-2000:] for _, _, err in results]
    outputs = [out for _, out, _ in results]
    waited = [out for out in outputs if out == "o banco já está atualizado\n"]
    applied = [out for out in outputs if out.startswith("aplicada: ")]
    assert len(waited) == 3 and len(applied) == 1, outputs
    assert applied[0].count("aplicada: ") == len(MIGRATIONS)
    names = [r[0] for r in rows(env, "SELECT name FROM migration")]
    assert sorted(names) == MIGRATIONS  # each once
