"""The boleto PDF's ficha de compensação header: bank name | code-DV | linha digitável, each in
its own box (read back from the PDF's text positions)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from espaco.domain.boleto import barcode_to_line, build_barcode, format_digitable_line
from espaco.pdf.boleto import LEFT, WIDTH, BoletoPdf, render_boleto

MM = 72 / 25.4  # PDF points per millimetre


def slip(bank_name: str) -> BoletoPdf:
    barcode = build_barcode("001", date(2026, 12, 10), 8_888_888_88, "8" * 25)
    return BoletoPdf(
        bank_code="001",
        bank_name=bank_name,
        barcode=barcode,
        digitable_line=barcode_to_line(barcode),
        due_on=date(2026, 12, 10),
        amount_cents=8_888_888_88,
        document_number="FAT-1",
        issued_on=date(2026, 12, 1),
        payer_name="Padaria Pão Quente Ltda",
        payer_document="11222333000181",
        beneficiary_name="Verde Campo Ambiental Ltda",
        beneficiary_document="11222333000181",
        instructions=("Referente a novembro.",),
    )


def text_runs(pdf: bytes) -> list[tuple[str, float, float]]:
    """Each run of text with its x and font size, in millimetres and points."""
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            runs.append((text.strip(), (tm[4] * cm[0] + cm[4]) / MM, size * tm[0]))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def test_the_linha_digitavel_stays_right_of_the_bank_code_box() -> None:
    data = slip("Banco do Brasil S.A. — Agência 1234")
    line = format_digitable_line(data.digitable_line)
    runs = text_runs(render_boleto(data))
    header = [r for r in runs if r[0] == line]
    assert header, [r[0] for r in runs]
    # The ficha's line (the last one printed) starts right of the 22 mm code box at LEFT + 52.
    text, x, _size = header[-1]
    assert x >= LEFT + 74, f"the linha digitável starts at {x:.1f} mm, inside the code box"
    assert x <= LEFT + WIDTH


def test_a_long_bank_name_is_shrunk_to_its_box() -> None:
    runs = text_runs(render_boleto(slip("Banco Cooperativo Sicredi S.A. Ltda")))
    (name,) = [r for r in runs if r[0].startswith("Banco Cooperativo")]
    assert name[2] < 11  # smaller than the usual 11 pt, so it ends before the code box
