from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notices: collection-done e-mail opt-in, calendar feed token, done notice mark"


def _params(**changes):
    params = {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(changes)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Client",
        tablename="client",
        column_name="collection_done_email",
        db_column_name="collection_done_email",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_params(default=False, null=False),
        schema=None,
    )
    manager.add_column(
        table_class_name="Client",
        tablename="client",
        column_name="calendar_token_hash",
        db_column_name="calendar_token_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=64),
        schema=None,
    )
    manager.add_column(
        table_class_name="Client",
        tablename="client",
        column_name="calendar_token_at",
        db_column_name="calendar_token_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(),
        schema=None,
    )
    manager.add_column(
        table_class_name="Collection",
        tablename="collection",
        column_name="done_noticed_at",
        db_column_name="done_noticed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(),
        schema=None,
    )
    return manager
