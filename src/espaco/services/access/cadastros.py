"""Cadastros: what a master user does to a client — find it, keep its two e-mail lists, generate
its access code, deactivate or reactivate it. Every change leaves an audit event.

The access code is generated, hashed and e-mailed in one transaction with the change that ends
the client's sessions; the clear code exists only in this function's memory: the outbox row holds
it sealed until it is sent (services/operations/outbox.py, services/access/sealing.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from piccolo.columns.combination import WhereRaw

from espaco.db.read import like
from espaco.domain.documents import format_document
from espaco.domain.errors import Invalid, NotFound
from espaco.mail import Email, email_environment, render_email
from espaco.services.access import passwords, sealing, sessions
from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.operations import audit, outbox
from espaco.settings import Settings
from espaco.tables import Client, ClientEmail, EmailKind

PER_PAGE = 25
MAX_EMAILS = 20
MAX_QUERY = 100
# Sane, not RFC 5322 in full: a local part of the usual characters without leading, trailing or
# doubled dots; a domain of letter-digit-hyphen labels with an alphabetic top level. No comma,
# space or quote, so a list joined with ", " (the outbox) splits back the same.
EMAIL = re.compile(
    r"(?=.{3,254}\Z)(?=[^@]{1,64}@)"
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
DOCUMENT_PUNCTUATION = frozenset(" .-/")
KIND_LABELS = {EmailKind.access: "E-mail", EmailKind.invoice: "E-mail NF"}

NO_RECIPIENTS = (
    "Nenhum código foi gerado: cadastre ao menos um endereço na aba E-mail, para onde o código "
    "é enviado."
)

CLIENT_NOT_FOUND = "Cliente não encontrado."


@dataclass(frozen=True)
class ClientSummary:
    id: int
    name: str
    trade_name: str
    document: str
    external_id: str
    active: bool


@dataclass(frozen=True)
class ClientPage:
    """One page of search results."""

    items: tuple[ClientSummary, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class EmailAddress:
    id: int
    address: str


@dataclass(frozen=True)
class ClientDetail:
    """A client as the Cadastros page shows it: never its code, only when one was made."""

    id: int
    name: str
    trade_name: str
    document: str
    external_id: str
    active: bool
    code_generated_at: datetime | None
    access_emails: tuple[EmailAddress, ...]
    invoice_emails: tuple[EmailAddress, ...]
    # The notices the client chose in its portal (/avisos and the Relatório), shown to staff.
    pendencias_email: bool = True
    collection_done_email: bool = False
    calendar_feed_at: datetime | None = None  # when its calendar feed URL was made; None: off

    def emails(self, kind: str) -> tuple[EmailAddress, ...]:
        return self.access_emails if kind == EmailKind.access else self.invoice_emails


def normalize_email(text: str) -> str:
    return text.strip().lower()


def email_problem(address: str) -> str | None:
    """Why ``address`` (already normalised) is refused, in Portuguese, or None."""
    if not address:
        return "Informe o endereço de e-mail."
    if not EMAIL.fullmatch(address):
        return "Endereço de e-mail inválido. Confira e digite de novo (ex.: nome@empresa.com.br)."
    return None


def _search_filter(text: str) -> WhereRaw | None:
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return None
    words = like(text.lower())
    # The document is stored as digits and upper-case letters: compare what was typed the same
    # way, so 12.345.678/0001-95, 12345678000195 and 12.abc... all find it. Only for what can be
    # a document (digits, letters and its punctuation), so "100%" does not find every CNPJ
    # with a 100 in it.
    document = "".join(ch for ch in text.upper() if ch not in DOCUMENT_PUNCTUATION)
    if not (document.isascii() and document.isalnum() and any(c.isdigit() for c in document)):
        document = ""
    clauses = [
        "lower(name) LIKE {} ESCAPE '!'",
        "lower(trade_name) LIKE {} ESCAPE '!'",
        "lower(external_id) LIKE {} ESCAPE '!'",
    ]
    values = [words, words, words]
    if document:
        clauses.append("document LIKE {} ESCAPE '!'")
        values.append(like(document))
    return WhereRaw("(" + " OR ".join(clauses) + ")", *values)


async def search_clients(text: str, page: int = 1) -> ClientPage:
    """Clients whose name, trade name, document or ERP id contains ``text``, by name."""
    where = _search_filter(text)
    count = Client.count()
    if where is not None:
        count = count.where(where)
    total = await count
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    query = Client.select(
        Client.id,
        Client.name,
        Client.trade_name,
        Client.document,
        Client.external_id,
        Client.active,
    )
    if where is not None:
        query = query.where(where)
    rows = (
        await query.order_by(Client.name)
        .order_by(Client.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    items = tuple(
        ClientSummary(
            r["id"], r["name"], r["trade_name"], r["document"], r["external_id"], r["active"]
        )
        for r in rows
    )
    return ClientPage(items=items, total=total, page=page, pages=pages)


async def client_detail(client_id: int) -> ClientDetail:
    """The client with its e-mail lists; :class:`NotFound` when there is none."""
    rows = await Client.select(
        Client.id,
        Client.name,
        Client.trade_name,
        Client.document,
        Client.external_id,
        Client.active,
        Client.code_generated_at,
        Client.pendencias_email,
        Client.collection_done_email,
        Client.calendar_token_at,
    ).where(Client.id == client_id)
    if not rows:
        raise NotFound(CLIENT_NOT_FOUND)
    row = rows[0]
    emails = (
        await ClientEmail.select(ClientEmail.id, ClientEmail.kind, ClientEmail.address)
        .where(ClientEmail.client == client_id)
        .order_by(ClientEmail.address)
    )

    def of(kind: str) -> tuple[EmailAddress, ...]:
        return tuple(EmailAddress(e["id"], e["address"]) for e in emails if e["kind"] == kind)

    return ClientDetail(
        id=row["id"],
        name=row["name"],
        trade_name=row["trade_name"],
        document=row["document"],
        external_id=row["external_id"],
        active=row["active"],
        code_generated_at=row["code_generated_at"],
        access_emails=of(EmailKind.access),
        invoice_emails=of(EmailKind.invoice),
        pendencias_email=row["pendencias_email"],
        collection_done_email=row["collection_done_email"],
        calendar_feed_at=row["calendar_token_at"],
    )


async def _lock_client(client_id: int) -> dict | None:
    """The client's row, locked for this transaction on PostgreSQL (SQLite's write
    transaction already serialises)."""
    query = Client.select(
        Client.id, Client.name, Client.trade_name, Client.document, Client.active
    ).where(Client.id == client_id)
    if Client._meta.db.engine_type == "postgres":
        query = query.lock_rows()
    rows = await query
    return rows[0] if rows else None


async def add_email(
    client_id: int, kind: str, text: str, *, actor: str, ip: str, now: datetime
) -> None:
    """Add an address to one of the client's lists (already there: adding twice is not an
    error); :class:`Invalid` (field ``endereco``), :class:`NotFound` without the client."""
    address = normalize_email(text)
    problem = email_problem(address)
    if problem:
        raise Invalid({"endereco": problem})
    async with Client._meta.db.transaction():
        if await _lock_client(client_id) is None:
            raise NotFound(CLIENT_NOT_FOUND)
        existing = await ClientEmail.select(ClientEmail.address).where(
            (ClientEmail.client == client_id) & (ClientEmail.kind == kind)
        )
        if any(e["address"] == address for e in existing):
            return
        if len(existing) >= MAX_EMAILS:
            label = KIND_LABELS[EmailKind(kind)]
            raise Invalid({"endereco": f"A lista {label} já tem {MAX_EMAILS} endereços, o máximo."})
        await ClientEmail.insert(
            ClientEmail(client=client_id, kind=kind, address=address)
        ).on_conflict(action="DO NOTHING")
        await audit.record(
            "client_email_added",
            now=now,
            actor=actor,
            ip=ip,
            client_id=client_id,
            details={"kind": kind, "address": address},
        )


async def remove_email(
    client_id: int, email_id: int, *, actor: str, ip: str, now: datetime
) -> EmailAddress:
    """Remove one address (looked up within the client): the address removed;
    :class:`NotFound` when the client has no such address (any more)."""
    async with Client._meta.db.transaction():
        rows = (
            await ClientEmail.delete()
            .where((ClientEmail.id == email_id) & (ClientEmail.client == client_id))
            .returning(ClientEmail.kind, ClientEmail.address)
        )
        if not rows:
            raise NotFound("Esse endereço já não estava na lista.")
        await audit.record(
            "client_email_removed",
            now=now,
            actor=actor,
            ip=ip,
            client_id=client_id,
            details={"kind": rows[0]["kind"], "address": rows[0]["address"]},
        )
    return EmailAddress(email_id, rows[0]["address"])


async def generate_access_code(
    client_id: int, *, settings: Settings, actor: str, ip: str, now: datetime
) -> tuple[str, ...]:
    """Replace the client's code with a fresh one and e-mail it to the E-mail list; the
    addresses it went to. Why none was made: :class:`Invalid` (field ``codigo``).

    In one transaction: the new hash, the epoch bump that ends every open session, the outbox
    row and the audit event. The code is never returned, logged or audited.
    """
    code = new_access_code()
    try:  # argon2 outside the write lock, and off the event loop
        code_hash = await passwords.hash(normalize_code(code))
    except passwords.Busy as busy:
        message = "O portal está ocupado agora: tente de novo em alguns segundos."
        raise Invalid({"codigo": message}) from busy
    async with Client._meta.db.transaction():
        client = await _lock_client(client_id)
        if client is None:
            raise NotFound(CLIENT_NOT_FOUND)
        if not client["active"]:
            raise Invalid({"codigo": "O cliente está inativo: reative-o antes de gerar um código."})
        rows = (
            await ClientEmail.select(ClientEmail.address)
            .where((ClientEmail.client == client_id) & (ClientEmail.kind == EmailKind.access))
            .order_by(ClientEmail.address)
        )
        recipients = tuple(r["address"] for r in rows)
        if not recipients:
            raise Invalid({"codigo": NO_RECIPIENTS})
        subject, text, html = render_email(
            email_environment(),
            "access_code",
            {
                "client_name": client["trade_name"] or client["name"],
                "code": sealing.MASK,  # the sender puts the code back at send time
                "base_url": settings.base_url,
                "provider_name": settings.provider_name,
                "document_formatted": format_document(client["document"]),
            },
        )
        await Client.update(
            {
                Client.access_code_hash: code_hash,
                Client.code_generated_at: now,
                Client.updated_at: now,
                Client.session_epoch: Client.session_epoch + 1,
            }
        ).where(Client.id == client_id)
        await sessions.end_client_sessions(client_id)
        await outbox.enqueue(
            Email(to=recipients, subject=subject, text=text, html=html),
            kind="access_code",
            now=now,
            client_id=client_id,
            secret=code,
            secret_key=settings.secret_key,
        )
        await audit.record(
            "access_code_generated",
            now=now,
            actor=actor,
            ip=ip,
            client_id=client_id,
            details={"recipients": len(recipients)},
        )
    outbox.wake()
    return recipients


async def set_active(client_id: int, active: bool, *, actor: str, ip: str, now: datetime) -> None:
    """Deactivate (ending every open session at once) or reactivate a client; :class:`NotFound`
    when the client does not exist."""
    values: dict = {Client.active: active, Client.updated_at: now}
    if not active:
        values[Client.session_epoch] = Client.session_epoch + 1
    async with Client._meta.db.transaction():
        rows = await Client.update(values).where(Client.id == client_id).returning(Client.id)
        if not rows:
            raise NotFound(CLIENT_NOT_FOUND)
        if not active:
            await sessions.end_client_sessions(client_id)
        await audit.record(
            "client_deactivated" if not active else "client_reactivated",
            now=now,
            actor=actor,
            ip=ip,
            client_id=client_id,
        )
