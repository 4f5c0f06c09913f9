"""Small factories: each test builds the rows it needs, and nothing else."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from espaco.domain.documents import cnpj_check_digits, cpf_check_digits
from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.tables import Client, ClientEmail, Location

_counter = itertools.count(1)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def cnpj(n: int | None = None, *, letters: bool = False) -> str:
    """A valid normalised CNPJ (alphanumeric when ``letters``)."""
    n = next(_counter) if n is None else n
    base = (f"{n:04d}AB{n % 97:02d}0001" if letters else f"{n:08d}0001")[:12]
    return base + cnpj_check_digits(base)


def cpf(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    base = f"{(n * 7919) % 10**9:09d}"
    if len(set(base)) == 1:
        base = "123456780"
    return base + cpf_check_digits(base)


async def make_client(
    *,
    name: str = "Padaria Pão Quente Ltda",
    trade_name: str = "Pão Quente",
    document: str | None = None,
    external_id: str | None = None,
    active: bool = True,
    code: str | None = "generate",
    emails: tuple[str, ...] = ("compras@paoquente.com.br",),
    invoice_emails: tuple[str, ...] = (),
    when: datetime = NOW,
) -> tuple[int, str | None]:
    """A client with an access code (``code=None``: none yet), its access and invoice e-mails,
    made ``when``; returns (id, code in clear or None)."""
    number = next(_counter)
    plain = new_access_code() if code == "generate" else code
    rows = await Client.insert(
        Client(
            external_id=external_id or f"CLI-{number:05d}",
            document=document or cnpj(number),
            name=name,
            trade_name=trade_name,
            active=active,
            access_code_hash=hash_secret(normalize_code(plain)) if plain else None,
            code_generated_at=when if plain else None,
            created_at=when,
            updated_at=when,
        )
    ).returning(Client.id)
    client_id = rows[0]["id"]
    for kind, addresses in (("access", emails), ("invoice", invoice_emails)):
        for address in addresses:
            await ClientEmail.insert(ClientEmail(client=client_id, kind=kind, address=address))
    return client_id, plain


async def make_location(client_id: int, *, label: str = "Matriz", active: bool = True) -> int:
    number = next(_counter)
    rows = await Location.insert(
        Location(
            client=client_id,
            external_id=f"LOC-{number:05d}",
            label=label,
            street="Rua das Flores",
            number="120",
            district="Centro",
            city="Campinas",
            state="SP",
            cep="13010050",
            active=active,
        )
    ).returning(Location.id)
    return rows[0]["id"]
