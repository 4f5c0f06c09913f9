"""Write the databases of a release, with data, that tests/test_upgrade.py upgrades.

Run it with the *previous release's* code on the path, once per release, and commit the output:

    git worktree add /tmp/espaco-0.1.0 v0.1.0
    PYTHONPATH=/tmp/espaco-0.1.0/src:tests python scripts/make_upgrade_fixture.py 0.1.0 \
        [--pg postgresql://postgres@127.0.0.1:5432/scratch]

It writes ``tests/upgrade/release-<version>.sqlite.sql`` (SQLite's ``.dump``) and, with ``--pg``,
``release-<version>.postgresql.sql`` (``pg_dump --inserts``; that database's ``public`` schema is
dropped first). The data: two clients with places, invoices, collections and certificates from
``tests/import_samples.full_document()``, and a staff user.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import import_samples  # from tests/, on the path

from espaco.db import database
from espaco.services.access import staff
from espaco.services.imports import import_file
from espaco.settings import Settings

OUT = Path(__file__).resolve().parents[1] / "tests" / "upgrade"
STAFF_USER, STAFF_PASSWORD = "operador", "senha da versão anterior"


async def fill(settings: Settings, folder: Path) -> None:
    engine = database.configure(settings)
    await database.start(engine)
    try:
        if settings.database_kind == "postgresql":
            await engine.run_ddl("DROP SCHEMA public CASCADE")
            await engine.run_ddl("CREATE SCHEMA public")
        await database.migrate()
        path = import_samples.write(folder, import_samples.full_document())
        result = await import_file(path, settings, now=import_samples.NOW)
        assert result.ok, result.problems  # noqa: S101
        error = await staff.create_staff(
            STAFF_USER, STAFF_PASSWORD, "master", now=import_samples.NOW
        )
        assert error is None, error  # noqa: S101
    finally:
        await database.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("version")
    parser.add_argument("--pg", default="", help="a scratch PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = {"ESPACO_DATA_DIR": tmp, "ESPACO_SECRET_KEY": secrets.token_urlsafe(48)}
        settings = Settings.from_env(base)
        asyncio.run(fill(settings, Path(tmp) / "import"))
        with sqlite3.connect(settings.sqlite_path) as connection:
            dump = "\n".join(connection.iterdump()) + "\n"
        target = OUT / f"release-{args.version}.sqlite.sql"
        target.write_text(dump, encoding="utf-8")
        print(f"{target}: {len(dump):,} bytes")
        if args.pg:
            pg = Settings.from_env({**base, "ESPACO_DATABASE_URL": args.pg})
            asyncio.run(fill(pg, Path(tmp) / "import-pg"))
            target = OUT / f"release-{args.version}.postgresql.sql"
            sql = subprocess.run(  # noqa: S603
                ["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--no-comments",  # noqa: S607
                 f"--dbname={args.pg}"],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            # pg_dump 15.14+ brackets the dump in psql-only \\restrict lines: not SQL.
            sql = "".join(line for line in sql.splitlines(keepends=True) if line[:1] != "\\")
            target.write_text(sql, encoding="utf-8")
            print(f"{target}: {len(sql):,} bytes")
    return None


if __name__ == "__main__":
    sys.exit(main())
