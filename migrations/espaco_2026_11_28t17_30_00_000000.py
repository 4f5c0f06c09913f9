"""``collection_month``: each client's collections counted and their quantities summed per month,
situação, unit and place, kept by triggers on ``collection`` (only they write it); and the covering
index ``collection_client_status_unit_quantity`` for the days of a period's edge months, in place
of ``collection_client_status_unit_event`` (2026-11-28T16:30).

How the Coletas summary uses them, and the measurements behind them: docs/collection-summary.md.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "collection_month: counts and quantities per client, month, status, unit, place"

COLUMNS = "client, month, status, unit, location, n, milli, inexact"
KEY = "client, month, status, unit, location"

OLD_INDEX = (
    "CREATE INDEX collection_client_status_unit_event"
    " ON collection (client, status, unit, event_on, location, quantity_milli)"
)

NEW_INDEX = (
    "CREATE INDEX collection_client_status_unit_quantity"
    " ON collection (client, status, unit, event_on, location, quantity)"
)

SQLITE_FORWARDS = [
    "DROP INDEX collection_client_status_unit_event",
    NEW_INDEX,
    "CREATE TABLE collection_month ("
    " client INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE,"
    " month DATE NOT NULL, status VARCHAR(10) NOT NULL, unit VARCHAR(10) NOT NULL,"
    " location INTEGER NOT NULL, n INTEGER NOT NULL, milli INTEGER NOT NULL,"
    f" inexact INTEGER NOT NULL, PRIMARY KEY ({KEY})) WITHOUT ROWID",
    f"INSERT INTO collection_month ({COLUMNS})"
    " SELECT client, date(event_on, 'start of month'), status, unit, location, COUNT(*),"
    " COALESCE(SUM(quantity_milli), 0), COUNT(*) - COUNT(quantity_milli)"
    " FROM collection GROUP BY 1, 2, 3, 4, 5",
    "CREATE TRIGGER collection_month_inserted AFTER INSERT ON collection BEGIN"
    f" INSERT INTO collection_month ({COLUMNS}) VALUES (NEW.client,"
    " date(NEW.event_on, 'start of month'), NEW.status, NEW.unit, NEW.location, 1,"
    " COALESCE(NEW.quantity_milli, 0), NEW.quantity_milli IS NULL)"
    f" ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1, milli = milli + excluded.milli,"
    " inexact = inexact + excluded.inexact; END",
    "CREATE TRIGGER collection_month_updated"
    " AFTER UPDATE OF client, event_on, status, unit, location, quantity ON collection BEGIN"
    " UPDATE collection_month SET n = n - 1, milli = milli - COALESCE(OLD.quantity_milli, 0),"
    " inexact = inexact - (OLD.quantity_milli IS NULL)"
    " WHERE client = OLD.client AND month = date(OLD.event_on, 'start of month')"
    " AND status = OLD.status AND unit = OLD.unit AND location = OLD.location;"
    f" INSERT INTO collection_month ({COLUMNS}) VALUES (NEW.client,"
    " date(NEW.event_on, 'start of month'), NEW.status, NEW.unit, NEW.location, 1,"
    " COALESCE(NEW.quantity_milli, 0), NEW.quantity_milli IS NULL)"
    f" ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1, milli = milli + excluded.milli,"
    " inexact = inexact + excluded.inexact; END",
    "CREATE TRIGGER collection_month_deleted AFTER DELETE ON collection BEGIN"
    " UPDATE collection_month SET n = n - 1, milli = milli - COALESCE(OLD.quantity_milli, 0),"
    " inexact = inexact - (OLD.quantity_milli IS NULL)"
    " WHERE client = OLD.client AND month = date(OLD.event_on, 'start of month')"
    " AND status = OLD.status AND unit = OLD.unit AND location = OLD.location; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER collection_month_inserted",
    "DROP TRIGGER collection_month_updated",
    "DROP TRIGGER collection_month_deleted",
    "DROP TABLE collection_month",
    "DROP INDEX collection_client_status_unit_quantity",
    OLD_INDEX,
]

# A statement's rows, aggregated by key (ordered, so that concurrent writers lock the same
# rows in the same order).
_PG_GROUPED = (
    "SELECT client, date_trunc('month', event_on::timestamp)::date AS month, status, unit,"
    " location, COUNT(*) AS n, COALESCE(SUM(quantity_milli), 0) AS milli,"
    " COUNT(*) - COUNT(quantity_milli) AS inexact FROM {rows} GROUP BY 1, 2, 3, 4, 5"
    " ORDER BY 1, 2, 3, 4, 5"
)
_PG_ADD = (
    f"INSERT INTO collection_month ({COLUMNS}) {_PG_GROUPED}"
    f" ON CONFLICT ({KEY}) DO UPDATE SET n = collection_month.n + excluded.n,"
    " milli = collection_month.milli + excluded.milli,"
    " inexact = collection_month.inexact + excluded.inexact;"
)
_PG_SUBTRACT = (
    "UPDATE collection_month m SET n = m.n - o.n, milli = m.milli - o.milli,"
    f" inexact = m.inexact - o.inexact FROM ({_PG_GROUPED}) o"
    " WHERE m.client = o.client AND m.month = o.month AND m.status = o.status"
    " AND m.unit = o.unit AND m.location = o.location;"
)


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {body} RETURN NULL; END $$"
    )


POSTGRES_FORWARDS = [
    "DROP INDEX collection_client_status_unit_event",
    NEW_INDEX,
    "CREATE TABLE collection_month ("
    " client INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE,"
    " month DATE NOT NULL, status VARCHAR(10) NOT NULL, unit VARCHAR(10) NOT NULL,"
    " location INTEGER NOT NULL, n INTEGER NOT NULL, milli BIGINT NOT NULL,"
    f" inexact INTEGER NOT NULL, PRIMARY KEY ({KEY}))",
    f"INSERT INTO collection_month ({COLUMNS}) " + _PG_GROUPED.format(rows="collection"),
    _pg_function("collection_month_add", _PG_ADD.format(rows="new_rows")),
    _pg_function("collection_month_subtract", _PG_SUBTRACT.format(rows="old_rows")),
    _pg_function(
        "collection_month_move",
        _PG_SUBTRACT.format(rows="old_rows") + " " + _PG_ADD.format(rows="new_rows"),
    ),
    "CREATE TRIGGER collection_month_inserted AFTER INSERT ON collection"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_month_add()",
    "CREATE TRIGGER collection_month_updated AFTER UPDATE ON collection"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_month_move()",
    "CREATE TRIGGER collection_month_deleted AFTER DELETE ON collection"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION collection_month_subtract()",
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER collection_month_inserted ON collection",
    "DROP TRIGGER collection_month_updated ON collection",
    "DROP TRIGGER collection_month_deleted ON collection",
    "DROP FUNCTION collection_month_add()",
    "DROP FUNCTION collection_month_subtract()",
    "DROP FUNCTION collection_month_move()",
    "DROP TABLE collection_month",
    "DROP INDEX collection_client_status_unit_quantity",
    OLD_INDEX,
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
