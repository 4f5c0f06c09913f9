"""Writing a validated document in one transaction: upserts by ``external_id``.

Each incoming record is compared with the stored one and written only when it differs, so a
second import of the same document writes nothing (``updated_at`` stays) and counts every record
as unchanged. Parts a record does not mention (``KEEP``) stay as stored; e-mail lists, fiscal
document, boleto, photos and signature that it does give replace the stored ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from espaco.services.imports.model import (
    KEEP,
    SECTIONS,
    BoletoRow,
    FiscalRow,
    InvoiceRow,
    SectionCounts,
    ValidDocument,
)
from espaco.services.imports.sql import (
    WRITE_CHUNK,
    Sql,
    stored_values,
    to_db,
    update_sql,
)
from espaco.tables import (
    Boleto,
    Certificate,
    Client,
    Collection,
    CollectionPhoto,
    FiscalDocument,
    Invoice,
    Location,
)

Progress = Callable[[str, int, int], None]


def _columns(table: type[Table], *skip: Column) -> tuple[str, ...]:
    """``table``'s columns in ``tables.py``'s order, without its id and ``skip``: the columns the
    import writes, in the order its validated values come (``imports.model`` builds them so)."""
    skipped = {column._meta.db_column_name for column in skip}
    return tuple(
        column._meta.db_column_name
        for column in table._meta.columns
        if not column._meta.primary_key and column._meta.db_column_name not in skipped
    )


# What the import leaves alone: the ERP id (the key it matches on), what the portal keeps
# (access codes, sessions, timestamps it sets itself, e-mail preferences, counters of triggers;
# the group: store_groups sets it).
CLIENT_COLS = _columns(
    Client, Client.external_id, Client.access_code_hash, Client.code_generated_at,
    Client.session_epoch, Client.data_version, Client.created_at, Client.updated_at,
    Client.pendencias_email, Client.pendencias_checked_at, Client.collection_done_email,
    Client.calendar_token_hash, Client.calendar_token_at, Client.client_group,
)  # fmt: skip
LOCATION_COLS = _columns(Location, Location.external_id)
INVOICE_COLS = _columns(Invoice, Invoice.external_id, Invoice.updated_at)
FISCAL_COLS = _columns(FiscalDocument, FiscalDocument.invoice, FiscalDocument.notified_at)
FISCAL_ITEMS = FISCAL_COLS.index("items")
BOLETO_COLS = _columns(Boleto, Boleto.invoice)
# The optional MTR fields (CollectionExtra's, in its order), outside the ticket's hash.
EXTRA_COLS = (
    "waste_physical_state", "transporter_name", "transporter_document", "receiver_name",
    "receiver_document", "treatment",
)  # fmt: skip
COLLECTION_COLS = tuple(
    c
    for c in _columns(Collection, Collection.external_id, Collection.done_noticed_at)
    if c not in EXTRA_COLS
)
# What the importer writes: the ticket's columns (ending with its hash, which erp_updates
# recomputes over the others) and the optional MTR fields after them.
COLLECTION_WRITE_COLS = (*COLLECTION_COLS, *EXTRA_COLS)
PHOTO_COLS = _columns(CollectionPhoto, CollectionPhoto.collection)
CERTIFICATE_COLS = _columns(Certificate, Certificate.external_id, Certificate.mtr_count)
CERTIFICATE_MTRS = CERTIFICATE_COLS.index("mtr_numbers")


class Conflict(Exception):
    """The database changed between validation and writing (a referenced record vanished)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _chunks(rows: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), WRITE_CHUNK):
        yield rows[start : start + WRITE_CHUNK]


def _canon(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def content_hash(values: Sequence[Any], photos: Sequence[Sequence[Any]]) -> str:
    """sha256 of everything a collection's ticket shows: its fields, the client and location
    ids, the photos (paths, stage, time, place) and the signature path."""
    parts = [_canon(v) for v in values]
    for photo in photos:
        parts.append("\x1e")
        parts.extend(_canon(v) for v in photo)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class Writer:
    """One import's writes, inside the transaction that ``write_document`` opened."""

    def __init__(self, sql: Sql, now: datetime, progress: Progress | None) -> None:
        self.sql = sql
        self.now = now
        self.progress = progress
        self.counts = {name: SectionCounts() for name in SECTIONS}
        self.client_ids: dict[str, int] = {}
        self.location_ids: dict[str, int] = {}
        self.new_fiscal_documents: list[int] = []
        # Collections this document made done (new, or from agendada): their notices' input.
        self.done_collections: list[int] = []

    def report(self, section: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(section, done, total)

    async def _resolve(self, table: str, wanted: set[str], ids: dict[str, int], label: str) -> None:
        rows = await self.sql.fetch_in(
            f'SELECT id, external_id FROM "{table}" WHERE external_id IN ({{in}})',  # noqa: S608
            sorted(wanted - ids.keys()),
        )
        ids.update((row["external_id"], row["id"]) for row in rows)
        for missing in sorted(wanted - ids.keys()):
            raise Conflict("", f"{label} {missing} não encontrado")

    # -- clients and their e-mails -------------------------------------------------------------
    async def clients(self, doc: ValidDocument) -> None:
        counts, sql = self.counts["clients"], self.sql
        rows = await sql.fetch_in(
            "SELECT id, external_id, document, name, trade_name, active FROM client "
            "WHERE external_id IN ({in})",
            [c.external_id for c in doc.clients],
        )
        stored = {row["external_id"]: row for row in rows}
        listed = [stored[c.external_id]["id"] for c in doc.clients if c.external_id in stored]
        stored_emails: dict[tuple[int, str], list[str]] = {}
        for email in await sql.fetch_in(
            "SELECT client, kind, address FROM client_email WHERE client IN ({in}) ORDER BY id",
            listed,
        ):
            stored_emails.setdefault((email["client"], email["kind"]), []).append(email["address"])
        new_ids = iter(
            await sql.new_ids("client", sum(c.external_id not in stored for c in doc.clients))
        )
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        email_deletes: list[tuple[Any, ...]] = []
        email_inserts: list[tuple[Any, ...]] = []
        for client in doc.clients:
            values = (client.document, client.name, client.trade_name, client.active)
            row: dict[str, Any] | None = stored.get(client.external_id)
            client_id = next(new_ids) if row is None else row["id"]
            self.client_ids[client.external_id] = client_id
            changed = row is not None and stored_values(row, CLIENT_COLS) != values
            for kind, addresses in (("access", client.access_emails),
                                    ("invoice", client.invoice_emails)):  # fmt: skip
                if addresses is None:
                    continue
                if row is not None and stored_emails.get((client_id, kind), []) == addresses:
                    continue
                if row is not None:
                    email_deletes.append((client_id, kind))
                    changed = True
                email_inserts += [(client_id, kind, address) for address in addresses]
            if row is None:
                inserts.append((client_id, client.external_id, *values, self.now, self.now))
                counts.created += 1
            elif changed:
                updates.append((*values, self.now, client_id))
                counts.updated += 1
            else:
                counts.unchanged += 1
        await sql.insert_many(
            "client",
            ("id", "external_id", *CLIENT_COLS, "created_at", "updated_at"),
            inserts,
        )
        await sql.execute_many(update_sql("client", (*CLIENT_COLS, "updated_at")), updates)
        await sql.execute_many(
            "DELETE FROM client_email WHERE client = {} AND kind = {}", email_deletes
        )
        await sql.insert_many("client_email", ("client", "kind", "address"), email_inserts)
        wanted = {row.client for rows in (doc.invoices, doc.collections, doc.certificates)
                  for row in rows}  # fmt: skip
        await self._resolve("client", wanted, self.client_ids, "Cliente")
        self.report("clients", len(doc.clients), len(doc.clients))

    # -- locations ----------------------------------------------------------------------------
    async def locations(self, doc: ValidDocument) -> None:
        counts, sql = self.counts["locations"], self.sql
        locations = [location for client in doc.clients for location in client.locations]
        rows = await sql.fetch_in(
            "SELECT * FROM location WHERE external_id IN ({in})",
            [location.external_id for location in locations],
        )
        stored = {row["external_id"]: row for row in rows}
        new_ids = iter(
            await sql.new_ids("location", sum(loc.external_id not in stored for loc in locations))
        )
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for location in locations:
            values = (
                self.client_ids[location.client], location.label, location.street,
                location.number, location.complement, location.district, location.city,
                location.state, location.cep, location.active,
            )  # fmt: skip
            row = stored.get(location.external_id)
            if row is None:
                location_id = next(new_ids)
                inserts.append((location_id, location.external_id, *values))
                counts.created += 1
            else:
                location_id = row["id"]
                if stored_values(row, LOCATION_COLS) != values:
                    updates.append((*values, location_id))
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self.location_ids[location.external_id] = location_id
        await sql.insert_many("location", ("id", "external_id", *LOCATION_COLS), inserts)
        await sql.execute_many(update_sql("location", LOCATION_COLS), updates)
        wanted = {row.location for row in doc.collections}
        await self._resolve("location", wanted, self.location_ids, "Local")
        self.report("locations", len(locations), len(locations))

    # -- invoices with fiscal document and boleto ----------------------------------------------
    async def invoices(self, doc: ValidDocument) -> None:
        for done, chunk in enumerate(_chunks(doc.invoices), 1):
            await self._invoices(chunk)
            self.report("invoices", min(done * WRITE_CHUNK, len(doc.invoices)), len(doc.invoices))

    async def _invoices(self, invoices: Sequence[InvoiceRow]) -> None:
        counts, sql = self.counts["invoices"], self.sql
        rows = await sql.fetch_in(
            "SELECT * FROM invoice WHERE external_id IN ({in})", [i.external_id for i in invoices]
        )
        stored = {row["external_id"]: row for row in rows}
        ids = [row["id"] for row in rows]
        fiscal_stored = {
            row["invoice"]: row
            for row in await sql.fetch_in(
                "SELECT * FROM fiscal_document WHERE invoice IN ({in})", ids
            )
        }
        boleto_stored = {
            row["invoice"]: row
            for row in await sql.fetch_in("SELECT * FROM boleto WHERE invoice IN ({in})", ids)
        }
        new_ids = iter(
            await sql.new_ids("invoice", sum(i.external_id not in stored for i in invoices))
        )
        fiscal_new: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        fiscal_updates: list[tuple[Any, ...]] = []
        fiscal_deletes: list[tuple[Any, ...]] = []
        fiscal_moves: list[tuple[Any, ...]] = []
        boleto_inserts: list[tuple[Any, ...]] = []
        boleto_updates: list[tuple[Any, ...]] = []
        boleto_deletes: list[tuple[Any, ...]] = []
        for invoice in invoices:
            client_id = self.client_ids[invoice.client]
            values = (
                client_id, invoice.reference_start, invoice.reference_end, invoice.issued_on,
                invoice.due_on, invoice.amount_cents, invoice.status, invoice.paid_on,
                invoice.paid_amount_cents, invoice.description,
            )  # fmt: skip
            row = stored.get(invoice.external_id)
            invoice_id = next(new_ids) if row is None else row["id"]
            changed = row is not None and stored_values(row, INVOICE_COLS) != values
            fiscal = invoice.fiscal
            old_fiscal = fiscal_stored.get(invoice_id) if row is not None else None
            if fiscal is None and old_fiscal is not None:
                fiscal_deletes.append((invoice_id,))
                changed = True
            elif isinstance(fiscal, FiscalRow):
                fiscal_values = (
                    client_id, fiscal.kind, fiscal.number, fiscal.series, fiscal.access_key,
                    fiscal.issued_at, fiscal.amount_cents, fiscal.items,
                    fiscal.pdf.stored if fiscal.pdf else None,
                    fiscal.xml.stored if fiscal.xml else None,
                )  # fmt: skip
                if old_fiscal is None:
                    fiscal_new.append((invoice_id, *fiscal_values))
                    changed = True
                elif stored_values(old_fiscal, FISCAL_COLS, ("items",)) != fiscal_values:
                    fiscal_updates.append(to_db((*fiscal_values, invoice_id), (FISCAL_ITEMS,)))
                    changed = True
            elif fiscal is KEEP and old_fiscal is not None and old_fiscal["client"] != client_id:
                fiscal_moves.append((client_id, invoice_id))
            boleto = invoice.boleto
            old_boleto = boleto_stored.get(invoice_id) if row is not None else None
            if boleto is None and old_boleto is not None:
                boleto_deletes.append((invoice_id,))
                changed = True
            elif isinstance(boleto, BoletoRow):
                boleto_values = (
                    boleto.bank_code, boleto.bank_name, boleto.barcode, boleto.digitable_line,
                    boleto.pix_copy_paste,
                )  # fmt: skip
                if old_boleto is None:
                    boleto_inserts.append((invoice_id, *boleto_values))
                    changed = True
                elif stored_values(old_boleto, BOLETO_COLS) != boleto_values:
                    boleto_updates.append((*boleto_values, invoice_id))
                    changed = True
            if row is None:
                inserts.append((invoice_id, invoice.external_id, *values, self.now))
                counts.created += 1
            elif changed:
                updates.append((*values, self.now, invoice_id))
                counts.updated += 1
            else:
                counts.unchanged += 1
        await sql.insert_many(
            "invoice", ("id", "external_id", *INVOICE_COLS, "updated_at"), inserts
        )
        await sql.execute_many(update_sql("invoice", (*INVOICE_COLS, "updated_at")), updates)
        await sql.execute_many("DELETE FROM fiscal_document WHERE invoice = {}", fiscal_deletes)
        await sql.execute_many(
            update_sql("fiscal_document", FISCAL_COLS, "invoice"), fiscal_updates
        )
        await sql.execute_many(update_sql("fiscal_document", ("client",), "invoice"), fiscal_moves)
        fiscal_ids = await sql.new_ids("fiscal_document", len(fiscal_new))
        await sql.insert_many(
            "fiscal_document",
            ("id", "invoice", *FISCAL_COLS),
            [
                to_db((fid, *row), (FISCAL_ITEMS + 2,))
                for fid, row in zip(fiscal_ids, fiscal_new, strict=True)
            ],
        )
        self.new_fiscal_documents += fiscal_ids
        await sql.execute_many("DELETE FROM boleto WHERE invoice = {}", boleto_deletes)
        await sql.execute_many(update_sql("boleto", BOLETO_COLS, "invoice"), boleto_updates)
        await sql.insert_many("boleto", ("invoice", *BOLETO_COLS), boleto_inserts)
