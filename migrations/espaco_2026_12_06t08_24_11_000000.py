"""Indexes for matriz e filiais: a group's members, its E-mail list (one address once) and its
sessions (ended when its code is regenerated). A frozen copy, as tables.py moves on."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:24:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for client groups"

FORWARDS = [
    "CREATE INDEX client_client_group ON client (client_group)",
    "CREATE UNIQUE INDEX client_group_email_unique ON client_group_email (client_group, address)",
    "CREATE INDEX web_session_client_group ON web_session (client_group)",
]
BACKWARDS = [
    "DROP INDEX client_client_group",
    "DROP INDEX client_group_email_unique",
    "DROP INDEX web_session_client_group",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def run(statements: list[str]) -> None:
        engine = engine_finder()
        for statement in statements:
            await engine.run_ddl(statement)

    async def create():
        await run(FORWARDS)

    async def drop():
        await run(BACKWARDS)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
