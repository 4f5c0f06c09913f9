"""The boleto PDF: the payer's receipt and the ficha de compensação (FEBRABAN layout) with the
linha digitável and the Interleaved 2 of 5 barcode of the 44-digit code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from espaco.domain.boleto import format_digitable_line
from espaco.domain.documents import format_document
from espaco.domain.formatting import format_date
from espaco.domain.money import format_brl
from espaco.pdf.fonts import FAMILY, add_fonts

# FEBRABAN: the barcode is 103 mm long and 13 mm high; the narrow element is a third of the
# wide one. 44 digits in I2of5 plus start and stop take ~405 narrow units: 0.254 mm each.
BAR_WIDE_MM = 0.762
BAR_HEIGHT_MM = 13.0
LEFT = 10.0
WIDTH = 190.0
RIGHT_COLUMN = 48.0


@dataclass(frozen=True)
class BoletoPdf:
    """What the slip prints, already chosen by the caller."""

    bank_code: str
    bank_name: str
    barcode: str
    digitable_line: str
    due_on: date
    amount_cents: int
    document_number: str
    issued_on: date
    payer_name: str
    payer_document: str
    beneficiary_name: str
    beneficiary_document: str
    instructions: tuple[str, ...] = ()


def bank_check_digit(bank_code: str) -> str:
    """The check digit printed after the bank's code (``001-9``, ``341-7``, ``104-0``): mod 11
    with weights 2, 3, 4 from the right, where 10 and 11 become 0."""
    total = sum(int(c) * (2 + i) for i, c in enumerate(reversed(bank_code)))
    digit = 11 - total % 11
    return "0" if digit >= 10 else str(digit)


class _Slip(FPDF):
    def field(self, x: float, y: float, w: float, h: float, label: str, value: str,
              *, bold: bool = False, align: str = "L") -> None:  # fmt: skip
        self.rect(x, y, w, h)
        self.set_font(FAMILY, "", 6)
        self.set_xy(x + 0.8, y + 0.4)
        self.cell(w - 1.6, 2.6, label)
        self.set_font(FAMILY, "B" if bold else "", 9)
        self.set_xy(x + 0.8, y + h - 4.6)
        self.cell(w - 1.6, 4.2, value, align=align)


def render_boleto(slip: BoletoPdf) -> bytes:
    """One A4 page: the payer's receipt, a cut line, and the ficha de compensação."""
    pdf = _Slip(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Boleto {slip.document_number}")
    pdf.set_author(slip.beneficiary_name)
    pdf.set_creator("Espaço do Cliente")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    add_fonts(pdf)
    pdf.set_line_width(0.2)
    line = format_digitable_line(slip.digitable_line)
    bank = f"{slip.bank_code}-{bank_check_digit(slip.bank_code)}"
    amount = format_brl(slip.amount_cents)
    due = format_date(slip.due_on)
    beneficiary = f"{slip.beneficiary_name}"
    if slip.beneficiary_document:
        beneficiary += f" — CNPJ {format_document(slip.beneficiary_document)}"
    payer = f"{slip.payer_name} — {_document_label(slip.payer_document)}"

    y = 12.0
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(LEFT, y)
    pdf.cell(WIDTH, 6, "Recibo do pagador")
    y += 8
    pdf.field(LEFT, y, WIDTH - RIGHT_COLUMN, 9, "Beneficiário", beneficiary)
    pdf.field(LEFT + WIDTH - RIGHT_COLUMN, y, RIGHT_COLUMN, 9, "Vencimento", due, bold=True,
              align="R")  # fmt: skip
    y += 9
    pdf.field(LEFT, y, WIDTH - RIGHT_COLUMN, 9, "Pagador", payer)
    pdf.field(LEFT + WIDTH - RIGHT_COLUMN, y, RIGHT_COLUMN, 9, "Valor do documento", amount,
              bold=True, align="R")  # fmt: skip
    y += 9
    pdf.field(LEFT, y, WIDTH - RIGHT_COLUMN, 9, "Linha digitável", line)
    pdf.field(LEFT + WIDTH - RIGHT_COLUMN, y, RIGHT_COLUMN, 9, "Nº do documento",
              slip.document_number, align="R")  # fmt: skip
    y += 16
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.line(LEFT, y, LEFT + WIDTH, y)
    pdf.set_dash_pattern()
    pdf.set_font(FAMILY, "", 6)
    pdf.set_xy(LEFT, y + 0.5)
    pdf.cell(WIDTH, 3, "Corte na linha pontilhada", align="R")
    y += 8

    # Ficha de compensação: bank | code-DV | linha digitável
    bank_name = (slip.bank_name or f"Banco {slip.bank_code}")[:26]
    pdf.set_font(FAMILY, "B", _fitted(pdf, bank_name, 52, 11))
    pdf.set_xy(LEFT, y)
    pdf.cell(52, 8, bank_name)
    pdf.set_font(FAMILY, "B", 14)
    pdf.set_xy(LEFT + 52, y)
    pdf.cell(22, 8, bank, border="LR", align="C")
    # At 10.5 pt the 54 characters ran ~4 mm past their box, over the bank code's.
    pdf.set_font(FAMILY, "B", _fitted(pdf, line, WIDTH - 74, 10.5))
    pdf.set_xy(LEFT + 74, y)
    pdf.cell(WIDTH - 74, 8, line, align="R")
    y += 8
    main = WIDTH - RIGHT_COLUMN
    col = LEFT + main
    pdf.field(LEFT, y, main, 9, "Local de pagamento",
              "Pagável em qualquer banco, casa lotérica ou app até o vencimento")  # fmt: skip
    pdf.field(col, y, RIGHT_COLUMN, 9, "Vencimento", due, bold=True, align="R")
    y += 9
    pdf.field(LEFT, y, main, 9, "Beneficiário", beneficiary)
    pdf.field(col, y, RIGHT_COLUMN, 9, "Agência / Código do beneficiário", "—", align="R")
    y += 9
    widths = (30, 38, 20, 14, main - 102)
    labels = (
        "Data do documento",
        "Nº do documento",
        "Espécie doc.",
        "Aceite",
        "Data processamento",
    )
    values = (format_date(slip.issued_on), slip.document_number, "DS", "N",
              format_date(slip.issued_on))  # fmt: skip
    x = LEFT
    for w, label, value in zip(widths, labels, values, strict=True):
        pdf.field(x, y, w, 9, label, value)
        x += w
    pdf.field(col, y, RIGHT_COLUMN, 9, "Nosso número", slip.barcode[-11:], align="R")
    y += 9
    widths = (30, 22, 16, 34, main - 102)
    labels = ("Uso do banco", "Carteira", "Espécie", "Quantidade", "Valor")
    values = ("", "", "R$", "", "")
    x = LEFT
    for w, label, value in zip(widths, labels, values, strict=True):
        pdf.field(x, y, w, 9, label, value)
        x += w
    pdf.field(col, y, RIGHT_COLUMN, 9, "(=) Valor do documento", amount, bold=True, align="R")
    y += 9
    pdf.rect(LEFT, y, main, 36)
    pdf.set_font(FAMILY, "", 6)
    pdf.set_xy(LEFT + 0.8, y + 0.4)
    pdf.cell(main - 1.6, 2.6, "Instruções (texto de responsabilidade do beneficiário)")
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_xy(LEFT + 0.8, y + 4)
    pdf.multi_cell(main - 1.6, 4.2, "\n".join(slip.instructions))
    for i, label in enumerate(("(−) Desconto / Abatimento", "(+) Mora / Multa",
                               "(+) Outros acréscimos", "(=) Valor cobrado")):  # fmt: skip
        pdf.field(col, y + i * 9, RIGHT_COLUMN, 9, label, "")
    y += 36
    pdf.rect(LEFT, y, WIDTH, 14)
    pdf.set_font(FAMILY, "", 6)
    pdf.set_xy(LEFT + 0.8, y + 0.4)
    pdf.cell(20, 2.6, "Pagador")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_xy(LEFT + 0.8, y + 4)
    pdf.cell(WIDTH - 1.6, 4.5, payer)
    y += 14
    pdf.set_font(FAMILY, "", 6)
    pdf.set_xy(LEFT + WIDTH - 70, y + 0.5)
    pdf.cell(70, 3, "Autenticação mecânica — Ficha de compensação", align="R")
    pdf.set_fill_color(0)
    pdf.interleaved2of5(slip.barcode, LEFT, y + 4, w=BAR_WIDE_MM, h=BAR_HEIGHT_MM)
    return bytes(pdf.output())


def _document_label(document: str) -> str:
    kind = "CPF" if len(document) == 11 else "CNPJ"
    return f"{kind} {format_document(document)}"


def _fitted(pdf: FPDF, text: str, width: float, size: float) -> float:
    """The largest font size up to ``size`` (half-point steps) at which ``text`` fits ``width``
    mm with the cell's margins on both sides, in the current family and style."""
    room = width - 2 * pdf.c_margin
    while size > 6:
        pdf.set_font_size(size)
        if pdf.get_string_width(text) <= room:
            break
        size -= 0.5
    return size
