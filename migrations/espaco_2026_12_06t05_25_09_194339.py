from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-12-06T05:25:09:194339"
VERSION = "1.38.0"
DESCRIPTION = "index audit_event.created_at for the access-record purge"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="espaco", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="created_at",
        db_column_name="created_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
