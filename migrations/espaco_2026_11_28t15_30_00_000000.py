"""An index on a CDF's MTRs: the Coletas page counts them and the CDF page lists them (a client
with a CDF a month covers thousands of MTRs, which a scan of ``certificate_mtr`` by client
read all of), and a re-import deletes them by certificate."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index certificate_mtr by certificate"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            "CREATE INDEX certificate_mtr_certificate ON certificate_mtr (certificate, mtr_number)"
        )

    async def drop():
        await engine_finder().run_ddl("DROP INDEX certificate_mtr_certificate")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
