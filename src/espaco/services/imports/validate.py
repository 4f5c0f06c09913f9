"""Validating a whole ``espaco-import/1`` document: every problem found, none stopping the rest.

Pure: what the database already holds comes in as ``Known``; nothing here queries or writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from espaco.services.imports.context import Context
from espaco.services.imports.fields import Problems, Rec
from espaco.services.imports.files import FileChecker
from espaco.services.imports.model import (
    UNCHANGED,
    ClientRow,
    GroupRef,
    Known,
    LocationRow,
    Unchanged,
    ValidDocument,
)
from espaco.services.imports.validate_billing import validate_invoice
from espaco.services.imports.validate_collections import validate_certificate, validate_collection
from espaco.tables import Client, ClientGroup, Location

FORMAT = "espaco-import/1"
TOP_KEYS = frozenset({"format", "clients", "invoices", "collections", "certificates"})
CLIENT_KEYS = frozenset(
    {
        "external_id", "document", "name", "trade_name", "access_emails", "invoice_emails",
        "active", "locations", "group",
    }
)  # fmt: skip
GROUP_KEYS = frozenset({"external_id", "name"})
LOCATION_KEYS = frozenset(
    {
        "external_id", "label", "street", "number", "complement", "district", "city", "state",
        "cep", "active",
    }
)  # fmt: skip
STATES = frozenset(
    {
        "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
        "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
    }
)  # fmt: skip
PROGRESS_EVERY = 5000

Progress = Callable[[str, int, int], None]


def validate(
    doc: object,
    known: Known,
    *,
    base_dir: Path | None,
    tz: ZoneInfo,
    progress: Progress | None = None,
    consume: bool = False,
) -> tuple[ValidDocument | None, list[Any]]:
    """The validated document, or None and every problem found.

    ``consume``: drop each raw record from ``doc`` once read, so that a large file's parsed
    JSON and its validated rows are not both whole in memory at once."""
    problems = Problems()
    root = Rec.of(problems, doc, "", TOP_KEYS)
    if root is None:
        return None, problems.items
    version = root.data.get("format")
    if version is None:
        root.fail("format", "required", f"Informe o formato: {FORMAT}")
    elif version != FORMAT:
        root.fail("format", "format_version", f"Formato desconhecido: use {FORMAT}")
    sections = {key: root.list(key) or [] for key in sorted(TOP_KEYS - {"format"})}
    files = FileChecker(problems, base_dir)
    ctx = Context(problems, known, files, tz)
    result = ValidDocument()

    # Clients first: the other sections refer to them and to their locations.
    for index, raw in enumerate(sections["clients"]):
        client = _client(ctx, raw, f"clients[{index}]")
        if client is not None:
            result.clients.append(client)
    checks: list[tuple[str, Any, list[Any]]] = [
        ("invoices", validate_invoice, result.invoices),
        ("collections", validate_collection, result.collections),
        ("certificates", validate_certificate, result.certificates),
    ]
    for name, check, rows in checks:
        records = sections[name]
        total = len(records)
        for index, raw in enumerate(records):
            row = check(ctx, raw, f"{name}[{index}]")
            if consume:
                records[index] = None
            if row is not None:
                rows.append(row)
            if progress is not None and index % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                progress(f"validation {name}", index + 1, total)
    if problems.items:
        return None, problems.items
    result.files = files.files
    return result, []


def _client(ctx: Context, raw: object, base: str) -> ClientRow | None:
    rec = Rec.of(ctx.problems, raw, base, CLIENT_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    external_id = ctx.external_id(rec, "clients")
    document = rec.document("document")
    if document is not None:
        owner = ctx.seen.setdefault("documents", {}).get(document)
        if owner is not None:
            rec.fail("document", "duplicate", f"Documento repetido (já em {owner})")
        else:
            ctx.seen["documents"][document] = base
            stored_owner = ctx.known.client_by_document.get(document)
            if external_id is not None and stored_owner not in (None, external_id):
                rec.fail(
                    "document", "duplicate", f"Documento já cadastrado no cliente {stored_owner}"
                )
    name = rec.text("name", max_len=Client.name.length, required=True)
    trade_name = rec.text("trade_name", max_len=Client.trade_name.length) or ""
    active = rec.boolean("active", True)
    access = rec.emails("access_emails")
    invoice = rec.emails("invoice_emails")
    if external_id is not None:
        ctx.clients[external_id] = base
    locations = []
    for index, item in enumerate(rec.list("locations") or []):
        location = _location(ctx, item, f"{base}.locations[{index}]", external_id)
        if location is not None:
            locations.append(location)
    group = _group(ctx, rec)
    if len(ctx.problems) > before or external_id is None or document is None or name is None:
        return None
    return ClientRow(
        external_id, document, name, trade_name, active, access, invoice, locations, group
    )


def _group(ctx: Context, rec: Rec) -> GroupRef | None | Unchanged:
    """``group``: absent keeps the client's group, null takes it out of any, an object
    ``{"external_id", "name"}`` puts it in that group (made or renamed as needed)."""
    if not rec.has("group"):
        return UNCHANGED
    if rec.data["group"] is None:
        return None
    group = rec.obj("group", GROUP_KEYS)
    if group is None:
        return None
    external_id = group.text("external_id", max_len=ClientGroup.external_id.length, required=True)
    name = group.text("name", max_len=ClientGroup.name.length, required=True)
    if external_id is None or name is None:
        return None
    named = ctx.seen.setdefault("group_names", {})
    if named.setdefault(external_id, name) != name:
        group.fail("name", "mismatch", f"Grupo {external_id} com outro nome neste arquivo")
        return None
    return GroupRef(external_id, " ".join(name.split()))


def _location(ctx: Context, raw: object, base: str, client: str | None) -> LocationRow | None:
    rec = Rec.of(ctx.problems, raw, base, LOCATION_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    external_id = ctx.external_id(rec, "locations")
    if external_id is not None and client is not None:
        stored_client = ctx.known.location_client.get(external_id)
        if stored_client is not None and stored_client != client:
            rec.fail("external_id", "mismatch", f"Local {external_id} é do cliente {stored_client}")
        else:
            ctx.location_client[external_id] = client
    label = rec.text("label", max_len=Location.label.length, required=True)
    values = {
        key: rec.text(key, max_len=getattr(Location, key).length) or ""
        for key in ("street", "number", "complement", "district", "city")
    }
    state = (rec.text("state", max_len=2) or "").upper()
    if state and state not in STATES:
        rec.fail("state", "choice", "UF inválida: use a sigla do estado, como SP")
    cep = rec.text("cep", max_len=10) or ""
    cep = cep.replace("-", "").replace(".", "")
    if cep and (len(cep) != 8 or not cep.isascii() or not cep.isdigit()):
        rec.fail("cep", "format", "CEP deve ter 8 dígitos")
    active = rec.boolean("active", True)
    if len(ctx.problems) > before or external_id is None or client is None or label is None:
        return None
    return LocationRow(external_id, client, label, state=state, cep=cep, active=active, **values)
