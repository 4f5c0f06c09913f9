"""audit_event.created_at was indexed twice: ``audit_event_created`` (the first schema) and
``audit_event_created_at`` (Piccolo's, from ``index=True`` added later for the access-record
purge). The purge uses either; the second only cost every audit write. Drop Piccolo's."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-12-06T11:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the duplicate index on audit_event.created_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="created_at",
        db_column_name="created_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
