"""web_session.csrf_token held a random value written at every login and never read: the CSRF
token is an HMAC of the session cookie (web/csrf.py). A stored token nobody checks is only one
more secret in the database; drop it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop web_session.csrf_token (unused)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="WebSession",
        tablename="web_session",
        column_name="csrf_token",
        db_column_name="csrf_token",
        schema=None,
    )

    return manager
