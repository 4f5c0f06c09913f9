"""Triggers that keep ``certificate.mtr_count`` equal to the certificate's ``certificate_mtr``
rows, whoever writes them; and ``certificate_mtr``'s (client, mtr_number) index made covering
for the certificate id, which each row of the Coletas table looks up.

Why, and the triggers on each engine: docs/collection-summary.md.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T17:41:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "certificate MTR count triggers; covering certificate_mtr index"

BACKFILL = (
    "UPDATE certificate SET mtr_count ="
    " (SELECT COUNT(*) FROM certificate_mtr m WHERE m.certificate = certificate.id)"
)
INDEXES = [
    "DROP INDEX certificate_mtr_client",
    "CREATE INDEX certificate_mtr_client ON certificate_mtr (client, mtr_number, certificate)",
]
INDEXES_BACKWARDS = [
    "DROP INDEX certificate_mtr_client",
    "CREATE INDEX certificate_mtr_client ON certificate_mtr (client, mtr_number)",
]

SQLITE_FORWARDS = [
    BACKFILL,
    *INDEXES,
    "CREATE TRIGGER certificate_mtr_inserted AFTER INSERT ON certificate_mtr BEGIN"
    " UPDATE certificate SET mtr_count = mtr_count + 1 WHERE id = NEW.certificate; END",
    "CREATE TRIGGER certificate_mtr_deleted AFTER DELETE ON certificate_mtr BEGIN"
    " UPDATE certificate SET mtr_count = mtr_count - 1 WHERE id = OLD.certificate; END",
    "CREATE TRIGGER certificate_mtr_moved AFTER UPDATE OF certificate ON certificate_mtr BEGIN"
    " UPDATE certificate SET mtr_count = mtr_count - 1 WHERE id = OLD.certificate;"
    " UPDATE certificate SET mtr_count = mtr_count + 1 WHERE id = NEW.certificate; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER certificate_mtr_inserted",
    "DROP TRIGGER certificate_mtr_deleted",
    "DROP TRIGGER certificate_mtr_moved",
    *INDEXES_BACKWARDS,
]

_PG_CHANGE = (
    "UPDATE certificate c SET mtr_count = c.mtr_count {sign} d.n"
    " FROM (SELECT certificate, COUNT(*) AS n FROM {rows} GROUP BY certificate) d"
    " WHERE c.id = d.certificate;"
)


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {body} RETURN NULL; END $$"
    )


POSTGRES_FORWARDS = [
    BACKFILL,
    *INDEXES,
    _pg_function("certificate_mtr_add", _PG_CHANGE.format(sign="+", rows="new_rows")),
    _pg_function("certificate_mtr_subtract", _PG_CHANGE.format(sign="-", rows="old_rows")),
    _pg_function(
        "certificate_mtr_move",
        _PG_CHANGE.format(sign="-", rows="old_rows") + _PG_CHANGE.format(sign="+", rows="new_rows"),
    ),
    "CREATE TRIGGER certificate_mtr_inserted AFTER INSERT ON certificate_mtr"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION certificate_mtr_add()",
    "CREATE TRIGGER certificate_mtr_updated AFTER UPDATE ON certificate_mtr"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION certificate_mtr_move()",
    "CREATE TRIGGER certificate_mtr_deleted AFTER DELETE ON certificate_mtr"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION certificate_mtr_subtract()",
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER certificate_mtr_inserted ON certificate_mtr",
    "DROP TRIGGER certificate_mtr_updated ON certificate_mtr",
    "DROP TRIGGER certificate_mtr_deleted ON certificate_mtr",
    "DROP FUNCTION certificate_mtr_add()",
    "DROP FUNCTION certificate_mtr_subtract()",
    "DROP FUNCTION certificate_mtr_move()",
    *INDEXES_BACKWARDS,
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
