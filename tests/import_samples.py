"""Small, valid ``espaco-import/1`` records for the importer's tests; each test breaks or
changes only what it is about."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from espaco.domain.boleto import barcode_to_line, build_barcode, format_digitable_line
from espaco.domain.documents import cnpj_check_digits, cpf_check_digits, format_cnpj
from espaco.domain.fiscal import nfe_key_check_digit
from espaco.domain.pix import build_static_brcode
from espaco.tables import ALL_TABLES

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PROVIDER_CNPJ = "11222333000181"
Record = dict[str, Any]


def cnpj(n: int) -> str:
    base = f"{n:08d}0001"
    return format_cnpj(base + cnpj_check_digits(base))


def cpf(n: int) -> str:
    base = f"{123456000 + n:09d}"
    number = base + cpf_check_digits(base)
    return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"


def digitable_line(due: date, cents: int, n: int = 1) -> str:
    barcode = build_barcode("341", due, cents, f"{n:025d}")
    return format_digitable_line(barcode_to_line(barcode))


def nfe_key(n: int) -> str:
    body = f"352610{PROVIDER_CNPJ}55001{n:09d}1{n:08d}"
    return body + nfe_key_check_digit(body)


def client(n: int = 1, **changes: Any) -> Record:
    record = {
        "external_id": f"CLI-{n}",
        "document": cnpj(1000 + n),
        "name": f"Cliente {n} Ltda",
        "trade_name": f"Cliente {n}",
        "access_emails": [f"compras{n}@cliente.com.br"],
        "invoice_emails": [f"financeiro{n}@cliente.com.br"],
        "active": True,
        "locations": [location(n)],
    }
    record.update(changes)
    return record


def location(n: int = 1, **changes: Any) -> Record:
    record = {
        "external_id": f"LOC-{n}",
        "label": "Matriz",
        "street": "Rua das Flores",
        "number": "120",
        "complement": "Fundos",
        "district": "Centro",
        "city": "Campinas",
        "state": "SP",
        "cep": "13010-050",
        "active": True,
    }
    record.update(changes)
    return record


def invoice(n: int = 1, client_id: str = "CLI-1", **changes: Any) -> Record:
    cents = 123456 + n
    amount = f"{cents // 100}.{cents % 100:02d}"
    due = date(2026, 11, 10)
    record = {
        "external_id": f"FAT-{n}",
        "client": client_id,
        "reference_start": "2026-10-01",
        "reference_end": "2026-10-31",
        "issued_on": "2026-11-01",
        "due_on": due.isoformat(),
        "amount": amount,
        "status": "open",
        "paid_on": None,
        "paid_amount": None,
        "description": "Coleta e destinação de resíduos — outubro/2026",
        "fiscal_document": {
            "kind": "nfe",
            "number": str(n),
            "series": "1",
            "access_key": nfe_key(n),
            "issued_at": "2026-11-01T10:15:00-03:00",
            "amount": amount,
            "items": [
                {
                    "description": "Coleta de resíduo classe II-A",
                    "quantity": "1",
                    "unit": "un",
                    "unit_price": amount,
                    "amount": amount,
                }
            ],
        },
        "boleto": {
            "digitable_line": digitable_line(due, cents, n),
            "bank_name": "Itaú",
            "pix_copy_paste": build_static_brcode(
                PROVIDER_CNPJ, "Verde Campo", "Campinas", cents, f"FAT{n}"
            ),
        },
    }
    record.update(changes)
    return record


def collection(n: int = 1, client_id: str = "CLI-1", location_id: str = "LOC-1", **changes):
    record = {
        "external_id": f"COL-{n}",
        "client": client_id,
        "location": location_id,
        "request": None,
        "scheduled_on": "2026-10-05",
        "performed_at": "2026-10-05T09:32:00-03:00",
        "status": "validated",
        "service": "Troca de caçamba 5 m³",
        "waste": {
            "description": "Resíduo de construção civil",
            "class": "II-B",
            "ibama_code": "17 09 04",
        },  # fmt: skip
        "quantity": "5",
        "unit": "m3",
        "mtr_number": f"2600106795{n:02d}",
        "mtr_status": "Recebido",
        "driver": "José da Silva",
        "vehicle_plate": "ABC1D23",
        "received_by": "Maria Souza",
        "notes": "Caçamba retirada sem excesso.",
        "received_by_cpf": cpf(n),
        "refusal": None,
    }
    record.update(changes)
    return record


def certificate(n: int = 1, client_id: str = "CLI-1", **changes: Any) -> Record:
    record = {
        "external_id": f"CDF-{n}",
        "client": client_id,
        "number": f"{n:04d}/2026",
        "issued_on": "2026-11-05",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "receiver": "Aterro Sanitário Exemplo Ltda",
        "mtr_numbers": ["260010679501"],
    }
    record.update(changes)
    return record


def document(**sections: list[Record]) -> Record:
    return {"format": "espaco-import/1", **sections}


def full_document() -> Record:
    """Two clients, each with an invoice, two collections and a certificate."""
    return document(
        clients=[client(1), client(2)],
        invoices=[invoice(1, "CLI-1"), invoice(2, "CLI-2")],
        collections=[
            collection(1, "CLI-1", "LOC-1"),
            collection(2, "CLI-1", "LOC-1"),
            collection(3, "CLI-2", "LOC-2"),
        ],
        certificates=[certificate(1, "CLI-1"), certificate(2, "CLI-2")],
    )


def write(folder: Path, doc: Record, name: str = "import.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def image_bytes(size: tuple[int, int] = (2400, 1800), kind: str = "JPEG", **save: Any) -> bytes:
    image = Image.new("RGB", size, (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(230, 160, 20))
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, to prove a refused import changed nothing."""
    return {
        table._meta.tablename: await table.select().order_by(table._meta.primary_key)
        for table in ALL_TABLES
    }


async def row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in ALL_TABLES}
