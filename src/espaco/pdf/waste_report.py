"""The Relatório de resíduos as a PDF the client hands to an inspector or an auditor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from espaco.domain.formatting import format_date, format_int_br
from espaco.domain.money import format_quantity
from espaco.pdf.fonts import FAMILY, add_fonts
from espaco.services.collections.waste_report import Report, quantity_text


@dataclass(frozen=True)
class ReportHeader:
    """Who the report is of and by, for the PDF's heading."""

    client_name: str
    client_document: str  # formatted (CNPJ) or masked (CPF)
    provider_name: str
    place: str  # "Todos os locais" or a place's label
    generated_on: date


def quantities(values: dict[str, object]) -> str:
    return "\n".join(
        f"{format_quantity(quantity_text(v))} {unit}"  # type: ignore[arg-type]
        for unit, v in values.items()
    )


def render_report(report: Report, header: ReportHeader) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title("Relatório de resíduos")
    pdf.set_creator(header.provider_name)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    add_fonts(pdf)
    pdf.set_font(FAMILY, "B", 13)
    period = f"{format_date(report.period.start)} a {format_date(report.period.end)}"
    pdf.cell(0, 7, f"Relatório de resíduos — {period}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    for text in (
        f"Gerador: {header.client_name} — {header.client_document}",
        f"Local: {header.place}",
        f"Coletas realizadas: {format_int_br(report.collections)} · "
        f"MTRs: {format_int_br(report.mtr_count)}",
        f"Emitido em {format_date(header.generated_on)} pelo Espaço do Cliente "
        f"({header.provider_name}), a partir dos dados de coleta, MTR e CDF.",
    ):
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not report.lines:
        pdf.cell(0, 6, "Nenhuma coleta realizada neste período.")
        return bytes(pdf.output())
    pdf.set_font(FAMILY, "", 7)
    widths = (18, 52, 26, 26, 40, 40, 24, 26, 25)
    with pdf.table(col_widths=widths, line_height=3.6, repeat_headings=1) as table:
        table.row(["Código IBAMA", "Resíduo", "Quantidade", "Coletas", "Transportador",
                   "Destinador", "Tratamento", "MTRs", "CDFs"])  # fmt: skip
        for line in report.lines:
            waste = line.description
            details = [
                f"Classe {line.waste_class}" if line.waste_class else "",
                line.physical_state,
                "Perigoso" if line.hazardous else "Não perigoso",
            ]
            waste += "\n" + " · ".join(d for d in details if d)
            table.row(
                [
                    line.ibama_code or "—",
                    waste,
                    quantities(dict(line.quantities)) or "—",
                    format_int_br(line.collections)
                    + (f"\n{line.without_mtr} sem MTR" if line.without_mtr else ""),
                    "\n".join(line.transporters) or "—",
                    "\n".join(line.receivers) or "—",
                    "\n".join(line.treatments) or "—",
                    ", ".join(line.mtrs) or "—",
                    ", ".join(line.cdfs) or "—",
                ]
            )
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(0, 5, "Total do período", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(0, 5, quantities(dict(report.totals)) or "—")
    return bytes(pdf.output())
