"""A DANFE/DANFSe-like summary of a fiscal document, for when the ERP sent the XML without its PDF.

``brazilfiscalreport`` renders the official layouts from a full SEFAZ XML; the portal only keeps
the fields the import format carries (the stored XML may be a simplified one), so this prints
those fields as a one-page summary that says it is not the official document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from fpdf import FPDF

from espaco.domain.documents import format_document
from espaco.domain.fiscal import format_access_key
from espaco.domain.formatting import format_datetime
from espaco.domain.money import format_brl, format_quantity
from espaco.pdf.fonts import FAMILY, add_fonts


@dataclass(frozen=True)
class NotaItem:
    description: str
    quantity: str
    unit: str
    unit_price_cents: int
    amount_cents: int


@dataclass(frozen=True)
class NotaPdf:
    kind_label: str
    number: str
    series: str
    access_key: str
    issued_at: datetime
    amount_cents: int
    issuer_name: str
    issuer_document: str
    taker_name: str
    taker_document: str
    items: tuple[NotaItem, ...]


def render_nota(nota: NotaPdf, tz: tzinfo) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{nota.kind_label} {nota.number}")
    pdf.set_creator("Espaço do Cliente")
    pdf.add_page()
    add_fonts(pdf)
    title = "DANFSe" if nota.kind_label == "NFS-e" else "DANFE"
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, f"{title} simplificado — {nota.kind_label} nº {nota.number}", new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    pdf.set_font(FAMILY, "", 8)
    pdf.multi_cell(0, 4, "Resumo dos dados do documento fiscal; não substitui o documento "
                   "oficial, cuja validade se consulta pela chave de acesso.")  # fmt: skip
    pdf.ln(2)
    rows = [
        ("Emitente", f"{nota.issuer_name} — {_doc(nota.issuer_document)}"),
        ("Tomador", f"{nota.taker_name} — {_doc(nota.taker_document)}"),
        ("Número / série", f"{nota.number} / {nota.series or '—'}"),
        ("Emissão", format_datetime(nota.issued_at, tz)),
        ("Chave de acesso", format_access_key(nota.access_key)),
        ("Valor total", format_brl(nota.amount_cents)),
    ]
    for label, value in rows:
        pdf.set_font(FAMILY, "B", 9)
        pdf.cell(35, 6, label, border="B")
        pdf.set_font(FAMILY, "", 9)
        pdf.cell(0, 6, value, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if nota.items:
        with pdf.table(col_widths=(80, 20, 15, 35, 40), text_align=("LEFT", "RIGHT", "LEFT",
                       "RIGHT", "RIGHT"), line_height=5) as table:  # fmt: skip
            table.row(["Descrição", "Qtd.", "Un.", "Valor unitário", "Valor"])
            for item in nota.items:
                quantity = format_quantity(item.quantity or "0")
                unit_price, amount = (
                    format_brl(item.unit_price_cents),
                    format_brl(item.amount_cents),
                )
                table.row([item.description, quantity, item.unit, unit_price, amount])
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 7)
    pdf.cell(0, 4, "Gerado pelo Espaço do Cliente a partir dos dados importados do ERP")
    return bytes(pdf.output())


def _doc(document: str) -> str:
    if not document:
        return ""
    return ("CPF " if len(document) == 11 else "CNPJ ") + format_document(document)
