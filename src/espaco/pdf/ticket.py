"""The collection ticket: the proof of service a client shows an inspector, as a PDF.

Handed a :class:`TicketData` (plain values, no queries), returns the PDF's bytes. Photos and the
signature are embedded as stored: they were downscaled once, on import (see
``espaco.services.operations.media``), so a ticket with four photos stays well under 600 KB and
no request pays for image processing.

Text is set in fpdf2's core Helvetica with the WinAnsi (cp1252) encoding, not an embedded
TrueType font. Measured with ``bench/ticket.py`` on the 2-core machines: fpdf2 subsets and
re-saves every embedded TrueType font with fontTools inside each ``output()`` -- about 30 ms of a
36 ms ticket even when the DejaVu files handed to it were subset beforehand (so shipping a
pre-subset font saves nothing), against a budget of 10x a bare page (~4 ms). A core font is only
a name in the PDF; cp1252 holds every Portuguese letter and the punctuation the ticket prints
(—, ·, º, ³, curly quotes, •, €). Anything outside it goes through ``pdf.text.printable``
(accents dropped, a few symbols spelled out, else "?"), so a name in another script never
crashes a render.

:func:`render_cached` keeps each rendered ticket on disk under a key made of the collection's
``content_hash``, the renderer's :data:`VERSION` and the few things the ticket shows that the
collection's hash does not cover (provider, client and place), so any change renders anew.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from fpdf import FPDF

from espaco.domain.documents import format_document, mask_cpf
from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_date, format_datetime
from espaco.domain.money import format_quantity
from espaco.pdf.text import lines, printable
from espaco.private import private_dir

# Bump when the layout changes: cached tickets of the old layout are then not used.
VERSION = "2"
FONT = "helvetica"
STATUS_LABELS = {"done": "Realizada", "validated": "Validada"}
STAGE_LABELS = {"before": "Antes", "after": "Depois"}
GREEN = (23, 107, 69)
GREY = (90, 98, 94)


@dataclass(frozen=True)
class TicketPhoto:
    stage: str
    path: Path
    width: int
    height: int
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class TicketData:
    """Everything a ticket shows, already looked up."""

    number: str
    content_hash: str
    provider_name: str
    provider_cnpj: str
    provider_logo: str
    client_name: str
    client_document: str
    location: str
    address: str
    scheduled_on: date | None
    performed_at: datetime | None
    status: str
    service: str
    waste_description: str
    waste_class: str
    waste_ibama_code: str
    quantity: str
    unit: str
    mtr_number: str | None
    mtr_status: str | None
    driver: str
    vehicle_plate: str
    notes: str
    received_by: str
    received_by_cpf: str | None
    refusal: str | None
    signature: Path | None
    photos: list[TicketPhoto] = field(default_factory=list)


def cache_key(ticket: TicketData) -> str:
    """The name a rendered ticket is kept under (see the module's docstring)."""
    logo = ticket.provider_logo
    logo_stamp = ""
    if logo:
        try:
            stat = Path(logo).stat()
            logo_stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            logo_stamp = "missing"
    context = "\x1f".join(
        (
            ticket.provider_name,
            ticket.provider_cnpj,
            logo,
            logo_stamp,
            ticket.client_name,
            ticket.client_document,
            ticket.location,
            ticket.address,
        )
    )
    extra = hashlib.sha256(context.encode()).hexdigest()[:16]
    return f"{ticket.content_hash or 'sem-hash'}-v{VERSION}-{extra}"


def render_cached(ticket: TicketData, tz: tzinfo, cache_dir: Path) -> bytes:
    """The ticket's PDF from the disk cache, rendering and storing it on a miss."""
    path = cache_dir / f"{cache_key(ticket)}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render(ticket, tz)
    _write_atomic(path, data)
    return data


def _write_atomic(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)  # readers never see half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _quantity(ticket: TicketData) -> str:
    if not ticket.quantity:
        return ""
    try:
        text = format_quantity(ticket.quantity)
    except DomainError:
        text = ticket.quantity
    return f"{text} {ticket.unit}".strip()


def _document(text: str) -> str:
    try:
        return format_document(text)
    except DomainError:
        return text


def receiver_lines(ticket: TicketData) -> list[str]:
    """What the ticket says about who received the driver, refusals included."""
    lines = [f"Recebido por: {ticket.received_by or 'não informado'}"]
    cpf = (ticket.received_by_cpf or "").strip()
    if cpf == "0":
        lines.append("CPF: recusou-se a informar")
    elif cpf:
        try:
            lines.append(f"CPF: {mask_cpf(cpf)}")
        except DomainError:
            lines.append("CPF: inválido")
    if ticket.refusal:
        lines.append(f"Recusa registrada: {ticket.refusal}")
    if ticket.signature is None:
        lines.append("Sem assinatura")
    return lines


class _Ticket(FPDF):
    def __init__(self, ident: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.core_fonts_encoding = "windows-1252"
        self._ident = ident

    def file_id(self) -> str:
        # fpdf2's default /ID is an MD5 of the whole output (~400 KB of photos): about 1 ms, a
        # quarter of the budget. The ticket's number and content hash identify it just as well.
        return f"<{self._ident}><{self._ident}>"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Página {self.page_no()}/{{nb}}", align="C")


def render(ticket: TicketData, tz: tzinfo) -> bytes:
    """The ticket as PDF bytes. Photos and the signature are embedded as stored (downscaled on
    import): no request resizes an image."""
    ident = hashlib.sha256(f"{ticket.number}\x1f{ticket.content_hash}".encode()).hexdigest()
    pdf = _Ticket(ident[:32].upper())
    pdf.set_title(printable(f"Ticket de coleta {ticket.number}"))
    pdf.set_author(printable(ticket.provider_name))
    pdf.set_creator("Espaço do Cliente")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # -- header: provider ----------------------------------------------------------------------
    top = pdf.get_y()
    text_x = pdf.l_margin
    if ticket.provider_logo and Path(ticket.provider_logo).is_file():
        pdf.image(ticket.provider_logo, x=pdf.l_margin, y=top, h=14)
        text_x = pdf.l_margin + 34
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*GREEN)
    lines(pdf, text_x, width - (text_x - pdf.l_margin), 7, ticket.provider_name)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    if ticket.provider_cnpj:
        lines(pdf, text_x, width, 5, f"CNPJ {_document(ticket.provider_cnpj)}")
    pdf.set_y(max(pdf.get_y(), top + 15))
    pdf.set_draw_color(*GREEN)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 14)
    lines(pdf, pdf.l_margin, width, 8, f"Ticket de coleta nº {ticket.number}")
    pdf.ln(1)

    # -- the collection ------------------------------------------------------------------------
    label_w = 34
    for label, value in _fields(ticket, tz):
        if pdf.get_y() + 5.5 > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*GREY)
        lines(pdf, pdf.l_margin, label_w, 5.5, label)
        label_end = pdf.get_y()
        pdf.set_y(y)
        pdf.set_font(FONT, "", 9.5)
        pdf.set_text_color(0, 0, 0)
        page = pdf.page
        lines(pdf, pdf.l_margin + label_w, width - label_w, 5.5, value)
        if pdf.page == page:
            pdf.set_y(max(pdf.get_y(), label_end))

    # -- photos, two a row ---------------------------------------------------------------------
    if ticket.photos:
        _section(pdf, "Fotos")
        gap = 4
        box_w = (width - gap) / 2
        box_h = 62
        pdf.set_font(FONT, "", 7.5)
        for start in range(0, len(ticket.photos), 2):
            pair = ticket.photos[start : start + 2]
            if pdf.get_y() + box_h + 10 > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            for i, photo in enumerate(pair):
                x = pdf.l_margin + i * (box_w + gap)
                scale = min(box_w / max(photo.width, 1), box_h / max(photo.height, 1))
                w, h = photo.width * scale, photo.height * scale
                pdf.image(str(photo.path), x=x + (box_w - w) / 2, y=y, w=w, h=h)
                pdf.set_y(y + box_h + 1)
                pdf.set_text_color(*GREY)
                lines(pdf, x, box_w, 3.6, _caption(photo, tz), center=True)
            pdf.set_y(y + box_h + 10)
            pdf.set_text_color(0, 0, 0)

    # -- who received the driver ---------------------------------------------------------------
    if pdf.get_y() + 45 > pdf.page_break_trigger:
        pdf.add_page()
    _section(pdf, "Recebimento")
    pdf.set_font(FONT, "", 9.5)
    for line in receiver_lines(ticket):
        lines(pdf, pdf.l_margin, width, 5.5, line)
    if ticket.signature is not None:
        pdf.ln(1)
        y = pdf.get_y()
        pdf.image(str(ticket.signature), x=pdf.l_margin, y=y, h=22)
        pdf.set_y(y + 23)
        pdf.set_draw_color(*GREY)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 80, pdf.get_y())
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(*GREY)
        lines(pdf, pdf.l_margin, 80, 4, "Assinatura", center=True)
    return bytes(pdf.output())


def _fields(ticket: TicketData, tz: tzinfo) -> list[tuple[str, str]]:
    waste = (
        ticket.waste_description,
        f"Classe {ticket.waste_class}" if ticket.waste_class else "",
        f"IBAMA {ticket.waste_ibama_code}" if ticket.waste_ibama_code else "",
    )
    mtr = (ticket.mtr_number or "—") + (
        f" ({ticket.mtr_status})" if ticket.mtr_number and ticket.mtr_status else ""
    )
    return [
        ("Cliente", f"{ticket.client_name} · {_document(ticket.client_document)}"),
        ("Local", f"{ticket.location} — {ticket.address}" if ticket.address else ticket.location),
        ("Agendada para", format_date(ticket.scheduled_on) if ticket.scheduled_on else "—"),
        ("Realizada em", format_datetime(ticket.performed_at, tz) if ticket.performed_at else "—"),
        ("Situação", STATUS_LABELS.get(ticket.status, ticket.status)),
        ("Serviço", ticket.service),
        ("Resíduo", " · ".join(x for x in waste if x) or "—"),
        ("Quantidade", _quantity(ticket) or "—"),
        ("MTR/SINIR", mtr),
        ("Motorista", ticket.driver or "—"),
        ("Placa do veículo", ticket.vehicle_plate or "—"),
        ("Observações", ticket.notes or "—"),
    ]


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*GREEN)
    lines(pdf, pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin, 7, title)
    pdf.set_text_color(0, 0, 0)


def _caption(photo: TicketPhoto, tz: tzinfo) -> str:
    parts = [STAGE_LABELS.get(photo.stage, photo.stage)]
    if photo.taken_at is not None:
        parts.append(format_datetime(photo.taken_at, tz))
    if photo.latitude is not None and photo.longitude is not None:
        parts.append(f"GPS {photo.latitude:.5f}, {photo.longitude:.5f}")
    return " · ".join(parts)
