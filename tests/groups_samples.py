"""Two groups of two clients each (matriz e filial), each client with an invoice, a collection
and a place, imported through the real importer; the groups made by the groups service."""

from __future__ import annotations

import import_samples as s

from espaco.demo.clients import set_demo_access_code
from espaco.services.access import groups
from espaco.services.imports import import_document
from espaco.settings import Settings
from espaco.tables import Client

NOW = s.NOW
# CLI-1 (matriz) and CLI-2 (filial) form group 1; CLI-3 and CLI-4 group 2.
DOCS = {n: s.cnpj(1000 + n) for n in range(1, 5)}


def document() -> s.Record:
    return s.document(
        clients=[s.client(n, locations=[s.location(n, label=f"Pátio {n}")]) for n in range(1, 5)],
        invoices=[s.invoice(n, f"CLI-{n}") for n in range(1, 5)],
        collections=[s.collection(n, f"CLI-{n}", f"LOC-{n}") for n in range(1, 5)],
    )


async def client_id(n: int) -> int:
    rows = await Client.select(Client.id).where(Client.external_id == f"CLI-{n}")
    return int(rows[0]["id"])


async def seed(settings: Settings) -> dict[str, int]:
    """Import the four clients and make the two groups; their ids by name."""
    result = await import_document(document(), settings, base_dir=None, now=NOW)
    assert result.ok, result.problems
    ids: dict[str, int] = {f"CLI-{n}": await client_id(n) for n in range(1, 5)}
    for name, members in (("G1", (1, 2)), ("G2", (3, 4))):
        group = await groups.create_group(f"Grupo {name}", actor="teste", ip="", now=NOW)
        for n in members:
            assert (
                await groups.add_member(group, ids[f"CLI-{n}"], actor="t", ip="", now=NOW) is None
            )
        ids[name] = group
    return ids


async def group_code(group_id: int) -> str:
    return await groups.set_demo_access_code(group_id, now=NOW)


async def client_code(n: int) -> str:
    return await set_demo_access_code(f"CLI-{n}", now=NOW)
