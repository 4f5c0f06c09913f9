"""Invoices with their fiscal document and boleto, for the Financeiro tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from espaco.domain.boleto import barcode_to_line, build_barcode
from espaco.domain.fiscal import nfe_key_check_digit
from espaco.tables import Boleto, FiscalDocument, Invoice

_counter = itertools.count(1)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def nfe_key(number: int) -> str:
    first = f"35261011222333000181550010{number:09d}1{number:08d}"[:43]
    return first + nfe_key_check_digit(first)


async def make_invoice(
    client_id: int,
    due_on: date,
    amount_cents: int = 150_075,
    *,
    status: str = "open",
    paid_on: date | None = None,
    fiscal: str | None = "nfse",
    boleto: bool = True,
    pix: str | None = None,
    pdf_path: str | None = None,
    xml_path: str | None = None,
) -> int:
    """An invoice due on ``due_on``; with an NFS-e/NF-e (``fiscal``) and a boleto by default."""
    n = next(_counter)
    start = due_on.replace(day=1)
    rows = await Invoice.insert(
        Invoice(
            client=client_id,
            external_id=f"FAT-{n:06d}",
            reference_start=start,
            reference_end=start,
            issued_on=start,
            due_on=due_on,
            amount_cents=amount_cents,
            status=status,
            paid_on=paid_on,
            paid_amount_cents=amount_cents if status == "paid" else None,
            description="Coleta de resíduos",
            updated_at=NOW,
        )
    ).returning(Invoice.id)
    invoice_id: int = rows[0]["id"]
    if fiscal:
        key = nfe_key(n) if fiscal == "nfe" else f"{n:050d}"
        await FiscalDocument.insert(
            FiscalDocument(
                invoice=invoice_id,
                client=client_id,
                kind=fiscal,
                number=str(1000 + n),
                series="1",
                access_key=key,
                issued_at=NOW,
                amount_cents=amount_cents,
                items=[
                    {
                        "description": "Coleta de resíduos classe II — caçamba 5 m³",
                        "quantity": "2",
                        "unit": "un",
                        "unit_price_cents": amount_cents // 2,
                        "amount_cents": amount_cents - amount_cents // 2,
                    }
                ],
                pdf_path=pdf_path,
                xml_path=xml_path,
            )
        )
    if boleto:
        barcode = build_barcode("001", due_on, amount_cents, f"{n:025d}")
        await Boleto.insert(
            Boleto(
                invoice=invoice_id,
                bank_code="001",
                bank_name="Banco do Brasil",
                barcode=barcode,
                digitable_line=barcode_to_line(barcode),
                pix_copy_paste=pix,
            )
        )
    return invoice_id
