"""Realistic demo data as an ``espaco-import/1`` document (see import-format.md).

``espaco demo`` imports what ``build_demo_import`` writes, so the demo data
goes in through the same door as the ERP's. Everything derives from one
``random.Random(seed)`` and ``today``: the same pair writes the same bytes.

The parts: ``demo_names`` (the lists drawn from), ``demo_context`` (the
seeded draws), ``demo_billing`` (invoices), ``demo_collections`` (collections
and CDFs), ``demo_media`` (photos, signatures, PDFs, XML).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from espaco.demo import media
from espaco.demo.billing import invoices
from espaco.demo.collections import certificates, collections
from espaco.demo.context import Context, DemoClientState, Record, add_months
from espaco.demo.names import (
    BANKS,
    CITY_COORDINATES,
    COMPLEMENTS,
    DEFAULT_LABELS,
    DEMO_GROUP,
    FIRST_NAMES,
    INACTIVE_CLIENT,
    INACTIVE_LOCATION,
    LOCATION_LABELS,
    PROFILES,
    STREETS,
    Profile,
)
from espaco.domain.documents import format_document

FORMAT = "espaco-import/1"
IMPORT_FILE = "espaco-import.json"
INACTIVE_MONTHS = 4  # the inactive client's last invoice was this many months ago


@dataclass(frozen=True)
class DemoClient:
    external_id: str
    document: str  # normalised (no punctuation, upper-case)
    name: str


@dataclass(frozen=True)
class DemoDocument:
    path: Path  # the JSON file written
    clients: list[DemoClient]  # the first one is the one the demo prints as login


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _emails(ctx: Context, profile: Profile) -> tuple[list[str], list[str]]:
    rng = ctx.rng
    if profile.trade_name is None:  # a person: one personal address for everything
        parts = _ascii(profile.name).split()
        address = f"{parts[0]}.{parts[-1]}@{profile.domain}"
        return [address], [address]
    access = [f"{rng.choice(('compras', 'gerencia', 'adm'))}@{profile.domain}"]
    if rng.random() < 0.4:
        access.append(f"{_ascii(rng.choice(FIRST_NAMES))}@{profile.domain}")
    invoice = [f"financeiro@{profile.domain}"]
    if rng.random() < 0.5:
        invoice.append("fiscal@contabilidadecampinas.com.br")
    return access, invoice


def _locations(ctx: Context, client: DemoClientState) -> list[Record]:
    rng = ctx.rng
    labels = LOCATION_LABELS.get(client.profile.kind, DEFAULT_LABELS)
    used: set[str] = set()  # districts: one place per district, named after it
    result = []
    for number, city in enumerate(client.profile.cities):
        street = rng.choice([s for s in STREETS[city] if s.district not in used])
        used.add(street.district)
        ctx.location_count += 1
        external_id = f"LOC-{ctx.location_count:04d}"
        lat, lon = CITY_COORDINATES[city]
        client.coordinates[external_id] = (
            lat + rng.uniform(-0.03, 0.03),
            lon + rng.uniform(-0.03, 0.03),
        )
        result.append(
            {
                "external_id": external_id,
                "label": labels[number].format(district=street.district),
                "street": street.street,
                "number": str(rng.randint(12, 3200)),
                "complement": rng.choice(COMPLEMENTS),
                "district": street.district,
                "city": city,
                "state": "SP",
                "cep": f"{street.cep_prefix}-{rng.randint(0, 999):03d}",
                "active": (client.index, number) != INACTIVE_LOCATION,
            }
        )
    return result


def _client(ctx: Context, index: int, profile: Profile) -> DemoClientState:
    rng = ctx.rng
    is_person = profile.trade_name is None
    document = ctx.cpf() if is_person else ctx.cnpj(profile.alphanumeric)
    access, invoice = _emails(ctx, profile)
    months_back = INACTIVE_MONTHS if index == INACTIVE_CLIENT else 1
    client = DemoClientState(
        index=index,
        profile=profile,
        document=document,
        bank=rng.choice(sorted(BANKS)),
        pix=index == 0 or rng.random() < 0.5,
        last_month=add_months(ctx.today.year, ctx.today.month, -months_back),
        record={
            "external_id": f"CLI-{index + 1:04d}",
            "document": format_document(document),
            "name": profile.name,
            "trade_name": profile.trade_name,
            "access_emails": access,
            "invoice_emails": invoice,
            "active": index != INACTIVE_CLIENT,
        },
    )
    client.record["locations"] = _locations(ctx, client)
    group_id, group_name, members = DEMO_GROUP
    if index in members:
        client.record["group"] = {"external_id": group_id, "name": group_name}
    client.contacts = [(ctx.person(), ctx.cpf()) for _ in range(rng.randint(2, 3))]
    if is_person:  # a person usually receives the driver at home
        client.contacts[0] = (profile.name, document)
    return client


def build_demo_import(dest: Path, *, today: date, seed: int = 2026) -> DemoDocument:
    """Write a realistic espaco-import/1 document (and its photo/signature/fiscal
    files) under dest."""
    dest = Path(dest)
    ctx = Context(dest, today, seed)
    for folder in ("fotos", "notas", "cdf"):
        (dest / folder).mkdir(parents=True, exist_ok=True)
    for name, data in media.photo_jpegs(ctx.rng).items():
        media.write(dest / f"fotos/{name}.jpg", data)
    for number, data in enumerate(media.signature_pngs(ctx.rng), start=1):
        media.write(dest / f"fotos/assinatura-{number}.png", data)
    clients = [_client(ctx, index, profile) for index, profile in enumerate(PROFILES)]
    all_invoices = invoices(ctx, clients)
    all_collections: list[Record] = []
    for client in clients:
        all_collections += collections(ctx, client, len(all_collections) + 1)
    document = {
        "format": FORMAT,
        "clients": [client.record for client in clients],
        "invoices": all_invoices,
        "collections": all_collections,
        "certificates": certificates(ctx, clients, all_collections),
    }
    path = dest / IMPORT_FILE
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return DemoDocument(
        path=path,
        clients=[DemoClient(c.external_id, c.document, c.profile.name) for c in clients],
    )
