"""Partial indexes for the pendências (Início, the Relatório de resíduos, the weekly e-mail).

Each rule reads only the collections it can find wanting: the realizadas without MTR, the
MTRs still "Salvo", and the live MTRs (to probe ``certificate_mtr`` for their CDF). Without
them every rule walked all of a client's performed collections and fetched each row: 180 ms on
Início for a client with 20,000 collections (bench/compliance.py). The predicates are the
queries' own terms (services/collections/pendencias.py), which SQLite and PostgreSQL both need to use them.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial indexes for the pendências"

PERFORMED = "status IN ('done', 'validated')"
FORWARDS = [
    "CREATE INDEX collection_pendencia_sem_mtr ON collection (client, event_on, id)"
    f" WHERE {PERFORMED} AND (mtr_number IS NULL OR mtr_number = '')",
    "CREATE INDEX collection_pendencia_salvo ON collection (client, event_on, id)"
    f" WHERE {PERFORMED} AND LOWER(TRIM(mtr_status)) = 'salvo'",
    "CREATE INDEX collection_pendencia_mtr ON collection (client, event_on, mtr_number, id)"
    f" WHERE {PERFORMED} AND mtr_number <> '' AND LOWER(COALESCE(mtr_status, '')) <> 'cancelado'",
]
BACKWARDS = [
    "DROP INDEX collection_pendencia_sem_mtr",
    "DROP INDEX collection_pendencia_salvo",
    "DROP INDEX collection_pendencia_mtr",
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
