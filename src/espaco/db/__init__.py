"""The database: ``engine`` (the SQLite and PostgreSQL engines, ``fetch``, value conversions),
``pool`` (PostgreSQL's pools) and ``database`` (wiring the engine into Piccolo, migrations, the
health check).

The engine's and the pools' names are re-exported here: ``from espaco.db import Record``."""

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
    placeholders,
    sqlite_version,
)
from espaco.db.pool import FairPool, keep_session

__all__ = [
    "BUSY_TIMEOUT_MS",
    "FairPool",
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
