"""Groups (matriz e filiais) that clients name in ``clients[].group``.

A group is found by its ``external_id``, made when new and renamed when the ERP's name
changed; each client that names one joins it (leaving any other: a client is in at most one
group), and a client whose ``group`` is null leaves its group. A client without the field keeps
the group it has, so files written before groups existed change nothing. Importing the same
file again changes nothing. A session of a group the client left stops seeing it at once (the
scope is read from the members at each request), so nothing else is done here.
"""

from __future__ import annotations

from espaco.services.imports.model import GroupRef, Unchanged, ValidDocument
from espaco.services.imports.store import Writer


async def store_groups(writer: Writer, doc: ValidDocument) -> None:
    """Upsert the groups the clients name, then set each naming client's group."""
    named = {c.external_id: c.group for c in doc.clients if not isinstance(c.group, Unchanged)}
    if not named:
        return
    sql = writer.sql
    refs = {g.external_id: g for g in named.values() if isinstance(g, GroupRef)}
    stored = {
        row["external_id"]: row
        for row in await sql.fetch_in(
            "SELECT id, external_id, name FROM client_group WHERE external_id IN ({in})",
            sorted(refs),
        )
    }
    new = [ref for key, ref in sorted(refs.items()) if key not in stored]
    ids = await sql.new_ids("client_group", len(new))
    await sql.insert_many(
        "client_group",
        ("id", "external_id", "name", "session_epoch", "created_at", "updated_at"),
        [
            (i, ref.external_id, ref.name, 0, writer.now, writer.now)
            for i, ref in zip(ids, new, strict=True)
        ],
    )
    group_ids = {key: row["id"] for key, row in stored.items()}
    group_ids.update((ref.external_id, i) for i, ref in zip(ids, new, strict=True))
    await sql.execute_many(
        "UPDATE client_group SET name = {}, updated_at = {} WHERE id = {}",
        [
            (refs[key].name, writer.now, row["id"])
            for key, row in stored.items()
            if row["name"] != refs[key].name
        ],
    )
    clients = await sql.fetch_in(
        "SELECT id, external_id, client_group FROM client WHERE external_id IN ({in})",
        sorted(named),
    )
    changes = []
    for row in clients:
        ref = named[row["external_id"]]
        wanted = group_ids[ref.external_id] if isinstance(ref, GroupRef) else None
        if row["client_group"] != wanted:
            changes.append((wanted, writer.now, row["id"]))
    await sql.execute_many(
        "UPDATE client SET client_group = {}, updated_at = {} WHERE id = {}", changes
    )
