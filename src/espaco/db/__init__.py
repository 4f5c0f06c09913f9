"""The database: ``engine`` (the SQLite and PostgreSQL engines, ``fetch``, value conversions)
and ``database`` (wiring the engine into Piccolo, migrations, the health check).

The engine's names are re-exported here: ``from espaco.db import Record, as_date``."""

from espaco.db.engine import (
    BUSY_TIMEOUT_MS,
    MAX_ID,
    PRAGMAS,
    READ_PREFIXES,
    PgEngine,
    Record,
    SQLiteEngine,
    WriteTransaction,
    as_date,
    as_datetime,
    create_engine,
    database_path_for_log,
    fetch,
    keep_session,
    placeholders,
    sqlite_version,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MAX_ID",
    "PRAGMAS",
    "READ_PREFIXES",
    "PgEngine",
    "Record",
    "SQLiteEngine",
    "WriteTransaction",
    "as_date",
    "as_datetime",
    "create_engine",
    "database_path_for_log",
    "fetch",
    "keep_session",
    "placeholders",
    "sqlite_version",
]
