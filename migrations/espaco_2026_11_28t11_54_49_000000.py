"""The indexes the portal's queries need, beyond the unique columns.

Piccolo runs a migration's raw steps before its table steps, so they cannot share the initial
migration. The statements are a frozen copy, not imported from tables.py, which moves on.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T11:54:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

INDEXES = [
    "CREATE UNIQUE INDEX client_email_unique ON client_email (client, kind, address)",
    "CREATE INDEX location_client ON location (client, label)",
    "CREATE INDEX invoice_client_due ON invoice (client, due_on)",
    "CREATE INDEX fiscal_document_client ON fiscal_document (client)",
    "CREATE INDEX collection_client_event ON collection (client, event_on, id)",
    "CREATE INDEX collection_client_status_event ON collection (client, status, event_on)",
    "CREATE INDEX collection_client_location_event ON collection (client, location, event_on)",
    "CREATE INDEX collection_client_mtr ON collection (client, mtr_number)",
    "CREATE INDEX collection_photo_collection ON collection_photo (collection, position)",
    "CREATE INDEX collection_request_status ON collection_request (status, created_at)",
    "CREATE INDEX collection_request_client ON collection_request (client, created_at)",
    "CREATE INDEX certificate_client ON certificate (client, issued_on)",
    "CREATE INDEX certificate_mtr_client ON certificate_mtr (client, mtr_number)",
    "CREATE INDEX outbox_email_due ON outbox_email (status, next_attempt_at)",
    "CREATE INDEX audit_event_created ON audit_event (created_at)",
    "CREATE INDEX audit_event_client ON audit_event (client, created_at)",
    "CREATE INDEX web_session_client ON web_session (client)",
    "CREATE INDEX web_session_staff ON web_session (staff)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    # The engine the migration runs on (Table.raw would use whatever engine the base Table
    # class cached first, which in a long-lived process may be another database).
    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            name = statement.split(" ON ")[0].split()[-1]
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
