"""A backup taken while another process writes holds every write acknowledged before it began,
and restores into a fresh data dir (SQLite) or over the database (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import PG_URL, TEST_SECRET

from espaco import cli
from espaco.db import database
from espaco.settings import Settings
from espaco.tables import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import asyncio
from datetime import UTC, datetime

from espaco.db import database
from espaco.settings import Settings
from espaco.tables import AuditEvent


async def main():
    engine = database.configure(Settings.from_env())
    await database.start(engine)
    n = 0
    while True:
        n += 1
        await AuditEvent.insert(AuditEvent(created_at=datetime.now(UTC), action="carga",
                                           actor=f"w{n}", ip="", details={}))
        print(n, flush=True)  # acknowledged: committed before this line is written


asyncio.run(main())
"""


def read_acks(stream, until: int) -> list[int]:
    acks = []
    while len(acks) < until:
        line = stream.readline()
        assert line, "the writer stopped"
        acks.append(int(line))
    return acks


def actors(settings: Settings) -> set[str]:
    async def run() -> set[str]:
        engine = database.configure(settings)
        await database.start(engine)
        try:
            rows = await AuditEvent.select(AuditEvent.actor).where(AuditEvent.action == "carga")
            return {r["actor"] for r in rows}
        finally:
            await database.stop(engine)

    return asyncio.run(run())


def test_backup_under_write_load_restores_every_write_acknowledged_before_it(
    settings, tmp_path, monkeypatch, capsys
):
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "ESPACO_DATA_DIR": str(settings.data_dir),
        "ESPACO_SECRET_KEY": TEST_SECRET,
        **({"ESPACO_DATABASE_URL": PG_URL} if PG_URL else {}),
    }
    for name in list(os.environ):
        if name.startswith("ESPACO_") and name != "ESPACO_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("ESPACO_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    old_umask = os.umask(0o022)
    writer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", WRITER], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        before = read_acks(writer.stdout, 300)  # acknowledged before the backup starts
        started = time.perf_counter()
        assert cli.main(["backup", str(tmp_path / "copias")]) == 0
        backup_seconds = time.perf_counter() - started
        during = read_acks(writer.stdout, 50)  # the writer kept going through the backup
    finally:
        writer.terminate()
        writer.wait(timeout=30)
        os.umask(old_umask)
    written = actors(settings)
    (source,) = (tmp_path / "copias").iterdir()

    if PG_URL:  # one database: restore over it, the writes after the backup go
        assert cli.main(["restore", str(source), "--substituir"]) == 0
        restored_settings = settings
    else:
        monkeypatch.setenv("ESPACO_DATA_DIR", str(tmp_path / "nova"))
        assert cli.main(["restore", str(source)]) == 0
        restored_settings = Settings.from_env()
    restored = actors(restored_settings)

    missing = {f"w{n}" for n in before} - restored
    assert not missing
    assert restored <= written
    print(
        f"\nbackup under load ({restored_settings.database_kind}): {len(before)} writes acked"
        f" before it, backup {backup_seconds:.2f} s, {len(written)} written in all,"
        f" {len(restored)} restored, 0 of the {len(before)} missing;"
        f" the writer went on during it ({len(during)} more read)"
    )
