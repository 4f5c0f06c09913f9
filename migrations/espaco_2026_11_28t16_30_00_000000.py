"""``collection.quantity_milli``: the quantity in integer thousandths, computed by the database
from the text the ERP sent, and an index that lets the Coletas summary sum it without reading or
sorting rows.

The quantity stays text (a weighing ticket keeps the scale's precision), which SQL cannot sum
exactly; summing ~1,300 texts of a big client's 90 days in Python measured ~0.5 ms a summary.
The generated column is 0 for no quantity and NULL for one it cannot hold exactly (more than
three decimals), which the summary then sums the old way. A generated column is computed on
every write by whoever writes (import, API, planner), so no writer needs to know about it; it is
not declared in ``tables.py`` because Piccolo must never write it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "collection quantity in thousandths, generated, and its summary index"

SQLITE_EXPRESSION = (
    "CASE WHEN quantity = '' THEN 0"
    " WHEN quantity NOT GLOB '*[^0-9.]*' AND quantity GLOB '[0-9]*'"
    " AND quantity NOT GLOB '*.*.*' AND quantity NOT GLOB '*.'"
    " AND (instr(quantity, '.') = 0 OR length(quantity) - instr(quantity, '.') <= 3)"
    " THEN CAST(round(CAST(quantity AS REAL) * 1000) AS INTEGER) END"
)
POSTGRES_EXPRESSION = (
    "CASE WHEN quantity = '' THEN 0"
    " WHEN quantity ~ '^[0-9]+(\\.[0-9]{1,3})?$' THEN (quantity::numeric * 1000)::bigint END"
)
INDEX = (
    "CREATE INDEX collection_client_status_unit_event"
    " ON collection (client, status, unit, event_on, location, quantity_milli)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        if engine.engine_type == "sqlite":
            column = f"quantity_milli INTEGER GENERATED ALWAYS AS ({SQLITE_EXPRESSION}) VIRTUAL"
        else:
            column = f"quantity_milli BIGINT GENERATED ALWAYS AS ({POSTGRES_EXPRESSION}) STORED"
        await engine.run_ddl(f"ALTER TABLE collection ADD COLUMN {column}")
        await engine.run_ddl(INDEX)

    async def drop():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX collection_client_status_unit_event")
        await engine.run_ddl("ALTER TABLE collection DROP COLUMN quantity_milli")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
