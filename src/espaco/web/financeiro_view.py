"""What the Financeiro pages show besides the service's data: the PIX BR Code and its QR, and
the PDFs handed plain dataclasses (the closures' rows are in templates/macros/financeiro.html)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import segno
from markupsafe import Markup

from espaco.domain.boleto import format_digitable_line
from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_date
from espaco.domain.pix import build_static_brcode, parse_brcode
from espaco.pdf.boleto import BoletoPdf, render_boleto
from espaco.pdf.nota import NotaItem, NotaPdf, render_nota
from espaco.services.billing.financeiro import BoletoDetail, FiscalDetail
from espaco.settings import Settings

_TXID_UNSAFE = re.compile(r"[^A-Za-z0-9]")


@dataclass(frozen=True)
class Pix:
    payload: str
    qr_svg: Markup


def pix_for(boleto: BoletoDetail, settings: Settings) -> Pix | None:
    """The bank's dynamic BR Code when it came (and its CRC holds), else a static one for the
    provider's PIX key when configured, else None."""
    payload = None
    if boleto.pix_copy_paste:
        try:
            parse_brcode(boleto.pix_copy_paste)
            payload = boleto.pix_copy_paste.strip()
        except DomainError:
            payload = None
    if payload is None and settings.pix_key and settings.pix_name and settings.pix_city:
        txid = _TXID_UNSAFE.sub("", boleto.invoice_external_id)[:25] or "***"
        try:
            payload = build_static_brcode(
                settings.pix_key, settings.pix_name, settings.pix_city, boleto.amount_cents, txid
            )
        except DomainError:
            payload = None
    if payload is None:
        return None
    return Pix(payload, qr_svg(payload))


def qr_svg(payload: str) -> Markup:
    """The QR code of ``payload`` as inline SVG (no XML declaration, no style attributes)."""
    qr = segno.make(payload, error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", title="QR Code PIX")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR Code PIX" ', 1))  # noqa: S704 - segno's own SVG


def printed_line(boleto: BoletoDetail) -> str:
    return format_digitable_line(boleto.digitable_line)


def boleto_pdf(boleto: BoletoDetail, settings: Settings) -> bytes:
    instructions = (
        f"Referente ao período de {format_date(boleto.reference_start)}"
        f" a {format_date(boleto.reference_end)}.",
        "Após o vencimento, consulte o Espaço do Cliente ou fale com o beneficiário.",
    )
    return render_boleto(
        BoletoPdf(
            bank_code=boleto.bank_code,
            bank_name=boleto.bank_name,
            barcode=boleto.barcode,
            digitable_line=boleto.digitable_line,
            due_on=boleto.due_on,
            amount_cents=boleto.amount_cents,
            document_number=boleto.invoice_external_id[:20],
            issued_on=boleto.issued_on,
            payer_name=boleto.payer_name,
            payer_document=boleto.payer_document,
            beneficiary_name=settings.provider_name,
            beneficiary_document=settings.provider_cnpj,
            instructions=instructions,
        )
    )


def nota_pdf(nota: FiscalDetail, settings: Settings) -> bytes:
    return render_nota(
        NotaPdf(
            kind_label=nota.kind_label,
            number=nota.number,
            series=nota.series,
            access_key=nota.access_key,
            issued_at=nota.issued_at,
            amount_cents=nota.amount_cents,
            issuer_name=settings.provider_name,
            issuer_document=settings.provider_cnpj,
            taker_name=nota.taker_name,
            taker_document=nota.taker_document,
            items=tuple(
                NotaItem(i.description, i.quantity, i.unit, i.unit_price_cents, i.amount_cents)
                for i in nota.items
            ),
        ),
        settings.tz,
    )
