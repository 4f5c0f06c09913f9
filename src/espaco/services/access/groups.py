"""Matriz e filiais: what a master user does to a group of clients — create, rename and delete
it, add and remove members (a client belongs to at most one group), keep its E-mail list and
generate its access code. Every change leaves an audit event.

Deleting a group ends its sessions and leaves its members as clients on their own: each keeps
its own code, data and sessions. A later import that names the group (``clients[].group``) makes
it again, as it would any group it does not know.

The group's code is generated, hashed, sealed into the outbox and e-mailed exactly like a
client's (services/access/cadastros.py): the clear code exists only in this function's memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from espaco.db import read
from espaco.domain.errors import Invalid, NotFound
from espaco.mail import Email, email_environment, render_email
from espaco.services.access import passwords, sealing, sessions
from espaco.services.access.access_codes import new_group_code, normalize_code
from espaco.services.access.cadastros import (
    MAX_EMAILS,
    EmailAddress,
    email_problem,
    normalize_email,
)
from espaco.services.access.queries import (
    CLIENT_GROUP_OF,
    GROUP,
    GROUP_EMAILS,
    GROUP_NAME,
    GROUPS,
    MEMBERS,
    GroupSummary,
    Member,
    NameRow,
)
from espaco.services.operations import audit, outbox
from espaco.settings import Settings
from espaco.tables import Client, ClientGroup, ClientGroupEmail

MAX_NAME = 200
GROUP_NOT_FOUND = "Grupo não encontrado."
NO_RECIPIENTS = (
    "Nenhum código foi gerado: cadastre ao menos um endereço no E-mail do grupo, para onde o "
    "código é enviado."
)


__all__ = ["GroupDetail", "GroupSummary", "Member"]


@dataclass(frozen=True)
class GroupDetail:
    id: int
    name: str
    external_id: str | None
    code_generated_at: datetime | None
    members: tuple[Member, ...]
    emails: tuple[EmailAddress, ...]


def clean_name(text: str) -> str:
    """The group name as stored; :class:`Invalid` (field ``nome``) when it will not do."""
    name = " ".join(str(text).split())
    if not name:
        raise Invalid({"nome": "Informe o nome do grupo."})
    if len(name) > MAX_NAME:
        raise Invalid({"nome": f"O nome do grupo tem no máximo {MAX_NAME} caracteres."})
    return name


async def list_groups() -> list[GroupSummary]:
    """Every group with its number of members, by name."""
    return await read.rows(GROUPS)


async def group_detail(group_id: int) -> GroupDetail:
    """The group with its members and E-mail list; :class:`NotFound` when there is none."""
    row = await read.first(GROUP, group_id)
    if row is None:
        raise NotFound(GROUP_NOT_FOUND)
    return GroupDetail(
        id=row.id,
        name=row.name,
        external_id=row.external_id,
        code_generated_at=row.code_generated_at,
        members=tuple(await read.rows(MEMBERS, group_id)),
        emails=tuple(
            EmailAddress(e.id, e.address) for e in await read.rows(GROUP_EMAILS, group_id)
        ),
    )


async def create_group(
    name: str, *, actor: str, ip: str, now: datetime, external_id: str | None = None
) -> int:
    """A new, empty group (the name already cleaned); its id."""
    async with ClientGroup._meta.db.transaction():
        rows = await ClientGroup.insert(
            ClientGroup(name=name, external_id=external_id, created_at=now, updated_at=now)
        ).returning(ClientGroup.id)
        group_id = int(rows[0]["id"])
        await audit.record(
            "group_created", now=now, actor=actor, ip=ip, details={"group": group_id}
        )
    return group_id


async def _group_exists(group_id: int) -> bool:
    return await read.first(GROUP_NAME, group_id) is not None


async def add_member(group_id: int, client_id: int, *, actor: str, ip: str, now: datetime) -> None:
    """Put a client in the group (already a member: nothing to do). :class:`NotFound` without
    the group; :class:`Invalid` (field ``membro``) without the client or when it is in another
    group."""
    async with ClientGroup._meta.db.transaction():
        if not await _group_exists(group_id):
            raise NotFound(GROUP_NOT_FOUND)
        found = await read.first(CLIENT_GROUP_OF, client_id)
        if found is None:
            raise Invalid({"membro": "Cliente não encontrado."})
        current = found.client_group
        if current == group_id:
            return
        if current is not None:
            other = await read.first(GROUP_NAME, current)
            name = other.name if other else ""
            raise Invalid(
                {
                    "membro": f"Este cliente já pertence ao grupo “{name}”: retire-o de lá antes "
                    "(um cliente pertence a no máximo um grupo)."
                }
            )
        await Client.update({Client.client_group: group_id, Client.updated_at: now}).where(
            Client.id == client_id
        )
        await audit.record(
            "group_member_added", now=now, actor=actor, ip=ip, client_id=client_id,
            details={"group": group_id},
        )  # fmt: skip


async def remove_member(
    group_id: int, client_id: int, *, actor: str, ip: str, now: datetime
) -> None:
    """Take a client out of the group (its group sessions end: they may no longer see it);
    :class:`NotFound` when it is not (any more) a member."""
    async with ClientGroup._meta.db.transaction():
        rows = (
            await Client.update({Client.client_group: None, Client.updated_at: now})
            .where((Client.id == client_id) & (Client.client_group == group_id))
            .returning(Client.id)
        )
        if not rows:
            raise NotFound("Esse cliente já não estava no grupo.")
        await _end_sessions(group_id)
        await audit.record(
            "group_member_removed", now=now, actor=actor, ip=ip, client_id=client_id,
            details={"group": group_id},
        )  # fmt: skip


async def _locked(group_id: int) -> NameRow:
    """The group's name, its row locked for this transaction on PostgreSQL (SQLite's write
    transaction already serialises): two renames or deletes at once run one after the other,
    and the second finds what the first left. :class:`NotFound` without the group."""
    query = GROUP_NAME
    if ClientGroup._meta.db.engine_type == "postgres":
        query = GROUP_NAME + " FOR UPDATE"
    found = await read.first(query, group_id)
    if found is None:
        raise NotFound(GROUP_NOT_FOUND)
    return found


async def rename_group(group_id: int, text: str, *, actor: str, ip: str, now: datetime) -> str:
    """Give the group another name (cleaned here): the name stored. :class:`Invalid` (field
    ``nome``); :class:`NotFound` without the group. The same name again changes nothing."""
    name = clean_name(text)
    async with ClientGroup._meta.db.transaction():
        current = await _locked(group_id)
        if current.name == name:
            return name
        await ClientGroup.update({ClientGroup.name: name, ClientGroup.updated_at: now}).where(
            ClientGroup.id == group_id
        )
        await audit.record(
            "group_renamed", now=now, actor=actor, ip=ip,
            details={"group": group_id, "from": current.name, "to": name},
        )  # fmt: skip
    return name


async def delete_group(group_id: int, *, actor: str, ip: str, now: datetime) -> int:
    """Delete the group: its sessions end, its E-mail list goes, its members stay as clients on
    their own (their codes, data and own sessions untouched). How many members it had;
    :class:`NotFound` without the group (deleted already)."""
    async with ClientGroup._meta.db.transaction():
        current = await _locked(group_id)
        members = (
            await Client.update({Client.client_group: None, Client.updated_at: now})
            .where(Client.client_group == group_id)
            .returning(Client.id)
        )
        await _end_sessions(group_id)
        await ClientGroupEmail.delete().where(ClientGroupEmail.client_group == group_id)
        await ClientGroup.delete().where(ClientGroup.id == group_id)
        await audit.record(
            "group_deleted", now=now, actor=actor, ip=ip,
            details={"group": group_id, "name": current.name,
                     "members": sorted(m["id"] for m in members)},
        )  # fmt: skip
    return len(members)


async def _end_sessions(group_id: int) -> None:
    await ClientGroup.update({ClientGroup.session_epoch: ClientGroup.session_epoch + 1}).where(
        ClientGroup.id == group_id
    )
    await sessions.end_group_sessions(group_id)


async def add_email(group_id: int, text: str, *, actor: str, ip: str, now: datetime) -> None:
    """Add an address to the group's E-mail list (already there: not an error);
    :class:`Invalid` (field ``endereco``), :class:`NotFound` without the group."""
    address = normalize_email(text)
    problem = email_problem(address)
    if problem:
        raise Invalid({"endereco": problem})
    async with ClientGroup._meta.db.transaction():
        if not await _group_exists(group_id):
            raise NotFound(GROUP_NOT_FOUND)
        existing = await read.rows(GROUP_EMAILS, group_id)
        if any(e.address == address for e in existing):
            return
        if len(existing) >= MAX_EMAILS:
            raise Invalid(
                {"endereco": f"O E-mail do grupo já tem {MAX_EMAILS} endereços, o máximo."}
            )
        await ClientGroupEmail.insert(
            ClientGroupEmail(client_group=group_id, address=address)
        ).on_conflict(action="DO NOTHING")
        await audit.record(
            "group_email_added", now=now, actor=actor, ip=ip,
            details={"group": group_id, "address": address},
        )  # fmt: skip


async def remove_email(
    group_id: int, email_id: int, *, actor: str, ip: str, now: datetime
) -> EmailAddress:
    """Remove one address (looked up within the group): the address removed; :class:`NotFound`
    when the group has no such address (any more)."""
    async with ClientGroup._meta.db.transaction():
        rows = (
            await ClientGroupEmail.delete()
            .where((ClientGroupEmail.id == email_id) & (ClientGroupEmail.client_group == group_id))
            .returning(ClientGroupEmail.address)
        )
        if not rows:
            raise NotFound("Esse endereço já não estava na lista.")
        await audit.record(
            "group_email_removed", now=now, actor=actor, ip=ip,
            details={"group": group_id, "address": rows[0]["address"]},
        )  # fmt: skip
    return EmailAddress(email_id, rows[0]["address"])


async def generate_access_code(
    group_id: int, *, settings: Settings, actor: str, ip: str, now: datetime
) -> tuple[str, ...]:
    """Replace the group's code with a fresh one and e-mail it to the group's E-mail list; the
    group's open sessions end. The addresses it went to; the code is never returned, logged or
    audited. Why none was made: :class:`Invalid` (field ``codigo``); :class:`NotFound` without
    the group."""
    code = new_group_code()
    try:  # argon2 outside the write lock, and off the event loop
        code_hash = await passwords.hash(normalize_code(code))
    except passwords.Busy as busy:
        message = "O portal está ocupado agora: tente de novo em alguns segundos."
        raise Invalid({"codigo": message}) from busy
    async with ClientGroup._meta.db.transaction():
        group = await read.first(GROUP_NAME, group_id)
        if group is None:
            raise NotFound(GROUP_NOT_FOUND)
        recipients = tuple(e.address for e in await read.rows(GROUP_EMAILS, group_id))
        if not recipients:
            raise Invalid({"codigo": NO_RECIPIENTS})
        subject, text, html = render_email(
            email_environment(),
            "access_code",
            {
                "client_name": group.name,
                "code": sealing.MASK,  # the sender puts the code back at send time
                "base_url": settings.base_url,
                "provider_name": settings.provider_name,
                "document_formatted": "",
                "group": True,
            },
        )
        await ClientGroup.update(
            {
                ClientGroup.access_code_hash: code_hash,
                ClientGroup.code_generated_at: now,
                ClientGroup.updated_at: now,
            }
        ).where(ClientGroup.id == group_id)
        await _end_sessions(group_id)
        await outbox.enqueue(
            Email(to=recipients, subject=subject, text=text, html=html),
            kind="access_code",
            now=now,
            secret=code,
            secret_key=settings.secret_key,
        )
        await audit.record(
            "group_access_code_generated", now=now, actor=actor, ip=ip,
            details={"group": group_id, "recipients": len(recipients)},
        )  # fmt: skip
    outbox.wake()
    return recipients


async def set_demo_access_code(group_id: int, *, now: datetime) -> str:
    """Give a demo group a fresh code and return it in clear (only ``espaco demo`` prints it)."""
    code = new_group_code()
    await ClientGroup.update(
        {
            ClientGroup.access_code_hash: passwords.hash_secret(normalize_code(code)),
            ClientGroup.code_generated_at: now,
            ClientGroup.session_epoch: ClientGroup.session_epoch + 1,
        }
    ).where(ClientGroup.id == group_id)
    return code
