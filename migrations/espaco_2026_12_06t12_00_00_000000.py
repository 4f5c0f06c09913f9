"""Triggers that bump ``client.data_version`` whenever anything a client's pages show changes:
its invoices, fiscal documents and boletos (Financeiro), places, collection requests, CDFs and
their MTRs — collections already did (2026-11-28T14:58). The version is then the key of every
in-process cache of a page's reads (``services/page_cache.py``), and a write by anyone (import,
ERP API, staff, the client, a hand fix in the database) shows on the next page view, in every
worker.

PostgreSQL's statement triggers reuse the collection's functions, which bump the clients of the
transition tables' ``client`` column; a boleto has no client column and bumps its invoice's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "client data version triggers on every table the portal's pages show"

# Tables with a ``client`` column whose rows a page shows.
WITH_CLIENT = (
    "invoice",
    "fiscal_document",
    "location",
    "collection_request",
    "certificate",
    "certificate_mtr",
)
BUMP = "UPDATE client SET data_version = data_version + 1 WHERE id"
BOLETO_CLIENT = "(SELECT client FROM invoice WHERE id = {}.invoice)"


def _sqlite_forwards() -> list[str]:
    statements = []
    for table in WITH_CLIENT:
        statements += [
            f"CREATE TRIGGER {table}_bump_inserted AFTER INSERT ON {table} BEGIN"
            f" {BUMP} = NEW.client; END",
            f"CREATE TRIGGER {table}_bump_updated AFTER UPDATE ON {table} BEGIN"
            f" {BUMP} IN (OLD.client, NEW.client); END",
            f"CREATE TRIGGER {table}_bump_deleted AFTER DELETE ON {table} BEGIN"
            f" {BUMP} = OLD.client; END",
        ]
    new, old = BOLETO_CLIENT.format("NEW"), BOLETO_CLIENT.format("OLD")
    return [
        *statements,
        f"CREATE TRIGGER boleto_bump_inserted AFTER INSERT ON boleto BEGIN {BUMP} = {new}; END",
        f"CREATE TRIGGER boleto_bump_updated AFTER UPDATE ON boleto BEGIN"
        f" {BUMP} IN ({new}, {old}); END",
        f"CREATE TRIGGER boleto_bump_deleted AFTER DELETE ON boleto BEGIN {BUMP} = {old}; END",
    ]


def _postgres_forwards() -> list[str]:
    statements = []
    for table in WITH_CLIENT:
        statements += [
            f"CREATE TRIGGER {table}_bump_inserted AFTER INSERT ON {table}"
            " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
            " EXECUTE FUNCTION collection_bump_new()",
            f"CREATE TRIGGER {table}_bump_updated AFTER UPDATE ON {table}"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
            " EXECUTE FUNCTION collection_bump_both()",
            f"CREATE TRIGGER {table}_bump_deleted AFTER DELETE ON {table}"
            " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
            " EXECUTE FUNCTION collection_bump_old()",
        ]
    return [
        *statements,
        f"""CREATE FUNCTION boleto_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          {BUMP} IN (SELECT i.client FROM invoice i JOIN new_rows b ON b.invoice = i.id);
          RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION boleto_bump_old() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          {BUMP} IN (SELECT i.client FROM invoice i JOIN old_rows b ON b.invoice = i.id);
          RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION boleto_bump_both() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          {BUMP} IN (SELECT i.client FROM invoice i JOIN new_rows b ON b.invoice = i.id
                     UNION SELECT i.client FROM invoice i JOIN old_rows b ON b.invoice = i.id);
          RETURN NULL;
        END $$""",
        "CREATE TRIGGER boleto_bump_inserted AFTER INSERT ON boleto"
        " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION boleto_bump_new()",
        "CREATE TRIGGER boleto_bump_updated AFTER UPDATE ON boleto"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION boleto_bump_both()",
        "CREATE TRIGGER boleto_bump_deleted AFTER DELETE ON boleto"
        " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION boleto_bump_old()",
    ]


def _backwards(on_table: bool) -> list[str]:
    tables = (*WITH_CLIENT, "boleto")
    return [
        f"DROP TRIGGER {table}_bump_{event}" + (f" ON {table}" if on_table else "")
        for table in tables
        for event in ("inserted", "updated", "deleted")
    ]


POSTGRES_BACKWARDS = [
    *_backwards(on_table=True),
    "DROP FUNCTION boleto_bump_new()",
    "DROP FUNCTION boleto_bump_old()",
    "DROP FUNCTION boleto_bump_both()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="espaco", description=DESCRIPTION)

    async def run(sqlite: list[str], postgres: list[str]) -> None:
        engine = engine_finder()
        for statement in sqlite if engine.engine_type == "sqlite" else postgres:
            await engine.run_ddl(statement)

    async def create():
        await run(_sqlite_forwards(), _postgres_forwards())

    async def drop():
        await run(_backwards(on_table=False), POSTGRES_BACKWARDS)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
