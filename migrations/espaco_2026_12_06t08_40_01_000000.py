"""The calendar feed's token hash is looked up on every feed request: unique and indexed (an
ALTER TABLE ... ADD COLUMN cannot add a UNIQUE constraint on SQLite, so it is an index)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique index on the calendar feed's token hash"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX client_calendar_token ON client (calendar_token_hash)"
        )

    async def drop():
        await engine_finder().run_ddl("DROP INDEX client_calendar_token")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
