"""What a freshly migrated database holds beyond ``tables.py``'s tables: the indexes and the
triggers the migrations create. tests/test_schema.py compares both lists with a migrated
database on each engine; docs/collection-summary.md explains the Coletas rollup's triggers."""

from __future__ import annotations

from typing import NamedTuple

# Indexes the portal's queries need beyond the unique columns above and the one ``index=True``
# column: exactly what a freshly migrated database holds (tests/test_schema.py compares them on
# both engines), so a migration that adds, drops or changes an index changes this list too.
INDEXES: list[str] = [
    "CREATE UNIQUE INDEX client_email_unique ON client_email (client, kind, address)",
    "CREATE INDEX location_client ON location (client, label)",
    # The calendar feed finds its client by the token's hash (2026-12-06T08:40:01).
    "CREATE UNIQUE INDEX client_calendar_token ON client (calendar_token_hash)",
    "CREATE INDEX invoice_client_due ON invoice (client, due_on)",
    "CREATE INDEX fiscal_document_client ON fiscal_document (client)",
    "CREATE INDEX collection_client_event ON collection (client, event_on, id)",
    # Unit and quantity too: the Coletas summary totals quantities from the index alone.
    "CREATE INDEX collection_client_status_event_quantity"
    " ON collection (client, status, event_on, unit, quantity)",
    "CREATE INDEX collection_client_location_event ON collection (client, location, event_on)",
    "CREATE INDEX collection_client_mtr ON collection (client, mtr_number)",
    # The pendências: each rule reads only the collections it can find wanting (2026-12-06T05:40).
    "CREATE INDEX collection_pendencia_sem_mtr ON collection (client, event_on, id)"
    " WHERE status IN ('done', 'validated') AND (mtr_number IS NULL OR mtr_number = '')",
    "CREATE INDEX collection_pendencia_salvo ON collection (client, event_on, id)"
    " WHERE status IN ('done', 'validated') AND LOWER(TRIM(mtr_status)) = 'salvo'",
    "CREATE INDEX collection_pendencia_mtr ON collection (client, event_on, mtr_number, id)"
    " WHERE status IN ('done', 'validated') AND mtr_number <> ''"
    " AND LOWER(COALESCE(mtr_status, '')) <> 'cancelado'",
    # The Coletas summary's edge days: a COUNT and a SUM per status and unit
    # (docs/collection-summary.md).
    "CREATE INDEX collection_client_status_unit_quantity"
    " ON collection (client, status, unit, event_on, location, quantity)",
    "CREATE INDEX collection_photo_collection ON collection_photo (collection, position)",
    "CREATE INDEX collection_request_status ON collection_request (status, created_at)",
    "CREATE INDEX collection_request_client ON collection_request (client, created_at)",
    "CREATE INDEX certificate_client ON certificate (client, issued_on)",
    # Covering for the certificate id each Coletas row looks up.
    "CREATE INDEX certificate_mtr_client ON certificate_mtr (client, mtr_number, certificate)",
    # A CDF's MTRs, counted or listed (and deleted on re-import) without a scan.
    "CREATE INDEX certificate_mtr_certificate ON certificate_mtr (certificate, mtr_number)",
    "CREATE INDEX outbox_email_due ON outbox_email (status, next_attempt_at)",
    "CREATE INDEX audit_event_created ON audit_event (created_at)",
    "CREATE INDEX audit_event_client ON audit_event (client, created_at)",
    "CREATE INDEX web_session_client ON web_session (client)",
    "CREATE INDEX web_session_staff ON web_session (staff)",
    # Matriz e filiais (2026-12-06T08:24:11).
    "CREATE INDEX client_client_group ON client (client_group)",
    "CREATE UNIQUE INDEX client_group_email_unique ON client_group_email (client_group, address)",
    "CREATE INDEX web_session_client_group ON web_session (client_group)",
]


class Trigger(NamedTuple):
    """A trigger the migrations create: its name, the table it watches, what it keeps, and the
    PostgreSQL function it runs (SQLite's triggers hold their statements)."""

    name: str
    table: str
    keeps: str
    pg_function: str
    sqlite_name: str = ""  # when SQLite's has another name

    @property
    def sqlite(self) -> str:
        return self.sqlite_name or self.name


# Every trigger of a freshly migrated database, on both engines (tests/test_schema.py compares
# them): the derived values they keep are explained in docs/collection-summary.md. SQLite has
# row triggers; PostgreSQL statement triggers over transition tables.
TRIGGERS: list[Trigger] = [
    Trigger("collection_inserted", "collection", "client.data_version", "collection_bump_new"),
    Trigger("collection_updated", "collection", "client.data_version", "collection_bump_both"),
    Trigger("collection_deleted", "collection", "client.data_version", "collection_bump_old"),
    Trigger("collection_month_inserted", "collection", "collection_month", "collection_month_add"),
    Trigger("collection_month_updated", "collection", "collection_month", "collection_month_move"),
    Trigger(
        "collection_month_deleted", "collection", "collection_month", "collection_month_subtract"
    ),
    Trigger(
        "certificate_mtr_inserted",
        "certificate_mtr",
        "certificate.mtr_count",
        "certificate_mtr_add",
    ),
    Trigger(
        "certificate_mtr_updated",
        "certificate_mtr",
        "certificate.mtr_count",
        "certificate_mtr_move",
        sqlite_name="certificate_mtr_moved",  # AFTER UPDATE OF certificate
    ),
    Trigger(
        "certificate_mtr_deleted",
        "certificate_mtr",
        "certificate.mtr_count",
        "certificate_mtr_subtract",
    ),
]

# Every other table a client's pages show bumps client.data_version too (2026-12-06T12:00): the
# key of the pages' read cache (services/page_cache.py). PostgreSQL reuses the collection's
# functions (they bump the ``client`` of the transition tables); a boleto bumps its invoice's.
_VERSIONED = (
    "invoice",
    "fiscal_document",
    "location",
    "collection_request",
    "certificate",
    "certificate_mtr",
)
TRIGGERS += [
    Trigger(f"{table}_bump_{event}", table, "client.data_version", f"{function}_{suffix}")
    for table in (*_VERSIONED, "boleto")
    for event, suffix in (("inserted", "new"), ("updated", "both"), ("deleted", "old"))
    for function in ["boleto_bump" if table == "boleto" else "collection_bump"]
]
