"""The Piccolo app that owns the portal's tables and migrations."""

from piccolo.conf.apps import AppConfig

from espaco.resources import resource_dir
from espaco.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="espaco",
    migrations_folder_path=str(resource_dir("migrations")),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
