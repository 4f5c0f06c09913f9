"""Triggers that bump ``client.data_version`` whenever one of the client's collections is
inserted, changed or deleted: the key of the in-process caches of what a client's collections hold.

Why and how (row triggers on SQLite, statement triggers on PostgreSQL): docs/collection-summary.md.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T14:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "client data version triggers on collection"

SQLITE_FORWARDS = [
    "CREATE TRIGGER collection_inserted AFTER INSERT ON collection BEGIN"
    " UPDATE client SET data_version = data_version + 1 WHERE id = NEW.client; END",
    "CREATE TRIGGER collection_updated AFTER UPDATE ON collection BEGIN"
    " UPDATE client SET data_version = data_version + 1 WHERE id IN (OLD.client, NEW.client);"
    " END",
    "CREATE TRIGGER collection_deleted AFTER DELETE ON collection BEGIN"
    " UPDATE client SET data_version = data_version + 1 WHERE id = OLD.client; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER collection_inserted",
    "DROP TRIGGER collection_updated",
    "DROP TRIGGER collection_deleted",
]
POSTGRES_FORWARDS = [
    """CREATE FUNCTION collection_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT DISTINCT client FROM new_rows);
      RETURN NULL;
    END $$""",
    """CREATE FUNCTION collection_bump_old() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT DISTINCT client FROM old_rows);
      RETURN NULL;
    END $$""",
    """CREATE FUNCTION collection_bump_both() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT client FROM new_rows UNION SELECT client FROM old_rows);
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER collection_inserted AFTER INSERT ON collection"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_bump_new()",
    "CREATE TRIGGER collection_updated AFTER UPDATE ON collection"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_bump_both()",
    "CREATE TRIGGER collection_deleted AFTER DELETE ON collection"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_bump_old()",
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER collection_inserted ON collection",
    "DROP TRIGGER collection_updated ON collection",
    "DROP TRIGGER collection_deleted ON collection",
    "DROP FUNCTION collection_bump_new()",
    "DROP FUNCTION collection_bump_old()",
    "DROP FUNCTION collection_bump_both()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def run(sqlite: list[str], postgres: list[str]) -> None:
        engine = engine_finder()
        for statement in sqlite if engine.engine_type == "sqlite" else postgres:
            await engine.run_ddl(statement)

    async def create():
        await run(SQLITE_FORWARDS, POSTGRES_FORWARDS)

    async def drop():
        await run(SQLITE_BACKWARDS, POSTGRES_BACKWARDS)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
